// Approvals (GET /inbox): requests awaiting your approval. Approve or reject with a comment.
import { useState } from 'preact/hooks';
import { asList, enc, get } from '../api';
import { withProfile } from '../profile';
import { DateTimeText, Empty, Fact, LoadState, PageTitle, useAsync } from '../components/common';
import { ApprovalForm, decisionNotice } from '../components/approval';
import { Notice } from '../components/forms';
import { DecisionView, assetText, requesterText } from '../components/requests';
import { actionLabel, roleLabel, statusLabel } from '../labels';
import { Link } from '../router';
import type { RequestRecord } from '../types';

/** The current step's roles by their titles: the server's (which knows the roles a profile defines), else the profile's. */
function stepRoles(r: RequestRecord): string[] {
  if (r.current_step_roles && r.current_step_roles.length > 0) {
    return r.current_step_roles.map((role) => role.title || roleLabel(role.id));
  }
  const step = r.current_step ? r.steps?.[r.current_step - 1] : undefined;
  return (step?.roles ?? []).map(roleLabel);
}

export function InboxPage() {
  const list = useAsync((signal) => withProfile(get<unknown>('/inbox', { signal })).then((b) => asList<RequestRecord>(b, 'requests')), []);
  const [done, setDone] = useState<{ id: string; text: string } | null>(null);

  return (
    <section data-testid="inbox">
      <PageTitle testid="inbox-title">承認</PageTitle>
      <p>あなたの承認を待っている申請です。申請者は自らの申請を承認できません（兼務の禁止）。</p>
      {done && (
        <Notice testid="inbox-done">
          <span data-request-id={done.id}>{done.text}</span> <Link href={`/requests/${enc(done.id)}`}>申請 {done.id} を開く</Link>
        </Notice>
      )}
      <LoadState state={list} />
      {list.data && list.data.length === 0 && <Empty>承認を待っている申請はありません。</Empty>}
      {(list.data ?? []).map((r) => {
        const id = String(r.id);
        return (
          <article class="card inbox-item" key={id} data-testid="inbox-item" data-request-id={id} aria-labelledby={`inbox-h-${id}`}>
            <h2 id={`inbox-h-${id}`}>
              <Link href={`/requests/${enc(id)}`}>
                申請 {id}: {actionLabel(r.action)}
              </Link>
            </h2>
            <dl class="facts">
              <Fact term="申請者" testid="inbox-requester">
                {requesterText(r)}
                {r.section && <span class="muted">（{r.section}）</span>}
              </Fact>
              <Fact term="行為">{actionLabel(r.action)}</Fact>
              <Fact term="対象">{assetText(r) || '—'}</Fact>
              {r.purpose && <Fact term="目的・理由">{r.purpose}</Fact>}
              <Fact term="申請日時">
                <DateTimeText value={r.submitted_at} />
              </Fact>
              <Fact term="期限">
                <DateTimeText value={r.expires_at} />
              </Fact>
              {r.current_step ? (
                <Fact term="承認の段階">
                  {r.current_step} / {(r.steps ?? r.decision?.approvals ?? []).length}（{statusLabel(r.status)}）
                </Fact>
              ) : null}
              {stepRoles(r).length > 0 && (
                <Fact term="承認する役割" testid="inbox-step-roles">
                  {stepRoles(r).join(' 又は ')}
                </Fact>
              )}
            </dl>
            {r.decision && <DecisionView decision={r.decision} testid={`inbox-decision-${id}`} />}
            <ApprovalForm
              request={r}
              onDone={(updated, decision) => {
                setDone({ id, text: decisionNotice(id, decision, updated) });
                list.reload();
              }}
            />
          </article>
        );
      })}
    </section>
  );
}
