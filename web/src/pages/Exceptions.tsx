// Exceptions (7.4): the exception register (GET /exceptions). Highlights overdue emergency exceptions and records after-the-fact reports and confirmation.
import { useState } from 'preact/hooks';
import { asList, enc, get, post } from '../api';
import { withProfile } from '../profile';
import { DateTimeText, Empty, Fact, LoadState, PageTitle, StatusBadge, useAsync } from '../components/common';
import { ErrorSummary, FormActions, Notice, TextArea, useAction } from '../components/forms';
import { ReviewText, requesterText } from '../components/requests';
import { Link } from '../router';
import { EVERYTHING_ROLES, hasAny, useSession } from '../session';
import type { RequestRecord } from '../types';

export function ExceptionsPage() {
  const { session } = useSession();
  const list = useAsync((signal) => withProfile(get<unknown>('/exceptions', { signal })).then((b) => asList<RequestRecord>(b, 'exceptions')), []);
  const [notice, setNotice] = useState('');
  const canReview = hasAny(session, EVERYTHING_ROLES);
  const rows = [...(list.data ?? [])].sort((a, b) => Number(!!b.overdue) - Number(!!a.overdue));
  const overdue = rows.filter((r) => r.overdue).length;
  const recorded = (id: string, what: string) => () => {
    setNotice(`申請 ${id} の${what}を記録しました。`);
    list.reload();
  };

  return (
    <section data-testid="exceptions">
      <PageTitle testid="exceptions-title">例外措置</PageTitle>
      <p>
        例外措置の記録簿です（対策基準 7.4(3)）。例外措置の申請は<Link href="/requests/new">申請</Link>の画面で行為「例外措置」を選んでください。緊急時に例外措置をとったときは、期限までに事後報告をしてください（7.4(2)）。
      </p>
      {notice && <Notice>{notice}</Notice>}
      {overdue > 0 && (
        <div class="alert alert-warn" role="status" data-testid="exceptions-overdue">
          事後報告の期限を過ぎた緊急時の例外措置が {overdue} 件あります。
        </div>
      )}
      <LoadState state={list} />
      {list.data && rows.length === 0 && <Empty>例外措置の記録はありません。</Empty>}
      {rows.map((r) => {
        const id = String(r.id);
        const ex = r.exception ?? {};
        return (
          <article
            key={id}
            class={`card${r.overdue ? ' card-overdue' : ''}`}
            data-testid="exception-item"
            data-overdue={r.overdue ? 'true' : 'false'}
            aria-labelledby={`ex-h-${id}`}
          >
            <h2 id={`ex-h-${id}`}>
              <Link href={`/requests/${enc(id)}`}>申請 {id}</Link> {ex.emergency ? '緊急時の例外措置' : '例外措置'}{' '}
              <StatusBadge status={r.status} />
              {r.overdue && <span class="badge badge-overdue">事後報告の期限超過</span>}
            </h2>
            <dl class="facts">
              <Fact term="申請者">{requesterText(r)}</Fact>
              <Fact term="理由">{r.purpose}</Fact>
              <Fact term="申請日時">
                <DateTimeText value={r.submitted_at} />
              </Fact>
              {ex.emergency && (
                <>
                  <Fact term="事後報告の期限">
                    <DateTimeText value={ex.report_due} />
                  </Fact>
                  <Fact term="事後報告">
                    {ex.reported_at ? (
                      <>
                        <DateTimeText value={ex.reported_at} />（{ex.reported_by}）: {ex.report}
                      </>
                    ) : (
                      '未報告'
                    )}
                  </Fact>
                </>
              )}
              <Fact term="確認の記録">
                {(ex.reviews ?? []).length === 0
                  ? 'なし'
                  : (ex.reviews ?? []).map((rv, i) => (
                      <div key={i}>
                        <ReviewText review={rv} />
                      </div>
                    ))}
              </Fact>
            </dl>
            {ex.emergency && !ex.reported_at && (
              <ExceptionTextForm
                id={`report-${id}`}
                title="事後報告"
                label="事後報告の内容（とった措置、期間、結果）"
                path={`/exceptions/${enc(id)}/report`}
                field="text"
                button="事後報告を送る"
                onDone={recorded(id, '事後報告')}
              />
            )}
            {canReview && (
              <ExceptionTextForm
                id={`review-${id}`}
                title="確認（7.4(3)）"
                label="確認の所見"
                path={`/exceptions/${enc(id)}/review`}
                field="comment"
                button="確認を記録する"
                onDone={recorded(id, '確認')}
              />
            )}
          </article>
        );
      })}
    </section>
  );
}

function ExceptionTextForm({
  id,
  title,
  label,
  path,
  field,
  button,
  onDone,
}: {
  id: string;
  title: string;
  label: string;
  path: string;
  field: 'text' | 'comment';
  button: string;
  onDone: () => void;
}) {
  const [value, setValue] = useState('');
  const { error, fields, run } = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      await post(path, { [field]: value });
      setValue('');
      onDone();
    });
  };
  return (
    <details class="subform">
      <summary>{title}</summary>
      <form onSubmit={submit}>
        <ErrorSummary error={error} shownFields={[field]} />
        <TextArea id={id} label={label} value={value} onInput={setValue} rows={3} required error={fields[field]} />
        <FormActions label={button} />
      </form>
    </details>
  );
}
