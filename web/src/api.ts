// HTTP API（/api/v1, docs/api.md）の呼び出し。
//
// - セッションの cookie は HttpOnly なので、ここでは扱わない（同一オリジンで自動送信）。
// - 状態を変える要求（POST, PATCH, DELETE）には X-CSRF-Token を付ける。
//   トークンは GET /auth/session 又はサインインの応答から受け取り、メモリにだけ置く。
// - 誤りは {error:{code,message,message_en,fields:[{field,message}]}} で返る。

export const API_BASE = '/api/v1';

export interface FieldError {
  field: string;
  message: string;
  message_en?: string;
  /** 取込みの誤り: ファイルの行（CSV の行番号、Excel の行番号）。 */
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

  /** 項目名 → メッセージ（同じ項目が複数あれば改行でつなぐ）。 */
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

/** 401 unauthenticated、403 password_change_required / totp_enrollment_required を受けたときに呼ばれる。 */
export function onAuthProblem(listener: Listener | null): void {
  authListener = listener;
}

export interface RequestOptions {
  /** JSON 以外の本文（台帳の取込み）。 */
  raw?: Blob | ArrayBuffer;
  contentType?: string;
  /** 認証の問題を全体の処理（サインイン画面への移動など）に回さない。 */
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
    // 本文のない POST にも JSON の型を付ける（空のオブジェクト）。
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

/** クエリ文字列（空の値は省く）。 */
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

/** 配列で返るはずの応答を受け取る（{items:[…]} などの包みも許す）。 */
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

/** 例外を画面に出す文に（ApiError 以外も）。 */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
