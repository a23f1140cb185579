// サインイン中の人（GET /auth/session）。csrf_token は api.ts のメモリに置く。
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { get, setCsrfToken } from './api';
import type { Session } from './types';

export interface SessionState {
  session: Session | null;
  /** GET /auth/session を読み直す。 */
  refresh: () => Promise<Session | null>;
  /** サインインの応答などで受け取ったセッションを置く。 */
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

/** 応答が {session:{…}} でも {…} でも受け取る。 */
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

/** 役割 → 見られる画面。 */
export const APPROVER_ROLES = ['manager', 'liaison', 'officer', 'chief_officer', 'deputy_chief_officer', 'ciso'];
export const ADMIN_ROLES = ['chief_officer', 'deputy_chief_officer'];
export const EVERYTHING_ROLES = ['ciso', 'chief_officer', 'deputy_chief_officer'];
export const INCIDENT_HANDLER_ROLES = ['csirt', 'manager', 'officer', 'ciso', 'chief_officer', 'deputy_chief_officer'];
/** 監査ログを読める役割（全体を見る者と監査人）。 */
export const AUDIT_ROLES = [...EVERYTHING_ROLES, 'auditor'];
export const EXCEPTION_ROLES = [...APPROVER_ROLES, 'auditor'];

export function hasAny(session: Session | null, roles: string[]): boolean {
  if (!session) return false;
  return session.roles.some((r) => roles.includes(r.role));
}

/** 申請を出せる（監査人だけの人は読むだけ）。 */
export function canSubmit(session: Session | null): boolean {
  if (!session) return false;
  return session.roles.length === 0 || session.roles.some((r) => r.role !== 'auditor');
}
