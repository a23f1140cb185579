// Display components for requests and decisions (shared by the request form, approvals, request detail and dashboard).
import { DateTimeText, EffectBadge, StatusBadge, Table } from './common';
import { CONTEXT_KEYS, actionLabel, assetKindLabel, japanesePart, obligationLabel, roleLabel } from '../labels';
import { cachedProfile, segmentTitle } from '../profile';
import { Link } from '../router';
import type { Decision, ExceptionInfo, RequestRecord } from '../types';

/** Classification "importance=A" → "重要度Ａ" (when the profile has loaded). */
export function levelText(axis: string, level: string | string[]): string {
  const levels = Array.isArray(level) ? level : [level];
  const ax = cachedProfile()?.axes.find((a) => a.id === axis);
  if (!ax) return `${axis}=${levels.join('/')}`;
  return levels.map((l) => ax.levels.find((x) => x.id === l)?.title ?? `${ax.title}${l}`).join('・');
}

export function assetText(r: RequestRecord): string {
  const a = r.request?.asset;
  if (!a) return '';
  const levels = a.classification
    ? Object.entries(a.classification)
        .map(([axis, v]) => levelText(axis, v))
        .join('、')
    : '';
  return [a.id, a.kind ? assetKindLabel(a.kind) : '', levels].filter(Boolean).join(' ・ ');
}

/** Context "purpose=business" → "目的: 業務". */
export function contextText(ctx: Record<string, string | boolean> | undefined): string {
  if (!ctx) return '';
  return Object.entries(ctx)
    .map(([k, v]) => {
      const key = CONTEXT_KEYS.find((c) => c.id === k);
      if (!key) return `${k}=${String(v)}`;
      if (key.kind === 'bool') return `${key.label}: ${v === true || v === 'true' ? 'はい' : 'いいえ'}`;
      if (key.kind === 'segment') return `${key.label}: ${segmentTitle(cachedProfile() ?? undefined, String(v))}`;
      return `${key.label}: ${new Map(key.values ?? []).get(String(v)) ?? String(v)}`;
    })
    .join('、');
}

export function requesterText(r: RequestRecord): string {
  return r.requester_name ? `${r.requester_name}（${r.requester}）` : r.requester;
}

export function clauseIds(d: Decision | undefined): string {
  return (d?.clauses ?? []).map((c) => c.id).join('、');
}

/** A decision (allow / deny / approval required, approvers, obligations, clauses, reasons). */
export function DecisionView({ decision, testid = 'decision' }: { decision: Decision; testid?: string }) {
  const explanation = japanesePart(decision.explanation);
  return (
    <div class={`decision decision-${decision.effect}`} data-testid={testid} data-effect={decision.effect}>
      <p class="decision-effect">
        判定: <EffectBadge effect={decision.effect} testid={`${testid}-effect`} />
      </p>
      {decision.approvals && decision.approvals.length > 0 && (
        <div>
          <h3>承認者</h3>
          <ol class="steps" data-testid={`${testid}-approvals`}>
            {decision.approvals.map((step, i) => (
              <li key={i}>{step.map(roleLabel).join(' 又は ')}</li>
            ))}
          </ol>
        </div>
      )}
      {decision.obligations && decision.obligations.length > 0 && (
        <div>
          <h3>義務</h3>
          <ul data-testid={`${testid}-obligations`}>
            {decision.obligations.map((o) => (
              <li key={o}>{obligationLabel(o)}</li>
            ))}
          </ul>
        </div>
      )}
      {decision.clauses && decision.clauses.length > 0 && (
        <div>
          <h3>根拠の条項</h3>
          <ul data-testid={`${testid}-clauses`}>
            {decision.clauses.map((c) => (
              <li key={c.id} data-testid={`${testid}-clause`}>
                <strong>{c.id}</strong> {c.title}
                {c.document && <span class="muted">（{c.document}）</span>}
              </li>
            ))}
          </ul>
        </div>
      )}
      {decision.separation_of_duties && decision.separation_of_duties.length > 0 && (
        <p class="note">
          兼務の禁止: 申請者は {decision.separation_of_duties.map((s) => `段階${s.step + 1}の${roleLabel(s.role)}`).join('、')}{' '}
          の職にありますが、自らの申請を承認できません。
        </p>
      )}
      {explanation && (
        <div>
          <h3>理由</h3>
          <p class="explanation" data-testid={`${testid}-explanation`}>
            {explanation}
          </p>
        </div>
      )}
    </div>
  );
}

/** A table of requests. */
export function RequestTable({
  requests,
  caption,
  testid,
  showRequester = true,
}: {
  requests: RequestRecord[];
  caption: string;
  testid?: string;
  showRequester?: boolean;
}) {
  const columns = ['番号', '行為', '対象', ...(showRequester ? ['申請者'] : []), '判定', '状態', '申請日時'];
  return (
    <Table caption={caption} columns={columns} testid={testid}>
      {requests.map((r) => (
        <tr key={r.id} data-testid="request-row" data-request-id={String(r.id)}>
          <th scope="row">
            <Link href={`/requests/${encodeURIComponent(String(r.id))}`}>申請 {r.id}</Link>
          </th>
          <td>{actionLabel(r.action)}</td>
          <td>{assetText(r)}</td>
          {showRequester && <td>{requesterText(r)}</td>}
          <td>
            <EffectBadge effect={r.effect ?? r.decision?.effect} />
          </td>
          <td>
            <StatusBadge status={r.status} />
            {r.overdue && <span class="badge badge-overdue">報告期限超過</span>}
          </td>
          <td>
            <DateTimeText value={r.submitted_at} />
          </td>
        </tr>
      ))}
    </Table>
  );
}

/** One confirmation of an exception: when, by whom (in which role), and what was found. */
export function ReviewText({ review }: { review: NonNullable<ExceptionInfo['reviews']>[number] }) {
  return (
    <>
      <DateTimeText value={review.time} /> {review.reviewer}
      {review.role && `（${roleLabel(review.role)}）`}: {review.comment}
    </>
  );
}
