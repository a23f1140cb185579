// Request form. On every change it waits 300 ms, calls POST /decide and shows the decision live.
// Submitting is POST /requests (the server decides and routes it).
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, enc, get, post } from '../api';
import { Loading, PageTitle, useAsync } from '../components/common';
import { CheckboxField, ErrorSummary, FormActions, SelectField, TextArea, TextField, useAction } from '../components/forms';
import { DecisionView } from '../components/requests';
import { ACTIONS, ACTIONS_NEEDING_ASSET, ASSET_KINDS, CONTEXT_KEYS, assetKindLabel } from '../labels';
import { loadProfile, type Profile } from '../profile';
import { Link, navigate } from '../router';
import type { DecideRequest, Decision, RegisterRecord, RequestRecord } from '../types';

const DEBOUNCE_MS = 300;

type Lookup =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'found'; record: RegisterRecord }
  | { state: 'missing' }
  | { state: 'error'; message: string };

/** Error field (JSON path) → input id. */
function inputIdFor(path: string): string {
  const p = path.replace(/^request\./, '');
  if (p === 'action') return 'req-action';
  if (p === 'purpose') return 'req-purpose';
  if (p === 'asset' || p === 'asset.id' || p === 'asset_code') return 'req-asset-code';
  if (p === 'asset.kind') return 'req-asset-kind';
  let m = /^asset\.classification\.([^.[\]]+)/.exec(p);
  if (m) return `req-level-${m[1]}`;
  m = /^context\.([^.[\]]+)/.exec(p);
  if (m) return `req-ctx-${m[1]}`;
  return '';
}

/** Groups an ApiError's fields (or decide's diagnostics) by input. */
function errorsByInput(err: unknown): { byInput: Record<string, string>; shown: string[] } {
  const byInput: Record<string, string> = {};
  const shown: string[] = [];
  if (!(err instanceof ApiError)) return { byInput, shown };
  const list = [...err.fields];
  const diags = (err.body as { diagnostics?: { where?: string; message_ja?: string; message?: string }[] }).diagnostics;
  if (Array.isArray(diags)) for (const d of diags) list.push({ field: d.where ?? '', message: d.message_ja ?? d.message ?? '' });
  for (const f of list) {
    const id = inputIdFor(f.field ?? '');
    if (!id) continue;
    byInput[id] = byInput[id] ? `${byInput[id]}\n${f.message}` : f.message;
    shown.push(f.field);
  }
  return { byInput, shown };
}

function levelsFromRecord(rec: RegisterRecord, profile: Profile | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const axis of profile?.axes ?? []) {
    const v = rec.computed?.[`effective_${axis.id}`] || rec.values?.[axis.id];
    if (v) out[axis.id] = v;
  }
  return out;
}

export function RequestFormPage() {
  const profile = useAsync(() => loadProfile(), []);
  const p = profile.data;

  const [action, setAction] = useState('take_out');
  const [assetCode, setAssetCode] = useState('');
  const [assetKind, setAssetKind] = useState('');
  const [levels, setLevels] = useState<Record<string, string>>({});
  const [context, setContext] = useState<Record<string, string | boolean>>({ purpose: 'business' });
  const [purpose, setPurpose] = useState('');
  const [lookup, setLookup] = useState<Lookup>({ state: 'idle' });

  const [decision, setDecision] = useState<Decision | null>(null);
  const [decideError, setDecideError] = useState<unknown>(null);
  const [deciding, setDeciding] = useState(false);
  const { error: submitError, setError: setSubmitError, busy: submitting, fields: submitFields, run } = useAction();
  const [created, setCreated] = useState<RequestRecord | null>(null);

  const needsAsset = ACTIONS_NEEDING_ASSET.has(action);
  const fromRegister = lookup.state === 'found';

  // When the asset code changes, wait 300 ms and look it up in the asset register (kind and classification come from it).
  useEffect(() => {
    const code = assetCode.trim();
    if (!code) {
      setLookup({ state: 'idle' });
      return;
    }
    setLookup({ state: 'loading' });
    const ctl = new AbortController();
    const t = window.setTimeout(async () => {
      try {
        const rec = await get<RegisterRecord>(`/registers/asset/${enc(code)}`, { signal: ctl.signal });
        if (ctl.signal.aborted) return;
        setLookup({ state: 'found', record: rec });
        if (rec.values?.kind) setAssetKind(rec.values.kind);
        setLevels(levelsFromRecord(rec, p));
      } catch (e) {
        if (ctl.signal.aborted) return;
        if (e instanceof ApiError && e.status === 404) setLookup({ state: 'missing' });
        else setLookup({ state: 'error', message: e instanceof Error ? e.message : String(e) });
      }
    }, DEBOUNCE_MS);
    return () => {
      ctl.abort();
      window.clearTimeout(t);
    };
  }, [assetCode, p]);

  // The body sent for the decision.
  const body = useMemo<DecideRequest | null>(() => {
    const req: DecideRequest = { action };
    const code = assetCode.trim();
    if (assetKind) {
      const classification: Record<string, string> = {};
      for (const [k, v] of Object.entries(levels)) if (v) classification[k] = v;
      req.asset = { kind: assetKind };
      if (code) req.asset.id = code;
      if (Object.keys(classification).length > 0) req.asset.classification = classification;
    } else if (needsAsset) {
      return null;
    }
    const ctx: Record<string, string | boolean> = {};
    for (const k of CONTEXT_KEYS) {
      const v = context[k.id];
      if (k.kind === 'bool') {
        if (v === true) ctx[k.id] = true;
      } else if (typeof v === 'string' && v) {
        ctx[k.id] = v;
      }
    }
    if (Object.keys(ctx).length > 0) req.context = ctx;
    return req;
  }, [action, assetCode, assetKind, levels, context, needsAsset]);

  const bodyKey = JSON.stringify(body);
  const seq = useRef(0);

  useEffect(() => {
    if (!body) {
      setDecision(null);
      setDecideError(null);
      setDeciding(false);
      return;
    }
    if (lookup.state === 'loading') return;
    const mine = ++seq.current;
    setDeciding(true);
    const ctl = new AbortController();
    const t = window.setTimeout(async () => {
      try {
        const d = await post<Decision>('/decide', body, { signal: ctl.signal });
        if (mine !== seq.current) return;
        setDecision(d);
        setDecideError(null);
      } catch (e) {
        if (ctl.signal.aborted || mine !== seq.current) return;
        setDecision(null);
        setDecideError(e);
      } finally {
        if (mine === seq.current) setDeciding(false);
      }
    }, DEBOUNCE_MS);
    return () => {
      ctl.abort();
      window.clearTimeout(t);
    };
  }, [bodyKey, lookup.state]);

  const submit = (e: Event) => {
    e.preventDefault();
    if (!body) {
      setSubmitError(new Error('この行為には対象の情報資産（管理番号又は種別）が必要です。'));
      return;
    }
    void run(async () => {
      const payload: { request: DecideRequest; purpose?: string } = { request: body };
      if (purpose.trim()) payload.purpose = purpose.trim();
      const r = await post<RequestRecord>('/requests', payload);
      setCreated(r);
      navigate(`/requests/${enc(String(r.id))}?created=1`);
    });
  };

  const decideErrs = errorsByInput(decideError);
  const submitErrs = errorsByInput(submitError);
  const fieldErr = (id: string) => submitErrs.byInput[id] ?? decideErrs.byInput[id];

  const segOptions: [string, string][] = (p?.segments ?? []).map((s) => [s.id, s.title]);

  return (
    <section data-testid="request-form-page">
      <PageTitle testid="request-form-title">申請</PageTitle>
      <p>
        行為と対象を入力すると、ポリシーによる判定がその場で表示されます。内容を確かめてから提出してください。
        <Link href="/requests">自分の申請の一覧</Link>
      </p>
      {profile.loading && !p && <Loading label="ポリシーを読み込んでいます…" />}
      <div class="two-col">
        <form onSubmit={submit} data-testid="request-form" class="card">
          <ErrorSummary error={submitError} shownFields={[...submitErrs.shown, 'purpose']} testid="request-submit-error" />
          <SelectField
            id="req-action"
            label="行為"
            value={action}
            onChange={setAction}
            options={ACTIONS.map(([id, label]) => [id, `${label}（${id}）`])}
            required
            error={fieldErr('req-action')}
            testid="req-action"
          />

          <fieldset>
            <legend>対象の情報資産{needsAsset ? '（必須）' : '（任意）'}</legend>
            <TextField
              id="req-asset-code"
              label="管理番号"
              value={assetCode}
              onInput={setAssetCode}
              autoComplete="off"
              hint="情報資産台帳の管理番号を入力すると、種別と分類は台帳から取ります。"
              error={fieldErr('req-asset-code')}
              testid="req-asset-code"
            />
            <p class="lookup" aria-live="polite" data-testid="asset-lookup" data-state={lookup.state}>
              {lookup.state === 'loading' && '台帳を確認しています…'}
              {lookup.state === 'found' &&
                `台帳: ${lookup.record.values?.name ?? lookup.record.code}（${assetKindLabel(lookup.record.values?.kind ?? '')}）`}
              {lookup.state === 'missing' && '台帳にこの管理番号はありません。種別と分類を選んでください。'}
              {lookup.state === 'error' && `台帳を確認できませんでした: ${lookup.message}`}
            </p>
            <SelectField
              id="req-asset-kind"
              label="種別"
              value={assetKind}
              onChange={setAssetKind}
              options={ASSET_KINDS}
              empty="（選択してください）"
              disabled={fromRegister}
              error={fieldErr('req-asset-kind')}
              testid="req-asset-kind"
            />
            {(p?.axes ?? []).map((axis) => (
              <SelectField
                key={axis.id}
                id={`req-level-${axis.id}`}
                label={`分類: ${axis.title}`}
                value={levels[axis.id] ?? ''}
                onChange={(v) => setLevels((s) => ({ ...s, [axis.id]: v }))}
                options={axis.levels.map((l) => [l.id, l.title])}
                empty="（指定しない: 最高度として判断）"
                disabled={fromRegister}
                error={fieldErr(`req-level-${axis.id}`)}
                testid={`req-level-${axis.id}`}
              />
            ))}
          </fieldset>

          <fieldset class="field-grid">
            <legend>状況</legend>
            {CONTEXT_KEYS.map((k) => {
              const id = `req-ctx-${k.id}`;
              if (k.kind === 'bool') {
                return (
                  <CheckboxField
                    key={k.id}
                    id={id}
                    label={k.label}
                    checked={context[k.id] === true}
                    onChange={(v) => setContext((s) => ({ ...s, [k.id]: v }))}
                    error={fieldErr(id)}
                    testid={id}
                  />
                );
              }
              return (
                <SelectField
                  key={k.id}
                  id={id}
                  label={k.label}
                  value={typeof context[k.id] === 'string' ? (context[k.id] as string) : ''}
                  onChange={(v) => setContext((s) => ({ ...s, [k.id]: v }))}
                  options={k.kind === 'segment' ? segOptions : k.values ?? []}
                  empty="（指定しない）"
                  error={fieldErr(id)}
                  testid={id}
                />
              );
            })}
          </fieldset>

          <TextArea
            id="req-purpose"
            label={action === 'exception' ? '理由（合理的な理由、必須）' : '目的・理由'}
            value={purpose}
            onInput={setPurpose}
            rows={3}
            required={action === 'exception'}
            error={submitFields.purpose ?? fieldErr('req-purpose')}
            testid="req-purpose"
          />
          <FormActions label={submitting ? '提出しています…' : '申請を提出する'} busy={submitting} testid="request-submit" />
          {created && (
            <p role="status" data-testid="request-created" data-request-id={String(created.id)}>
              申請 {created.id} を受け付けました。
            </p>
          )}
        </form>

        <section class="card decision-panel" aria-labelledby="decision-title">
          <h2 id="decision-title">判定（提出前の確認）</h2>
          <div aria-live="polite" aria-atomic="true" aria-busy={deciding ? 'true' : 'false'} data-testid="decision-live">
            {!body && <p class="muted">対象の情報資産（管理番号又は種別）を入力すると判定を表示します。</p>}
            {body && deciding && !decision && <p class="muted">判定しています…</p>}
            {decideError ? (
              <div class="alert alert-error" data-testid="decision-error">
                <p>{decideError instanceof Error ? decideError.message : String(decideError)}</p>
              </div>
            ) : null}
            {decision && <DecisionView decision={decision} testid="decision" />}
          </div>
        </section>
      </div>
    </section>
  );
}
