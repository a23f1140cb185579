// The signed-in user (GET /auth/session). The csrf_token is kept in memory in api.ts.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { get, setCsrfToken } from './api';
import type { Session } from './types';

export interface SessionState {
  session: Session | null;
  /** Reloads GET /auth/session. */
  refresh: () => Promise<Session | null>;
  /** Sets a session received e.g. in the sign-in response. */
  set: (session: Session | null) => void;
}

export const SessionContext = createContext<SessionState>({
  session: null,
  refresh: async () => null,
  set: () => undefined,
});

export function useSession(): SessionState {
  return useContext(SessionContext);
}

/** Accepts the response as either {session:{…}} or {…}. */
export function unwrapSession(body: unknown): Session | null {
  if (!body || typeof body !== 'object') return null;
  const inner = (body as { session?: unknown }).session;
  const s = (inner && typeof inner === 'object' ? inner : body) as Session;
  if (!s.person) return null;
  if (!Array.isArray(s.roles)) s.roles = [];
  return s;
}

export async function fetchSession(): Promise<Session | null> {
  const body = await get<unknown>('/auth/session', { quiet: true });
  const s = unwrapSession(body);
  setCsrfToken(s?.csrf_token);
  return s;
}

/** Roles → the pages they may see. */
export const APPROVER_ROLES = ['manager', 'liaison', 'officer', 'chief_officer', 'deputy_chief_officer', 'ciso'];
export const ADMIN_ROLES = ['chief_officer', 'deputy_chief_officer'];
export const EVERYTHING_ROLES = ['ciso', 'chief_officer', 'deputy_chief_officer'];
export const INCIDENT_HANDLER_ROLES = ['csirt', 'manager', 'officer', 'ciso', 'chief_officer', 'deputy_chief_officer'];
/** Roles that may read the audit log (those who see everything, and auditors). */
export const AUDIT_ROLES = [...EVERYTHING_ROLES, 'auditor'];
export const EXCEPTION_ROLES = [...APPROVER_ROLES, 'auditor'];

export function hasAny(session: Session | null, roles: string[]): boolean {
  if (!session) return false;
  return session.roles.some((r) => roles.includes(r.role));
}

/** May submit requests (someone who is only an auditor can just read). */
export function canSubmit(session: Session | null): boolean {
  if (!session) return false;
  return session.roles.length === 0 || session.roles.some((r) => r.role !== 'auditor');
}
