// The path the app is served under: "/t/<id>" when `mamori serve --installation`
// serves a tenant by path (docs/api.md "Many tenants"), else "" (one ledger, or a
// tenant reached by its own host name). Every in-app path and API call is below it.

/** "/t/hannan/inbox" → "/t/hannan"; "/inbox" → "". */
export function tenantBase(pathname: string): string {
  const m = /^\/t\/[a-z][a-z0-9_]{0,31}(?=\/|$)/.exec(pathname);
  return m ? m[0] : '';
}

export const BASE: string = tenantBase(window.location.pathname);
