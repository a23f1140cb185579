// Incidents (5.3): the list (filtered by state and severity) and reports from staff (POST /incidents).
import { useState } from 'preact/hooks';
import { asList, enc, get, post, query } from '../api';
import { DateTimeText, Empty, LoadState, PageTitle, Table, useAsync } from '../components/common';
import { ErrorSummary, FormActions, Notice, SelectField, TextArea, TextField, useAction } from '../components/forms';
import { localJstToUtc } from '../format';
import { INCIDENT_STATES, SEVERITIES, incidentStateLabel, severityLabel } from '../labels';
import { Link, navigate, useLocation } from '../router';
import type { Incident } from '../types';

export function IncidentsPage() {
  const loc = useLocation();
  const [status, setStatus] = useState(loc.query.get('status') ?? '');
  const [severity, setSeverity] = useState(loc.query.get('severity') ?? '');
  const list = useAsync(
    (signal) =>
      get<unknown>(`/incidents${query({ status, severity })}`, { signal }).then((b) =>
        // Also filter by state client-side, in case the server only understands open.
        asList<Incident>(b, 'incidents').filter((i) => !status || (i.state ?? i.status) === status),
      ),
    [status, severity],
  );

  return (
    <section data-testid="incidents">
      <PageTitle testid="incidents-title">インシデント</PageTitle>
      <p>
        情報セキュリティインシデント（情報の漏えい、不正アクセス、ウイルス感染、機器・記録媒体の紛失など）を見つけたり、そのおそれがあるときは、すぐに報告してください（対策基準
        5.3(1)）。
      </p>
      <ReportForm />

      <section aria-labelledby="incident-list-title">
        <h2 id="incident-list-title">一覧</h2>
        <div class="filters">
          <SelectField
            id="incident-status"
            label="状態"
            value={status}
            onChange={setStatus}
            options={Object.entries(INCIDENT_STATES)}
            empty="すべて"
            testid="incident-status"
          />
          <SelectField
            id="incident-severity"
            label="重大度"
            value={severity}
            onChange={setSeverity}
            options={SEVERITIES}
            empty="すべて"
            testid="incident-severity"
          />
        </div>
        <LoadState state={list} />
        {list.data && list.data.length === 0 && <Empty>該当するインシデントはありません。</Empty>}
        {list.data && list.data.length > 0 && (
          <Table
            caption={`インシデント（${list.data.length} 件）`}
            columns={['番号', '概要', '課室等', '重大度', '状態', '報告の段階', '報告日時']}
            testid="incident-table"
          >
            {list.data.map((i) => (
              <tr key={i.id}>
                <th scope="row">
                  <Link href={`/incidents/${enc(String(i.id))}`}>{i.id}</Link>
                </th>
                <td>
                  <Link href={`/incidents/${enc(String(i.id))}`}>{i.summary}</Link>
                  {i.source === 'external' && <span class="badge">外部から</span>}
                </td>
                <td>{i.section}</td>
                <td>
                  <span class={`badge badge-sev-${i.severity || 'none'}`}>{severityLabel(i.severity)}</span>
                </td>
                <td>{incidentStateLabel(i.state ?? i.status)}</td>
                <td>{i.level ? `段階 ${i.level}` : ''}</td>
                <td>
                  <DateTimeText value={i.reported_at} />
                </td>
              </tr>
            ))}
          </Table>
        )}
      </section>
    </section>
  );
}

function ReportForm() {
  const [open, setOpen] = useState(false);
  const [summary, setSummary] = useState('');
  const [description, setDescription] = useState('');
  const [section, setSection] = useState('');
  const [awareAt, setAwareAt] = useState('');
  const [done, setDone] = useState<Incident | null>(null);
  const { error, busy, fields, run } = useAction();

  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const body: Record<string, string> = { summary, description };
      if (section.trim()) body.section = section.trim();
      if (awareAt) body.aware_at = localJstToUtc(awareAt);
      const inc = await post<Incident>('/incidents', body);
      setDone(inc);
      setSummary('');
      setDescription('');
      setSection('');
      setAwareAt('');
      setOpen(false);
      if (inc?.id !== undefined) navigate(`/incidents/${enc(String(inc.id))}`);
    });
  };

  return (
    <section class="card" aria-labelledby="incident-report-title">
      <h2 id="incident-report-title">インシデントの報告</h2>
      {done && <Notice>インシデント {done.id} として報告しました。情報セキュリティ管理者に届きます。</Notice>}
      {!open ? (
        <button type="button" class="btn btn-primary" onClick={() => setOpen(true)} data-testid="incident-report-open">
          報告する
        </button>
      ) : (
        <form onSubmit={submit} data-testid="incident-report-form">
          <ErrorSummary error={error} shownFields={['summary', 'description', 'section', 'aware_at']} />
          <TextField id="inc-summary" label="概要（一行で）" value={summary} onInput={setSummary} required error={fields.summary} maxLength={200} />
          <TextArea
            id="inc-description"
            label="内容（いつ、どこで、何が起きたか、何をしたか）"
            value={description}
            onInput={setDescription}
            rows={5}
            required
            error={fields.description}
          />
          <TextField
            id="inc-section"
            label="関係する課室等のコード（自分の課室等と異なるとき）"
            value={section}
            onInput={setSection}
            error={fields.section}
          />
          <TextField
            id="inc-aware"
            type="datetime-local"
            label="気付いた日時（日本時間。空欄なら今）"
            value={awareAt}
            onInput={setAwareAt}
            error={fields.aware_at}
          />
          <FormActions label="報告を送る" busy={busy} testid="incident-report-submit" onCancel={() => setOpen(false)} />
        </form>
      )}
    </section>
  );
}
