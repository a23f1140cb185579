// Incident detail: reporting stages, timeline, triage, cause, preventive measures, escalation, closing (CSIRT, managers etc.).
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { enc, get, post } from '../api';
import { DateText, DateTimeText, Facts, LoadState, PageTitle, Table, useAsync } from '../components/common';
import { ErrorSummary, FormActions, Notice, SelectField, TextArea, TextField, useAction } from '../components/forms';
import { localJstToUtc } from '../format';
import { SEVERITIES, incidentStateLabel, roleLabel, severityLabel } from '../labels';
import { INCIDENT_HANDLER_ROLES, hasAny, useSession } from '../session';
import type { Incident } from '../types';

const YES_NO: [string, string][] = [
  ['true', 'はい'],
  ['false', 'いいえ'],
];

function yesNo(v: boolean | undefined): string {
  return v === true ? 'はい' : v === false ? 'いいえ' : '';
}

/** The free-text findings a handler records (5.3(3)①): each has its own endpoint and form. */
const FINDINGS = [
  { key: 'cause', title: '原因' },
  { key: 'measure', title: '再発防止策' },
] as const;

export function IncidentDetailPage({ id }: { id: string }) {
  const { session } = useSession();
  const inc = useAsync((signal) => get<Incident>(`/incidents/${enc(id)}`, { signal }), [id]);
  const [notice, setNotice] = useState('');
  const i = inc.data;
  const handler = hasAny(session, INCIDENT_HANDLER_ROLES);
  const open = !!i && (i.state ?? i.status) !== 'closed';
  const me = session?.person.code;
  const isReporter = !!i && !!me && (i.reporter === me || i.received_by === me);

  const updated = (msg: string) => (r: Incident) => {
    if (r && typeof r === 'object' && 'id' in r) inc.setData(r);
    else inc.reload();
    setNotice(msg);
  };

  return (
    <section data-testid="incident-detail" data-incident-id={id}>
      <PageTitle testid="incident-title">
        インシデント {id}
        {i && `: ${i.summary}`}
      </PageTitle>
      {notice && <Notice testid="incident-notice">{notice}</Notice>}
      <LoadState state={inc} />
      {i && (
        <>
          <Facts
            items={[
              ['状態', incidentStateLabel(i.state ?? i.status)],
              ['重大度', severityLabel(i.severity)],
              ['報告の段階', i.level ? `段階 ${i.level}` : ''],
              ['報告元', i.source === 'external' ? `外部（${i.external?.kind === 'resident' ? '住民' : 'その他'}）` : '職員'],
              ...(i.external
                ? ([
                    ['報告者（外部）', i.external.name ?? ''],
                    ['連絡先', i.external.contact ?? ''],
                    ['受付', i.received_by ?? ''],
                  ] as [string, string][])
                : ([['報告者', i.reporter ?? '']] as [string, string][])),
              ['課室等', [i.section, i.department].filter(Boolean).join(' / ')],
              ['気付いた日時', <DateTimeText value={i.aware_at} />],
              ['報告日時', <DateTimeText value={i.reported_at} />],
              ['内容', i.description ? <span class="pre">{i.description}</span> : ''],
              ['影響を受けた資産', (i.affected_assets ?? []).join('、')],
              ['影響を受けた人数', i.people_affected != null ? String(i.people_affected) : ''],
              ['個人情報', yesNo(i.personal_data)],
              ['個人情報の本人数', i.personal_data_persons != null ? String(i.personal_data_persons) : ''],
              ['不正の目的のおそれ', yesNo(i.malicious)],
              ['原因', i.cause ? <span class="pre">{i.cause}</span> : ''],
              ['再発防止策', i.measure ? <span class="pre">{i.measure}</span> : ''],
              ['公表', i.disclosure === 'publish' ? '公表する' : i.disclosure === 'withhold' ? '公表しない' : ''],
              ['クローズ', i.closed_at ? <DateTimeText value={i.closed_at} /> : ''],
            ] as [string, ComponentChildren][]}
          />

          <section aria-labelledby="inc-steps">
            <h2 id="inc-steps">報告の経路</h2>
            {(i.steps ?? []).length === 0 ? (
              <p class="muted">記録はありません。</p>
            ) : (
              <Table caption="報告の段階（対策基準 5.3）" columns={['日時', '段階', '報告者', '報告先', '条項']}>
                {(i.steps ?? []).map((s, n) => (
                  <tr key={n}>
                    <th scope="row">
                      <DateTimeText value={s.at} />
                    </th>
                    <td>{s.level}</td>
                    <td>{s.actor}</td>
                    <td>{(s.to ?? []).map((t) => `${t.name ?? t.person}（${roleLabel(t.role)}）`).join('、')}</td>
                    <td>
                      {s.clause}
                      {s.note && <span class="muted"> {s.note}</span>}
                    </td>
                  </tr>
                ))}
              </Table>
            )}
          </section>

          <section aria-labelledby="inc-timeline">
            <h2 id="inc-timeline">経過</h2>
            {(i.timeline ?? []).length === 0 ? (
              <p class="muted">記録はありません。</p>
            ) : (
              <ol class="timeline" data-testid="incident-timeline">
                {(i.timeline ?? []).map((t, n) => (
                  <li key={n}>
                    <DateTimeText value={t.at} /> {t.person && <span class="muted">（{t.person}）</span>}
                    <p class="pre">{t.text}</p>
                  </li>
                ))}
              </ol>
            )}
            {open && (handler || isReporter) && (
              <TextAction
                id="inc-timeline-text"
                title="経過を記録する"
                label="経過（何が起きたか、何をしたか）"
                path={`/incidents/${enc(id)}/timeline`}
                button="記録する"
                onDone={updated('経過を記録しました。')}
                withTime
              />
            )}
          </section>

          {(i.ppc_reports ?? []).length > 0 && (
            <section aria-labelledby="inc-ppc">
              <h2 id="inc-ppc">個人情報保護委員会への報告</h2>
              <Table caption="速報・確報の期限" columns={['報告', '期限', '報告日時', '状態']}>
                {(i.ppc_reports ?? []).map((p) => (
                  <tr key={p.kind} class={p.overdue ? 'overdue' : ''}>
                    <th scope="row">{p.kind === 'prompt' ? '速報' : p.kind === 'final' ? '確報' : p.kind}</th>
                    <td>
                      <DateText value={p.deadline} />
                      {p.days ? `（${p.days}日以内）` : ''}
                    </td>
                    <td>
                      <DateTimeText value={p.made_at} />
                    </td>
                    <td>{p.overdue ? <strong class="text-danger">期限超過</strong> : p.late ? '期限後に報告' : p.made_at ? '報告済み' : '未報告'}</td>
                  </tr>
                ))}
              </Table>
            </section>
          )}

          {handler && open && (
            <section aria-labelledby="inc-handle">
              <h2 id="inc-handle">対応（CSIRT・管理者等）</h2>
              <TriageForm incident={i} onDone={updated('トリアージを記録しました。')} />
              {FINDINGS.map(({ key, title }) => (
                <TextAction
                  key={key}
                  id={`inc-${key}`}
                  title={title}
                  label={`${title}（5.3(3)①）`}
                  path={`/incidents/${enc(id)}/${key}`}
                  button={`${title}を記録する`}
                  initial={i[key] ?? ''}
                  onDone={updated(`${title}を記録しました。`)}
                />
              ))}
              <SimpleAction
                title="上位への報告"
                text="一つ上の段階（情報セキュリティ責任者・CSIRT、又は CISO・統括情報セキュリティ責任者）へ報告します。"
                path={`/incidents/${enc(id)}/escalate`}
                button="上位へ報告する"
                onDone={updated('上位へ報告しました。')}
              />
              <SimpleAction
                title="クローズ"
                text="原因と再発防止策（個人情報が関わるときは個人情報保護委員会への確報も）を記録してからクローズできます。"
                path={`/incidents/${enc(id)}/close`}
                button="クローズする"
                danger
                onDone={updated('クローズしました。')}
              />
            </section>
          )}
        </>
      )}
    </section>
  );
}

function TriageForm({ incident, onDone }: { incident: Incident; onDone: (r: Incident) => void }) {
  const [severity, setSeverity] = useState(incident.severity ?? '');
  const [assets, setAssets] = useState((incident.affected_assets ?? []).join('; '));
  const [people, setPeople] = useState(incident.people_affected != null ? String(incident.people_affected) : '');
  const [personal, setPersonal] = useState(incident.personal_data === undefined ? '' : String(incident.personal_data));
  const [persons, setPersons] = useState(incident.personal_data_persons != null ? String(incident.personal_data_persons) : '');
  const [malicious, setMalicious] = useState(incident.malicious === undefined ? '' : String(incident.malicious));
  const { error, fields, run } = useAction();

  const submit = (e: Event) => {
    e.preventDefault();
    const body: Record<string, unknown> = {};
    if (severity) body.severity = severity;
    if (assets.trim())
      body.affected_assets = assets
        .split(/[;；\n]/)
        .map((s) => s.trim())
        .filter(Boolean);
    if (people !== '') body.people_affected = Number(people);
    if (personal) body.personal_data = personal === 'true';
    if (persons !== '') body.personal_data_persons = Number(persons);
    if (malicious) body.malicious = malicious === 'true';
    void run(async () => onDone(await post<Incident>(`/incidents/${enc(String(incident.id))}/triage`, body)));
  };

  return (
    <form onSubmit={submit} class="subform" data-testid="triage-form">
      <h3>トリアージ</h3>
      <ErrorSummary
        error={error}
        shownFields={['severity', 'affected_assets', 'people_affected', 'personal_data', 'personal_data_persons', 'malicious']}
      />
      <SelectField id="tri-severity" label="重大度" value={severity} onChange={setSeverity} options={SEVERITIES} empty="（変えない）" error={fields.severity} />
      <TextField
        id="tri-assets"
        label="影響を受けた資産（管理番号等。; で区切る）"
        value={assets}
        onInput={setAssets}
        error={fields.affected_assets}
      />
      <TextField id="tri-people" type="number" min={0} label="影響を受けた人数" value={people} onInput={setPeople} error={fields.people_affected} />
      <SelectField id="tri-personal" label="個人情報が関わるか" value={personal} onChange={setPersonal} options={YES_NO} empty="（変えない）" error={fields.personal_data} />
      <TextField
        id="tri-persons"
        type="number"
        min={0}
        label="個人情報の本人の数"
        value={persons}
        onInput={setPersons}
        error={fields.personal_data_persons}
      />
      <SelectField
        id="tri-malicious"
        label="不正の目的をもって行われたおそれ"
        value={malicious}
        onChange={setMalicious}
        options={YES_NO}
        empty="（変えない）"
        error={fields.malicious}
      />
      <FormActions label="トリアージを記録する" />
    </form>
  );
}

function TextAction({
  id,
  title,
  label,
  path,
  button,
  initial = '',
  withTime,
  onDone,
}: {
  id: string;
  title: string;
  label: string;
  path: string;
  button: string;
  initial?: string;
  withTime?: boolean;
  onDone: (r: Incident) => void;
}) {
  const [text, setText] = useState(initial);
  const [at, setAt] = useState('');
  const { error, fields, run } = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const body: Record<string, string> = { text };
      if (withTime && at) body.at = localJstToUtc(at);
      const r = await post<Incident>(path, body);
      if (withTime) setText('');
      onDone(r);
    });
  };
  return (
    <form onSubmit={submit} class="subform">
      <h3>{title}</h3>
      <ErrorSummary error={error} shownFields={['text', 'at']} />
      <TextArea id={id} label={label} value={text} onInput={setText} rows={3} required error={fields.text} />
      {withTime && (
        <TextField id={`${id}-at`} type="datetime-local" label="日時（日本時間。空欄なら今）" value={at} onInput={setAt} error={fields.at} />
      )}
      <FormActions label={button} />
    </form>
  );
}

function SimpleAction({
  title,
  text,
  path,
  button,
  danger,
  onDone,
}: {
  title: string;
  text: string;
  path: string;
  button: string;
  danger?: boolean;
  onDone: (r: Incident) => void;
}) {
  const { error, run } = useAction();
  const act = () => run(async () => onDone(await post<Incident>(path, {})));
  return (
    <div class="subform">
      <h3>{title}</h3>
      <p class="small">{text}</p>
      <ErrorSummary error={error} />
      <button type="button" class={`btn ${danger ? 'btn-danger' : ''}`} onClick={act}>
        {button}
      </button>
    </div>
  );
}
