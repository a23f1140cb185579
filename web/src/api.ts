// Calls to the HTTP API (/api/v1, docs/api.md).
//
// - The session cookie is HttpOnly, so it is not handled here (the browser sends it same-origin).
// - State-changing requests (POST, PATCH, DELETE) carry X-CSRF-Token. The token comes from
//   GET /auth/session or the sign-in response and is kept in memory only.
// - Errors arrive as {error:{code,message,message_en,fields:[{field,message}]}}.

import { BASE } from './base';

/** Below the tenant's prefix when served by path (base.ts). */
export const API_BASE = BASE + '/api/v1';

export interface FieldError {
  field: string;
  message: string;
  message_en?: string;
  /** Import errors: the line in the file (CSV line number or Excel row number). */
  line?: number;
}

export interface ErrorBody {
  code: string;
  message: string;
  message_en?: string;
  fields?: FieldError[];
  locked_until?: string;
  [key: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly messageEn: string;
  readonly fields: FieldError[];
  readonly body: ErrorBody;

  constructor(status: number, body: ErrorBody) {
    super(body.message || `エラーが発生しました（${status}）`);
    this.status = status;
    this.code = body.code || 'internal';
    this.messageEn = body.message_en ?? '';
    this.fields = Array.isArray(body.fields) ? body.fields : [];
    this.body = body;
  }

  /** Field name → message (several messages for one field are joined with newlines). */
  fieldMap(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const f of this.fields) {
      const key = f.field ?? '';
      out[key] = out[key] ? `${out[key]}\n${f.message}` : f.message;
    }
    return out;
  }
}

let csrfToken: string | null = null;

export function setCsrfToken(token: string | null | undefined): void {
  csrfToken = token ?? null;
}

export function getCsrfToken(): string | null {
  return csrfToken;
}

type Listener = (error: ApiError) => void;
let authListener: Listener | null = null;

/** Called on 401 unauthenticated and on 403 password_change_required / totp_enrollment_required. */
export function onAuthProblem(listener: Listener | null): void {
  authListener = listener;
}

export interface RequestOptions {
  /** A non-JSON body (register import). */
  raw?: Blob | ArrayBuffer;
  contentType?: string;
  /** Don't pass auth problems to the global handler (redirect to sign-in etc.). */
  quiet?: boolean;
  signal?: AbortSignal;
}

function networkError(): ApiError {
  return new ApiError(0, {
    code: 'network',
    message: 'サーバーに接続できませんでした。ネットワークを確認して、もう一度お試しください。',
    message_en: 'could not reach the server',
  });
}

export async function request<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let payload: BodyInit | undefined;
  if (options.raw !== undefined) {
    payload = options.raw;
    headers['Content-Type'] = options.contentType || 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  } else if (method !== 'GET') {
    // A POST without a body still gets a JSON content type (an empty object).
    payload = '{}';
    headers['Content-Type'] = 'application/json';
  }
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let response: Response;
  try {
    response = await fetch(API_BASE + path, {
      method,
      headers,
      body: payload,
      credentials: 'same-origin',
      cache: 'no-store',
      signal: options.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw networkError();
  }

  if (response.status === 204) return null as T;
  const text = await response.text();
  let json: unknown = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!response.ok) {
    const raw = (json as { error?: ErrorBody } | null)?.error;
    const errBody: ErrorBody =
      raw && typeof raw === 'object'
        ? { ...raw, code: raw.code ?? 'internal', message: raw.message ?? '' }
        : { code: 'internal', message: `サーバーがエラーを返しました（${response.status}）` };
    if (errBody.locked_until === undefined && json && typeof json === 'object') {
      const top = (json as Record<string, unknown>).locked_until;
      if (typeof top === 'string') errBody.locked_until = top;
    }
    const error = new ApiError(response.status, errBody);
    if (
      !options.quiet &&
      authListener &&
      ((response.status === 401 && error.code === 'unauthenticated') ||
        error.code === 'password_change_required' ||
        error.code === 'totp_enrollment_required')
    ) {
      authListener(error);
    }
    throw error;
  }
  return json as T;
}

export const get = <T>(path: string, options?: RequestOptions) => request<T>('GET', path, undefined, options);
export const post = <T>(path: string, body?: unknown, options?: RequestOptions) =>
  request<T>('POST', path, body, options);
export const patch = <T>(path: string, body?: unknown, options?: RequestOptions) =>
  request<T>('PATCH', path, body, options);

/** Query string (empty values are left out). */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '' || v === false) continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const enc = encodeURIComponent;

/** Reads a response that should be an array (wrappers such as {items:[…]} are accepted too). */
export function asList<T>(value: unknown, ...keys: string[]): T[] {
  if (Array.isArray(value)) return value as T[];
  if (value && typeof value === 'object') {
    for (const k of [...keys, 'items', 'records', 'results', 'data']) {
      const v = (value as Record<string, unknown>)[k];
      if (Array.isArray(v)) return v as T[];
    }
  }
  return [];
}

/** Turns an exception (ApiError or not) into text to show on screen. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
