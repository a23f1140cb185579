// Request detail (GET /requests/{id}): steps, approval/rejection record, obligation records (input form), exception reports and confirmation.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { enc, get, post } from '../api';
import { ApprovalForm, decisionNotice } from '../components/approval';
import { DateTimeText, Facts, LoadState, PageTitle, StatusBadge, Table, useAsync } from '../components/common';
import { ErrorSummary, FormActions, Notice, TextArea, TextField, useAction } from '../components/forms';
import { DecisionView, ReviewText, assetText, contextText, requesterText } from '../components/requests';
import { todayJst } from '../format';
import { OBLIGATION_FIELDS, STEP_DECISION, actionLabel, obligationLabel, roleLabel } from '../labels';
import { withProfile } from '../profile';
import { Link, useLocation } from '../router';
import { useSession } from '../session';
import type { ObligationRecord, RequestRecord } from '../types';

function approverCode(a: NonNullable<RequestRecord['current_approvers']>[number]): string {
  return typeof a === 'string' ? a : a.code ?? a.person ?? '';
}

function approverText(a: NonNullable<RequestRecord['current_approvers']>[number]): string {
  if (typeof a === 'string') return a;
  const who = a.name ? `${a.name}（${a.code ?? a.person ?? ''}）` : a.code ?? a.person ?? '';
  return a.role ? `${who} ${roleLabel(a.role)}` : who;
}

export function RequestDetailPage({ id }: { id: string }) {
  const { session } = useSession();
  const loc = useLocation();
  const req = useAsync(
    (signal) => withProfile(get<RequestRecord>(`/requests/${enc(id)}`, { signal })),
    [id],
  );
  const [notice, setNotice] = useState(loc.query.get('created') ? `申請 ${id} を受け付けました。` : '');
  const r = req.data;
  const me = session?.person.code;
  const isApprover =
    !!r && r.status === 'pending' && r.requester !== me && (r.current_approvers ?? []).some((a) => approverCode(a) === me);
  const isRequester = !!r && r.requester === me;

  return (
    <section data-testid="request-detail" data-request-id={id} data-status={r?.status}>
      <PageTitle testid="request-detail-title">
        申請 {id}
        {r && `: ${actionLabel(r.action)}`}
      </PageTitle>
      {notice && <Notice testid="request-notice">{notice}</Notice>}
      <LoadState state={req} />
      {r && (
        <>
          <p class="status-line">
            状態: <StatusBadge status={r.status} />
            {r.status === 'pending' && r.current_step ? <span> 段階 {r.current_step} の承認待ち</span> : null}
          </p>
          <Facts
            items={[
              ['申請者', requesterText(r)],
              ['課室等', [r.section, r.department].filter(Boolean).join(' / ')],
              ['行為', `${actionLabel(r.action)}（${r.action}）`],
              ['対象', assetText(r)],
              ['状況', contextText(r.request?.context)],
              ['目的・理由', r.purpose ?? ''],
              ['申請日時', <DateTimeText value={r.submitted_at} />],
              ['承認の期限', <DateTimeText value={r.expires_at} />],
              ['決定日時', <DateTimeText value={r.decided_at} />],
              ['完了日時', <DateTimeText value={r.completed_at} />],
              ...(r.withdraw_reason ? ([['取下げの理由', r.withdraw_reason]] as [string, string][]) : []),
            ]}
          />

          {r.decision && (
            <section aria-labelledby="detail-decision">
              <h2 id="detail-decision">判定</h2>
              <DecisionView decision={r.decision} testid="detail-decision" />
            </section>
          )}

          <section aria-labelledby="detail-steps">
            <h2 id="detail-steps">承認の段階</h2>
            {(r.steps ?? []).length === 0 ? (
              <p class="muted">承認の段階はありません。</p>
            ) : (
              <Table
                caption="承認の段階と回付先"
                columns={['段階', '承認できる役割', '回付先', '結果']}
                testid="steps-table"
              >
                {(r.steps ?? []).map((s) => {
                  const act = (r.actions ?? []).find((a) => a.step === s.step);
                  return (
                    <tr key={s.step}>
                      <th scope="row">{s.step}</th>
                      <td>{s.roles.map(roleLabel).join(' 又は ')}</td>
                      <td>{(s.routed_to ?? []).join('、')}</td>
                      <td>
                        {act
                          ? `${STEP_DECISION[act.decision] ?? act.decision}（${act.person_name ?? act.person}）`
                          : r.status === 'pending' && r.current_step === s.step
                            ? '承認待ち'
                            : '—'}
                      </td>
                    </tr>
                  );
                })}
              </Table>
            )}
            {r.status === 'pending' && (r.current_approvers ?? []).length > 0 && (
              <p data-testid="current-approvers">現在の承認者: {(r.current_approvers ?? []).map(approverText).join('、')}</p>
            )}
          </section>

          {(r.actions ?? []).length > 0 && (
            <section aria-labelledby="detail-actions">
              <h2 id="detail-actions">承認・却下の記録</h2>
              <Table
                caption="承認・却下の記録"
                columns={['日時', '段階', '担当者', '役割', '結果', 'コメント']}
                testid="actions-table"
              >
                {(r.actions ?? []).map((a, i) => (
                  <tr key={i}>
                    <th scope="row">
                      <DateTimeText value={a.time} />
                    </th>
                    <td>{a.step}</td>
                    <td>{a.person_name ? `${a.person_name}（${a.person}）` : a.person}</td>
                    <td>{roleLabel(a.role)}</td>
                    <td>{STEP_DECISION[a.decision] ?? a.decision}</td>
                    <td>{a.comment}</td>
                  </tr>
                ))}
              </Table>
            </section>
          )}

          {isApprover && (
            <section aria-labelledby="detail-approve">
              <h2 id="detail-approve">承認・却下</h2>
              <ApprovalForm
                request={r}
                onDone={(updated, decision) => {
                  setNotice(decisionNotice(id, decision, updated));
                  req.reload();
                }}
              />
            </section>
          )}

          {isRequester && r.status === 'pending' && (
            <WithdrawForm
              id={id}
              onDone={() => {
                setNotice(`申請 ${id} を取り下げました。`);
                req.reload();
              }}
            />
          )}

          {r.exception && (
            <section aria-labelledby="detail-exception">
              <h2 id="detail-exception">例外措置</h2>
              <Facts
                items={[
                  ['区分', r.exception.emergency ? '緊急時（事後報告）' : '通常'],
                  ...(r.exception.emergency
                    ? ([
                        ['事後報告の期限', <DateTimeText value={r.exception.report_due} />],
                        ['報告日時', <DateTimeText value={r.exception.reported_at} />],
                        ['報告者', r.exception.reported_by ?? ''],
                        ['報告先', (r.exception.reported_to ?? []).join('、')],
                        ['報告内容', r.exception.report ?? ''],
                      ] as [string, ComponentChildren][])
                    : []),
                ]}
              />
              {(r.exception.reviews ?? []).length > 0 && (
                <ul>
                  {(r.exception.reviews ?? []).map((rv, i) => (
                    <li key={i}>
                      <ReviewText review={rv} />
                    </li>
                  ))}
                </ul>
              )}
              <p>
                <Link href="/exceptions">例外措置の一覧で報告・確認する</Link>
              </p>
            </section>
          )}

          <section aria-labelledby="detail-obligations">
            <h2 id="detail-obligations">義務の記録</h2>
            {(r.obligations ?? []).length === 0 ? (
              <p class="muted">この申請に伴う義務はありません。</p>
            ) : (
              (r.obligations ?? []).map((o) => (
                <ObligationBlock
                  key={o.obligation}
                  requestId={id}
                  record={o}
                  canFill={r.status === 'approved'}
                  onFilled={(updated) => {
                    req.setData(updated);
                    setNotice(`「${obligationLabel(o.obligation)}」を記録しました。`);
                  }}
                />
              ))
            )}
          </section>
        </>
      )}
    </section>
  );
}

function fieldId(f: ObligationRecord['fields'][number]): string {
  return typeof f === 'string' ? f : f.id;
}

function fieldLabel(f: ObligationRecord['fields'][number]): string {
  if (typeof f !== 'string' && f.label) return f.label;
  const id = fieldId(f);
  return OBLIGATION_FIELDS[id] ?? id;
}

function isDateField(f: ObligationRecord['fields'][number]): boolean {
  const id = fieldId(f);
  const kind = typeof f === 'string' ? '' : f.kind ?? f.type ?? '';
  return kind === 'date' || id === 'date' || id === 'until';
}

function ObligationBlock({
  requestId,
  record,
  canFill,
  onFilled,
}: {
  requestId: string;
  record: ObligationRecord;
  canFill: boolean;
  onFilled: (r: RequestRecord) => void;
}) {
  const { session } = useSession();
  const [values, setValues] = useState<Record<string, string>>(() => {
    const init: Record<string, string> = {};
    for (const f of record.fields ?? []) {
      const id = fieldId(f);
      init[id] = id === 'date' ? todayJst() : id === 'person' ? session?.person.code ?? '' : '';
    }
    return init;
  });
  const { error, busy, fields, run } = useAction();
  const fieldErr = (id: string) => fields[id] ?? fields[`values.${id}`];

  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const updated = await post<RequestRecord>(
        `/requests/${enc(requestId)}/obligations/${enc(record.obligation)}`,
        { values },
      );
      onFilled(updated);
    });
  };

  return (
    <div class="obligation card" data-testid="obligation" data-obligation={record.obligation} data-filled={record.filled ? 'true' : 'false'}>
      <h3>
        {obligationLabel(record.obligation)}
        {record.clause && <span class="muted">（{record.clause}）</span>}
        {' '}
        {record.filled ? <span class="badge badge-completed">記録済み</span> : <span class="badge badge-pending">未記録</span>}
      </h3>
      {record.filled ? (
        <Facts
          items={[
            ...Object.entries(record.values ?? {}).map(([k, v]) => [OBLIGATION_FIELDS[k] ?? k, v] as [string, string]),
            ['記録者', record.filled_by ?? ''],
            ['記録日時', <DateTimeText value={record.filled_at} />],
          ]}
        />
      ) : canFill ? (
        <form onSubmit={submit} data-testid={`obligation-form-${record.obligation}`}>
          <ErrorSummary error={error} shownFields={(record.fields ?? []).flatMap((f) => [fieldId(f), `values.${fieldId(f)}`])} />
          {(record.fields ?? []).map((f) => {
            const id = fieldId(f);
            const inputId = `ob-${record.obligation}-${id}`;
            const label = fieldLabel(f);
            return ['method', 'measure', 'report'].includes(id) ? (
              <TextArea
                key={id}
                id={inputId}
                label={label}
                value={values[id] ?? ''}
                onInput={(v) => setValues((s) => ({ ...s, [id]: v }))}
                required
                rows={2}
                error={fieldErr(id)}
              />
            ) : (
              <TextField
                key={id}
                id={inputId}
                label={label}
                type={isDateField(f) ? 'date' : 'text'}
                value={values[id] ?? ''}
                onInput={(v) => setValues((s) => ({ ...s, [id]: v }))}
                required
                error={fieldErr(id)}
              />
            );
          })}
          <FormActions label="記録する" busy={busy} />
        </form>
      ) : (
        <p class="muted">承認された後に記録できます。項目: {(record.fields ?? []).map(fieldLabel).join('、')}</p>
      )}
    </div>
  );
}

function WithdrawForm({ id, onDone }: { id: string; onDone: () => void }) {
  const [comment, setComment] = useState('');
  const { error, run } = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      await post(`/requests/${enc(id)}/withdraw`, { comment });
      onDone();
    });
  };
  return (
    <section aria-labelledby="detail-withdraw">
      <h2 id="detail-withdraw">取下げ</h2>
      <form onSubmit={submit} data-testid="withdraw-form">
        <ErrorSummary error={error} shownFields={['comment']} />
        <TextArea id="withdraw-comment" label="取下げの理由" value={comment} onInput={setComment} rows={2} />
        <FormActions label="申請を取り下げる" kind="danger" testid="withdraw" />
      </form>
    </section>
  );
}
