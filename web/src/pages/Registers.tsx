// Registers (docs/registers.md): list (search, section, include retired, pagination), detail and edit, add, retire, export, import.
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { API_BASE, ApiError, asList, enc, get, patch, post, query } from '../api';
import { DateText, Empty, Facts, LoadState, PageTitle, Pagination, Table, useAsync } from '../components/common';
import {
  CheckboxField,
  ErrorSummary,
  FormActions,
  Notice,
  SelectField,
  TextArea,
  TextField,
  useAction,
} from '../components/forms';
import { todayJst } from '../format';
import { navigate } from '../router';
import { APPROVER_ROLES, hasAny, useSession } from '../session';
import type { RegisterColumn, RegisterRecord, RegisterSpec } from '../types';

const PAGE = 50;

type ColumnKind = 'choice' | 'date' | 'bool' | 'number' | 'long' | 'text';

export function columnKind(c: RegisterColumn): ColumnKind {
  const t = (c.type ?? '').toLowerCase();
  if (['bool', 'boolean', 'kbool'].includes(t)) return 'bool';
  if (['date', 'kdate'].includes(t)) return 'date';
  if (choicesOf(c).length > 0) return 'choice';
  if (['count', 'integer', 'int', 'number', 'kcount'].includes(t)) return 'number';
  if (['long_text', 'longtext', 'text_long', 'multiline', 'textarea', 'klongtext'].includes(t)) return 'long';
  return 'text';
}

export function choicesOf(c: RegisterColumn): [string, string][] {
  return (c.choices ?? []).map((ch) =>
    typeof ch === 'string' ? [ch, ch] : [ch.id, ch.label_ja ?? ch.label ?? ch.title ?? ch.id],
  );
}

export function columnLabel(c: RegisterColumn): string {
  return c.label_ja ?? c.label ?? c.id;
}

/** A value in human-readable form (choices by name, booleans as はい/いいえ). */
export function displayValue(c: RegisterColumn, value: string | undefined): string {
  if (value === undefined || value === '') return '';
  switch (columnKind(c)) {
    case 'bool':
      return value === 'true' ? 'はい' : value === 'false' ? 'いいえ' : value;
    case 'choice': {
      const m = new Map(choicesOf(c));
      return value
        .split(';')
        .map((v) => m.get(v) ?? v)
        .join('、');
    }
    default:
      return value;
  }
}

function registerLabel(r: RegisterSpec): string {
  return r.label_ja ?? r.label ?? r.id;
}

function valueOf(rec: RegisterRecord, c: RegisterColumn): string {
  if (c.id === 'code') return rec.code;
  return rec.values?.[c.id] ?? rec.computed?.[c.id] ?? '';
}

interface SectionOption {
  code: string;
  name: string;
}

function useSections(): SectionOption[] {
  const { data } = useAsync(async (signal) => {
    try {
      const body = await get<unknown>('/org/sections', { signal, quiet: true });
      return asList<Record<string, unknown>>(body, 'sections').map((s) => ({
        code: String(s.code ?? s.id ?? ''),
        name: String(s.name ?? s.title ?? s.label ?? s.code ?? ''),
      }));
    } catch {
      return [] as SectionOption[];
    }
  }, []);
  return (data ?? []).filter((s) => s.code);
}

export function RegistersPage({ register }: { register?: string }) {
  const { session } = useSession();
  const canEdit = hasAny(session, APPROVER_ROLES);
  const specs = useAsync((signal) => get<unknown>('/registers', { signal }).then((b) => asList<RegisterSpec>(b, 'registers')), []);
  const list = specs.data ?? [];
  const spec = list.find((r) => r.id === register);

  useEffect(() => {
    if (!register && list.length > 0) {
      const first = list.find((r) => r.id === 'asset') ?? list[0];
      navigate(`/registers/${enc(first.id)}`, true);
    }
  }, [register, list.length]);

  return (
    <section data-testid="registers">
      <PageTitle testid="registers-title">台帳{spec ? `: ${registerLabel(spec)}` : ''}</PageTitle>
      <LoadState state={specs} />
      {list.length > 0 && (
        <div class="toolbar">
          <SelectField
            id="register-pick"
            label="台帳の種類"
            value={register ?? ''}
            onChange={(v) => v && navigate(`/registers/${enc(v)}`)}
            options={list.map((r) => [r.id, registerLabel(r)])}
            testid="register-pick"
          />
        </div>
      )}
      {register && specs.data && !spec && <p>台帳「{register}」はありません。</p>}
      {spec && <RegisterView key={spec.id} spec={spec} canEdit={canEdit} />}
    </section>
  );
}

function RegisterView({ spec, canEdit }: { spec: RegisterSpec; canEdit: boolean }) {
  const sections = useSections();
  const [q, setQ] = useState('');
  const [qApplied, setQApplied] = useState('');
  const [section, setSection] = useState('');
  const [retired, setRetired] = useState(false);
  const [offset, setOffset] = useState(0);
  const [selected, setSelected] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState('');

  const records = useAsync(
    (signal) =>
      get<{ total?: number; records?: RegisterRecord[] }>(
        `/registers/${enc(spec.id)}${query({
          q: qApplied,
          section,
          include_retired: retired ? 'true' : undefined,
          offset,
          limit: PAGE,
        })}`,
        { signal },
      ),
    [spec.id, qApplied, section, retired, offset],
  );
  const rows = asList<RegisterRecord>(records.data, 'records');
  const total = typeof records.data?.total === 'number' ? records.data.total : rows.length;

  // Columns in the list: the code, then up to 6 input columns (long text excluded).
  const shown = useMemo(() => {
    const code = spec.columns.find((c) => c.id === 'code') ?? { id: 'code', label_ja: '管理番号' };
    const rest = spec.columns.filter((c) => c.id !== 'code' && !c.computed && columnKind(c) !== 'long').slice(0, 6);
    return [code, ...rest];
  }, [spec]);

  // Changing a filter goes back to the first page.
  const refilter =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      setOffset(0);
      set(value);
    };

  const onSearch = (e: Event) => {
    e.preventDefault();
    refilter(setQApplied)(q.trim());
  };

  return (
    <div>
      {spec.clauses && spec.clauses.length > 0 && <p class="muted">根拠: {spec.clauses.join('、')}</p>}
      {notice && <Notice testid="register-notice">{notice}</Notice>}
      <form class="filters" onSubmit={onSearch} role="search" aria-label="台帳の検索">
        <TextField id="register-q" label="検索（管理番号・名称など）" value={q} onInput={setQ} type="search" testid="register-q" />
        {sections.length > 0 ? (
          <SelectField
            id="register-section"
            label="課室等"
            value={section}
            onChange={refilter(setSection)}
            options={sections.map((s) => [s.code, `${s.name}（${s.code}）`])}
            empty="すべて"
            testid="register-section"
          />
        ) : (
          <TextField
            id="register-section"
            label="課室等のコード"
            value={section}
            onInput={refilter((v: string) => setSection(v.trim()))}
            testid="register-section"
          />
        )}
        <CheckboxField
          id="register-retired"
          label="廃止したものも表示する"
          checked={retired}
          onChange={refilter(setRetired)}
          testid="register-retired"
        />
        <FormActions label="検索" kind="plain" testid="register-search" />
      </form>

      <div class="toolbar">
        {canEdit && (
          <button
            type="button"
            class="btn btn-primary"
            data-testid="register-add"
            onClick={() => {
              setSelected(null);
              setAdding(true);
            }}
          >
            追加
          </button>
        )}
        <a class="btn" href={`${API_BASE}/registers/${enc(spec.id)}/export?format=xlsx`} download data-testid="export-xlsx">
          Excel（XLSX）で書き出す
        </a>
        <a class="btn" href={`${API_BASE}/registers/${enc(spec.id)}/export?format=csv`} download data-testid="export-csv">
          CSV で書き出す
        </a>
      </div>

      {adding && (
        <RecordForm
          spec={spec}
          canEdit={canEdit}
          onClose={() => setAdding(false)}
          onSaved={(rec) => {
            setAdding(false);
            setNotice(`${rec.code} を追加しました。`);
            setSelected(rec.code);
            records.reload();
          }}
        />
      )}
      {selected && !adding && (
        <RecordDetail
          key={selected}
          spec={spec}
          code={selected}
          canEdit={canEdit}
          onClose={() => setSelected(null)}
          onChanged={(msg) => {
            setNotice(msg);
            records.reload();
          }}
        />
      )}

      <LoadState state={records} />
      {records.data && rows.length === 0 && <Empty>該当する記録はありません。</Empty>}
      {rows.length > 0 && (
        <Table
          caption={`${registerLabel(spec)}（${total} 件）`}
          columns={[...shown.map(columnLabel), '状態', <span class="sr-only">操作</span>]}
          testid="register-table"
        >
          {rows.map((rec) => (
            <tr key={rec.code} class={rec.retired_date ? 'retired' : ''} data-testid="register-row">
              {shown.map((c, i) =>
                i === 0 ? (
                  <th scope="row" key={c.id}>
                    {rec.code}
                  </th>
                ) : (
                  <td key={c.id}>{displayValue(c, valueOf(rec, c))}</td>
                ),
              )}
              <td>
                {rec.retired_date ? (
                  <span class="badge badge-retired">
                    廃止 <DateText value={rec.retired_date} />
                  </span>
                ) : (
                  '使用中'
                )}
                {(rec.flags ?? []).length > 0 && (
                  <span class="badge badge-warn" title={(rec.flags ?? []).map((f) => f.message_ja ?? f.message).join('\n')}>
                    要確認 {(rec.flags ?? []).length}
                  </span>
                )}
              </td>
              <td>
                <button
                  type="button"
                  class="btn btn-small"
                  aria-label={`${rec.code} の詳細`}
                  onClick={() => {
                    setAdding(false);
                    setSelected(rec.code);
                  }}
                >
                  詳細
                </button>
              </td>
            </tr>
          ))}
        </Table>
      )}
      {records.data && total > PAGE && (
        <Pagination offset={offset} limit={PAGE} total={total} onChange={setOffset} label="台帳のページ送り" />
      )}

      {canEdit && <ImportForm spec={spec} onImported={() => records.reload()} />}
    </div>
  );
}

function RecordDetail({
  spec,
  code,
  canEdit,
  onClose,
  onChanged,
}: {
  spec: RegisterSpec;
  code: string;
  canEdit: boolean;
  onClose: () => void;
  onChanged: (message: string) => void;
}) {
  const rec = useAsync((signal) => get<RegisterRecord>(`/registers/${enc(spec.id)}/${enc(code)}`, { signal }), [spec.id, code]);
  const [editing, setEditing] = useState(false);
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    ref.current?.querySelector<HTMLElement>('h2')?.focus();
  }, [code]);

  return (
    <section class="card detail" ref={ref} aria-labelledby="record-title" data-testid="record-detail">
      <h2 id="record-title" tabIndex={-1}>
        {code} の詳細
      </h2>
      <LoadState state={rec} />
      {rec.data && !editing && (
        <>
          <Facts
            items={[
              ...spec.columns.map((c) => [columnLabel(c), displayValue(c, valueOf(rec.data!, c))] as [string, string]),
              ...Object.entries(rec.data.computed ?? {})
                .filter(([k]) => !spec.columns.some((c) => c.id === k))
                .map(([k, v]) => [k, v] as [string, string]),
              ...(rec.data.retired_date
                ? ([
                    ['廃止日', <DateText value={rec.data.retired_date} />],
                    ['廃止の理由', rec.data.retired_reason ?? ''],
                  ] as [string, ComponentChildren][])
                : []),
            ]}
          />
          {(rec.data.flags ?? []).length > 0 && (
            <div class="alert alert-warn">
              <h3>確認が必要な点</h3>
              <ul>
                {(rec.data.flags ?? []).map((f, i) => (
                  <li key={i}>
                    {f.message_ja ?? f.message ?? f.id}
                    {f.clause && `（${f.clause}）`}
                  </li>
                ))}
              </ul>
            </div>
          )}
          {(rec.data.checklist ?? []).length > 0 && (
            <Table caption="契約項目の確認（8.1(2)）" columns={['項目', '状態', 'メモ']}>
              {(rec.data.checklist ?? []).map((item) => (
                <tr key={item.id}>
                  <th scope="row">{item.text ?? item.id}</th>
                  <td>{item.done ? '記載あり' : item.checked ? '記載なし' : '未確認'}</td>
                  <td>{item.note}</td>
                </tr>
              ))}
            </Table>
          )}
          <div class="actions">
            {canEdit && !rec.data.retired_date && (
              <button type="button" class="btn btn-primary" onClick={() => setEditing(true)} data-testid="record-edit">
                編集
              </button>
            )}
            <button type="button" class="btn" onClick={onClose}>
              閉じる
            </button>
          </div>
          {canEdit && !rec.data.retired_date && (
            <RetireForm
              spec={spec}
              code={code}
              onRetired={(r) => {
                rec.setData(r);
                onChanged(`${code} を廃止しました。`);
              }}
            />
          )}
        </>
      )}
      {rec.data && editing && (
        <RecordForm
          spec={spec}
          record={rec.data}
          canEdit={canEdit}
          onClose={() => setEditing(false)}
          onSaved={(r) => {
            rec.setData(r);
            setEditing(false);
            onChanged(`${code} を更新しました。`);
          }}
        />
      )}
    </section>
  );
}

function initialValues(spec: RegisterSpec, record?: RegisterRecord): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of spec.columns) {
    if (c.computed) continue;
    out[c.id] = record ? valueOf(record, c) : '';
  }
  return out;
}

/** Input form built from the register's columns (choice → select, date → date, boolean → checkbox, computed → read-only). */
function RecordForm({
  spec,
  record,
  canEdit,
  onClose,
  onSaved,
}: {
  spec: RegisterSpec;
  record?: RegisterRecord;
  canEdit: boolean;
  onClose: () => void;
  onSaved: (record: RegisterRecord) => void;
}) {
  const [values, setValues] = useState<Record<string, string>>(() => initialValues(spec, record));
  const original = useMemo(() => initialValues(spec, record), [spec, record]);
  const { error, busy, fields, run } = useAction();
  const prefix = record ? 'edit' : 'add';

  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      let saved: RegisterRecord;
      if (record) {
        const changes: Record<string, string> = {};
        for (const [k, v] of Object.entries(values)) if (k !== 'code' && v !== original[k]) changes[k] = v;
        saved = await patch<RegisterRecord>(`/registers/${enc(spec.id)}/${enc(record.code)}`, { values: changes });
      } else {
        const body: Record<string, string> = {};
        for (const c of spec.columns) {
          if (c.computed) continue;
          const v = values[c.id] ?? '';
          if (v !== '' || columnKind(c) === 'bool') body[c.id] = columnKind(c) === 'bool' && v === '' ? 'false' : v;
        }
        saved = await post<RegisterRecord>(`/registers/${enc(spec.id)}`, { values: body });
      }
      onSaved(saved);
    });
  };

  const set = (id: string, v: string) => setValues((s) => ({ ...s, [id]: v }));

  return (
    <form onSubmit={submit} class={record ? '' : 'card'} data-testid={`record-form-${prefix}`}>
      {!record && <h2 tabIndex={-1}>{registerLabel(spec)}に追加</h2>}
      {record && <h3>編集</h3>}
      <ErrorSummary error={error} shownFields={spec.columns.flatMap((c) => [c.id, `values.${c.id}`, columnLabel(c)])} />
      {spec.columns.map((c) => {
        const id = `${prefix}-${c.id}`;
        const label = columnLabel(c);
        const err = fields[c.id] ?? fields[`values.${c.id}`] ?? fields[label];
        if (c.computed) {
          return (
            <div class="field" key={c.id}>
              <label for={id}>{label}（自動計算）</label>
              <input id={id} type="text" readOnly value={record ? displayValue(c, valueOf(record, c)) : '（保存時に計算）'} />
            </div>
          );
        }
        const ro = !canEdit || (c.id === 'code' && !!record);
        const hint = c.clause ? `根拠: ${c.clause}` : c.id === 'code' && record ? '管理番号は変更できません。' : undefined;
        const kind = columnKind(c);
        const shared = { id, label, error: err, hint };
        if (kind === 'bool') {
          return (
            <CheckboxField
              key={c.id}
              {...shared}
              checked={values[c.id] === 'true'}
              onChange={(v) => set(c.id, v ? 'true' : 'false')}
              disabled={ro}
            />
          );
        }
        const value = values[c.id] ?? '';
        if (kind === 'choice') {
          return (
            <SelectField
              key={c.id}
              {...shared}
              value={value}
              onChange={(v) => set(c.id, v)}
              options={choicesOf(c)}
              empty={c.required ? '選択してください' : '（なし）'}
              required={c.required}
              disabled={ro}
            />
          );
        }
        const text = { ...shared, value, onInput: (v: string) => set(c.id, v), required: c.required, readOnly: ro };
        if (kind === 'long') return <TextArea key={c.id} {...text} />;
        return (
          <TextField
            key={c.id}
            {...text}
            type={kind === 'date' ? 'date' : kind === 'number' ? 'number' : undefined}
            min={kind === 'number' ? 0 : undefined}
          />
        );
      })}
      <div class="actions">
        {canEdit && (
          <button type="submit" class="btn btn-primary" disabled={busy} data-testid="record-save">
            {record ? '保存する' : '追加する'}
          </button>
        )}
        <button type="button" class="btn" onClick={onClose}>
          取り消す
        </button>
      </div>
    </form>
  );
}

function RetireForm({ spec, code, onRetired }: { spec: RegisterSpec; code: string; onRetired: (r: RegisterRecord) => void }) {
  const [open, setOpen] = useState(false);
  const [date, setDate] = useState(todayJst());
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState('');
  const { error, fields, run } = useAction();

  const submit = (e: Event) => {
    e.preventDefault();
    if (!reason.trim()) {
      setReasonError('廃止の理由を入力してください。');
      return;
    }
    setReasonError('');
    void run(async () => {
      const r = await post<RegisterRecord>(`/registers/${enc(spec.id)}/${enc(code)}/retire`, {
        date: date || undefined,
        reason,
      });
      setOpen(false);
      onRetired(r);
    });
  };

  if (!open) {
    return (
      <div class="actions">
        <button type="button" class="btn btn-danger" onClick={() => setOpen(true)} data-testid="record-retire">
          廃止する
        </button>
      </div>
    );
  }
  return (
    <form onSubmit={submit} class="subform" data-testid="retire-form">
      <h3>廃止</h3>
      <p class="small">記録は削除されず、廃止日と理由とともに残ります。</p>
      <ErrorSummary error={error} shownFields={['date', 'reason']} />
      <TextField id="retire-date" type="date" label="廃止日" value={date} onInput={setDate} error={fields.date} />
      <TextArea id="retire-reason" label="廃止の理由" value={reason} onInput={setReason} required rows={2} error={reasonError || fields.reason} />
      <FormActions label="廃止を確定する" kind="danger" onCancel={() => setOpen(false)} />
    </form>
  );
}

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function contentTypeOf(file: File): string {
  const name = file.name.toLowerCase();
  if (name.endsWith('.xlsx')) return XLSX_TYPE;
  if (name.endsWith('.csv')) return 'text/csv';
  return file.type || 'application/octet-stream';
}

function ImportForm({ spec, onImported }: { spec: RegisterSpec; onImported: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState('');
  const [fileError, setFileError] = useState('');
  const inputRef = useRef<HTMLInputElement>(null);
  const { error, setError, busy, run } = useAction();

  const submit = (e: Event) => {
    e.preventDefault();
    setError(null);
    setResult('');
    if (!file) {
      setFileError('取り込むファイルを選んでください。');
      return;
    }
    setFileError('');
    void run(async () => {
      const bytes = await file.arrayBuffer();
      const res = await post<{ imported?: number; added?: number; updated?: number }>(
        `/registers/${enc(spec.id)}/import`,
        undefined,
        { raw: bytes, contentType: contentTypeOf(file) },
      );
      const n = res?.imported ?? (res?.added ?? 0) + (res?.updated ?? 0);
      setResult(`${file.name} から ${n} 件を取り込みました。`);
      setFile(null);
      if (inputRef.current) inputRef.current.value = '';
      onImported();
    });
  };

  const bad = error instanceof ApiError ? error.fields : [];

  return (
    <section class="card" aria-labelledby="import-title">
      <h2 id="import-title">取込み（CSV・Excel）</h2>
      <p class="small">
        見出しは台帳の項目名（日本語）です。CSV は UTF-8、BOM 付き UTF-8、Shift_JIS のいずれでも構いません。一つでも誤りがあれば何も取り込まず、すべての誤りを表示します。
      </p>
      {result && <Notice testid="import-result">{result}</Notice>}
      <form onSubmit={submit} data-testid="import-form">
        <div class={`field${fileError ? ' field-invalid' : ''}`}>
          <label for="import-file">ファイル（.csv 又は .xlsx）</label>
          <input
            id="import-file"
            ref={inputRef}
            type="file"
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            aria-invalid={fileError ? 'true' : undefined}
            aria-describedby={fileError ? 'import-file-error' : undefined}
            onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)}
            data-testid="import-file"
          />
          {fileError && (
            <p class="field-error" id="import-file-error">
              {fileError}
            </p>
          )}
        </div>
        <FormActions label="取り込む" busy={busy} testid="import-submit" />
      </form>
      {error ? (
        <div class="alert alert-error" role="alert" data-testid="import-error">
          <p>{error instanceof Error ? error.message : String(error)}</p>
          {bad.length > 0 && (
            <Table caption={`取り込めなかった行と列（${bad.length} 件）`} columns={['行', '列', '理由']}>
              {bad.map((f, i) => (
                <tr key={i}>
                  <th scope="row">{f.line ?? ''}</th>
                  <td>{f.field}</td>
                  <td>{f.message}</td>
                </tr>
              ))}
            </Table>
          )}
        </div>
      ) : null}
    </section>
  );
}
