// Audit log (6.1(6)): pages through GET /audit/events and checks for tampering with POST /audit/verify.
import { useState } from 'preact/hooks';
import { get, post, query } from '../api';
import { DateTimeText, Empty, LoadState, PageTitle, Table, useAsync } from '../components/common';
import { FormActions, TextField, useAction } from '../components/forms';
import { formatNumber } from '../format';
import type { AuditEvent } from '../types';

const PAGE = 50;

interface EventsPage {
  events?: AuditEvent[];
  verified_head?: number | string | null;
  last_seq?: number;
  next_after?: number;
}

/** Page position. docs/api.md pages oldest-first with after; servers that page newest-first with before are handled too. */
type Cursor = { after?: number; before?: number };

interface VerifyResult {
  ok: boolean;
  events?: number;
  checkpoints?: number;
  first_bad?: unknown;
  first_bad_seq?: number;
  message?: string;
}

const TYPE_LABELS: Record<string, string> = {
  'auth.sign_in': 'サインイン',
  'auth.sign_in_failed': 'サインイン失敗',
  'auth.sign_out': 'サインアウト',
  'auth.lockout': 'アカウントのロック',
  'auth.password_change': 'パスワード変更',
  'auth.password_change_failed': 'パスワード変更の失敗',
  'auth.privilege_use': '特権の使用',
  'auth.totp_begin': '二要素認証の設定開始',
  'auth.totp_enable': '二要素認証の有効化',
  'account.create': 'アカウント作成',
  'account.list': 'アカウント一覧の参照',
  'account.reset': '仮パスワードの再発行',
  'account.totp_reset': '二要素認証のリセット',
  'account.unlock': 'ロック解除',
  'request.submit': '申請',
  'request.approve': '承認',
  'request.reject': '却下',
  'request.withdraw': '取下げ',
  'request.expire': '期限切れ',
  'request.record': '義務の記録',
  'exception.report': '例外措置の事後報告',
  'exception.review': '例外措置の確認',
  'incident.report': 'インシデントの報告',
  'incident.report_external': '外部からの報告',
  'incident.triage': 'トリアージ',
  'incident.timeline': '経過',
  'incident.cause': '原因',
  'incident.measure': '再発防止策',
  'incident.escalate': '上位への報告',
  'incident.close': 'クローズ',
};

/** Event type → Japanese (unknown types are guessed from parts of the name). */
function typeLabel(type: string): string {
  if (TYPE_LABELS[type]) return TYPE_LABELS[type];
  if (/sign[-_.]?in|signin|login/i.test(type)) return /fail/i.test(type) ? 'サインイン失敗' : 'サインイン';
  if (/sign[-_.]?out|logout/i.test(type)) return 'サインアウト';
  if (/password/i.test(type)) return 'パスワード';
  if (/totp|mfa/i.test(type)) return '二要素認証';
  if (/lock/i.test(type)) return 'ロック';
  if (/account/i.test(type)) return 'アカウント';
  const [obj, verb] = type.split('.');
  const v: Record<string, string> = { add: '追加', update: '更新', retire: '廃止', import: '取込み', recompute: '再計算' };
  if (verb && v[verb]) return `${obj} の${v[verb]}`;
  return type;
}

export function AuditPage() {
  const [cursor, setCursor] = useState<Cursor>({});
  const [history, setHistory] = useState<Cursor[]>([]);
  const [type, setType] = useState('');
  const [actor, setActor] = useState('');
  const [applied, setApplied] = useState({ type: '', actor: '' });
  const page = useAsync(
    (signal) =>
      get<EventsPage>(
        `/audit/events${query({ after: cursor.after, before: cursor.before, limit: PAGE, type: applied.type, actor: applied.actor })}`,
        { signal },
      ),
    [cursor.after, cursor.before, applied.type, applied.actor],
  );
  const events = page.data?.events ?? (Array.isArray(page.data) ? (page.data as AuditEvent[]) : []);
  // Infer the order from the response (newest-first: next page uses before; oldest-first: after).
  const descending = events.length > 1 ? events[0].seq > events[events.length - 1].seq : cursor.before !== undefined;
  const last = events.length > 0 ? events[events.length - 1].seq : undefined;
  const next: Cursor | null =
    last === undefined || events.length < PAGE
      ? null
      : descending
        ? { before: last }
        : { after: page.data?.next_after ?? last };
  const head = page.data?.verified_head ?? page.data?.last_seq;

  const [verify, setVerify] = useState<VerifyResult | null>(null);
  const { error: verifyError, busy: verifying, run } = useAction();

  const runVerify = () => {
    setVerify(null);
    void run(async () => setVerify(await post<VerifyResult>('/audit/verify')));
  };

  return (
    <section data-testid="audit">
      <PageTitle testid="audit-title">監査ログ</PageTitle>
      <p>
        すべての変更とサインインは、ハッシュでつながった改ざん検知可能なログに記録されています。「検証する」でログ全体と署名付きチェックポイントを検証します。
      </p>

      <section class="card" aria-labelledby="verify-title">
        <h2 id="verify-title">検証</h2>
        <button type="button" class="btn btn-primary" onClick={runVerify} disabled={verifying} data-testid="audit-verify">
          {verifying ? '検証しています…' : '検証する'}
        </button>
        <div aria-live="polite">
          {verify && (
            <div
              class={`alert ${verify.ok ? 'alert-ok' : 'alert-error'}`}
              data-testid="verify-result"
              data-ok={verify.ok ? 'true' : 'false'}
            >
              <p>
                <strong>{verify.ok ? '検証に成功しました。改ざんは見つかりませんでした。' : '検証に失敗しました。'}</strong>
              </p>
              <p>
                イベント {formatNumber(verify.events ?? 0)} 件、チェックポイント {formatNumber(verify.checkpoints ?? 0)} 件
              </p>
              {verify.message && <p>{verify.message}</p>}
              {!verify.ok && verify.first_bad_seq !== undefined && verify.first_bad_seq !== null && (
                <p data-testid="verify-first-bad">
                  最初に不整合が見つかったイベント: <strong>{verify.first_bad_seq}</strong>
                </p>
              )}
              {!verify.ok && verify.first_bad !== undefined && verify.first_bad !== null && (
                <div data-testid="verify-first-bad-event">
                  <p>最初に不整合が見つかったイベント:</p>
                  <pre>{typeof verify.first_bad === 'object' ? JSON.stringify(verify.first_bad, null, 2) : String(verify.first_bad)}</pre>
                </div>
              )}
            </div>
          )}
          {verifyError ? (
            <div class="alert alert-error" role="alert" data-testid="verify-error">
              {verifyError instanceof Error ? verifyError.message : String(verifyError)}
            </div>
          ) : null}
        </div>
      </section>

      <section aria-labelledby="events-title">
        <h2 id="events-title">イベント</h2>
        <form
          class="filters"
          role="search"
          aria-label="監査ログの絞込み"
          onSubmit={(e) => {
            e.preventDefault();
            setHistory([]);
            setCursor({});
            setApplied({ type: type.trim(), actor: actor.trim() });
          }}
        >
          <TextField id="audit-type" label="種類（例: request.approve）" value={type} onInput={setType} testid="audit-type" />
          <TextField id="audit-actor" label="操作者（職員番号）" value={actor} onInput={setActor} testid="audit-actor" />
          <FormActions label="絞り込む" kind="plain" />
        </form>
        {head !== undefined && head !== null && (
          <p class="small">
            {page.data?.verified_head !== undefined ? '署名で確認済みの最新イベント' : '最新のイベント番号'}: {String(head)}
            {descending ? '（新しい順に表示）' : '（古い順に表示）'}
          </p>
        )}
        <LoadState state={page} />
        {page.data && events.length === 0 && <Empty>イベントはありません。</Empty>}
        {events.length > 0 && (
          <Table
            caption={`監査ログのイベント（${events[0].seq}〜${events[events.length - 1].seq}）`}
            columns={['番号', '日時', '操作者', '種類', '対象', '記録された状態']}
            testid="audit-table"
          >
            {events.map((ev) => (
              <tr key={ev.seq} data-testid="audit-row" data-type={ev.type}>
                <th scope="row">{ev.seq}</th>
                <td>
                  <DateTimeText value={ev.time} seconds />
                </td>
                <td>{ev.actor}</td>
                <td>
                  {typeLabel(ev.type)}
                  <br />
                  <code class="event-type">{ev.type}</code>
                </td>
                <td>
                  {ev.object_type}
                  {ev.object_id ? ` ${ev.object_id}` : ''}
                </td>
                <td>
                  {ev.state !== undefined && ev.state !== null && ev.state !== '' ? (
                    <details>
                      <summary>表示</summary>
                      <pre class="state">{typeof ev.state === 'string' ? ev.state : JSON.stringify(ev.state, null, 2)}</pre>
                    </details>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </Table>
        )}
        <nav class="pagination" aria-label="監査ログのページ送り">
          <button
            type="button"
            class="btn"
            disabled={history.length === 0}
            onClick={() => {
              const h = [...history];
              const prev = h.pop() ?? {};
              setHistory(h);
              setCursor(prev);
            }}
            data-testid="audit-prev"
          >
            前へ
          </button>
          <button
            type="button"
            class="btn"
            disabled={!next}
            onClick={() => {
              if (!next) return;
              setHistory([...history, cursor]);
              setCursor(next);
            }}
            data-testid="audit-next"
          >
            次へ
          </button>
        </nav>
      </section>
    </section>
  );
}
