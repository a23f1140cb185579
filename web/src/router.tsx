// A small history router (History API). The server answers index.html for unknown non-API paths.
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { BASE } from './base';

type Listener = () => void;
const listeners = new Set<Listener>();

/** The app's path (below BASE, base.ts) and query. */
function current(): string {
  const path = window.location.pathname.slice(BASE.length) || '/';
  return path + window.location.search;
}

function notify(): void {
  for (const l of listeners) l();
}

window.addEventListener('popstate', notify);

/** Navigates to an app path (BASE is added). With replace, no history entry is left (used for forced redirects). */
export function navigate(to: string, replace = false): void {
  if (to === current()) return;
  if (replace) window.history.replaceState(null, '', BASE + to);
  else window.history.pushState(null, '', BASE + to);
  window.scrollTo(0, 0);
  notify();
}

export interface Location {
  path: string;
  query: URLSearchParams;
  href: string;
}

export function useLocation(): Location {
  const [href, setHref] = useState(current());
  useEffect(() => {
    const l = () => setHref(current());
    listeners.add(l);
    l();
    return () => {
      listeners.delete(l);
    };
  }, []);
  const url = new URL(href, window.location.origin);
  return { path: url.pathname, query: url.searchParams, href };
}

/** "/requests/:id" and "/requests/12" → {id:"12"}; null when they don't match. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) params[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return null;
  }
  return params;
}

type AnchorProps = JSX.HTMLAttributes<HTMLAnchorElement> & { href: string; children?: ComponentChildren };

/** An in-app link (a real <a>; clicks with modifier keys are left to the browser). */
export function Link({ href, onClick, ...rest }: AnchorProps) {
  return (
    <a
      href={BASE + href}
      onClick={(e) => {
        if (onClick) (onClick as (ev: MouseEvent) => void)(e as unknown as MouseEvent);
        if (e.defaultPrevented) return;
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(href);
      }}
      {...rest}
    />
  );
}
