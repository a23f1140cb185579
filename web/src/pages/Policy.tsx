// The policy (GET /profile), made readable: organization, classification and handling restrictions, roles, segments and flows, rules (by action), IDs and passwords.
import type { ComponentChildren } from 'preact';
import { Facts, LoadState, PageTitle, Table, useAsync } from '../components/common';
import { formatDate } from '../format';
import { ACTIONS, EFFECTS, FLOW_MODES, actionLabel, obligationLabel, roleLabel } from '../labels';
import { loadProfile, segmentTitle, type Profile, type Rule } from '../profile';

const KIND: Record<string, string> = {
  municipality: '市',
  town: '町',
  village: '村',
  union: '一部事務組合等',
  prefecture: '都道府県',
  other: 'その他',
};

const PASSWORD_KEYS: [string, string, (v: unknown) => string][] = [
  ['min_length', '最小文字数', (v) => `${v}文字`],
  ['history', '再利用できない過去の世代', (v) => (v ? `${v}世代` : 'なし')],
  ['max_age_days', '変更間隔', (v) => (v ? `${v}日` : '定期変更なし')],
  ['lockout_threshold', 'ロックまでの失敗回数', (v) => (v ? `${v}回` : 'ロックなし')],
  ['lockout_minutes', 'ロック時間', (v) => (v ? `${v}分` : '管理者が解除するまで')],
  ['temporary_must_change', '仮パスワードの初回変更', (v) => (v === false ? '不要' : '必要')],
  ['privileged_min_length', '特権IDの最小文字数', (v) => (v ? `${v}文字` : '—')],
  ['privileged_max_age_days', '特権IDの変更間隔', (v) => (v ? `${v}日` : '—')],
  ['privileged_lockout_threshold', '特権IDのロックまでの失敗回数', (v) => (v ? `${v}回` : '—')],
  ['privileged_session_minutes', '特権による接続時間の上限', (v) => (v ? `${v}分` : '—')],
  ['mfa_roles', '多要素認証が必要な役割', (v) => list(v).map(roleLabel).join('、') || 'なし'],
  ['mfa_segments', '多要素認証が必要な領域の端末', (v) => list(v).join('、') || 'なし'],
  ['mfa_privileged', '特権IDの多要素認証', (v) => (v ? '必要' : '—')],
];

const DEADLINE_LABELS: Record<string, string> = {
  request_expiry_days: '申請の有効期間',
  emergency_exception_report_days: '緊急時の例外措置の事後報告',
  personal_data_prompt_report_days: '個人情報保護委員会への速報',
  personal_data_final_report_days: '個人情報保護委員会への確報',
  personal_data_final_report_days_malicious: '確報（不正の目的のおそれがあるとき）',
};

function list(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string') return [v];
  return [];
}

function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.map(String).join('、');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function whenText(when: unknown): string {
  if (!when) return '';
  if (typeof when === 'string') return when;
  return Object.entries(when as Record<string, unknown>)
    .map(([k, v]) => `${k} = ${Array.isArray(v) ? v.join(' 又は ') : typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join('、');
}

export function PolicyPage() {
  const profile = useAsync(() => loadProfile(), []);
  const p = profile.data;
  return (
    <section data-testid="policy">
      <PageTitle testid="policy-title">ポリシー</PageTitle>
      <LoadState state={profile} />
      {p && <PolicyBody p={p} />}
    </section>
  );
}

function PolicyBody({ p }: { p: Profile }) {
  const org = p.organization;
  const byAction = new Map<string, Rule[]>();
  for (const r of p.rules) {
    if (!byAction.has(r.action)) byAction.set(r.action, []);
    byAction.get(r.action)!.push(r);
  }
  const actionOrder = [...ACTIONS.map(([id]) => id), ...[...byAction.keys()].filter((a) => !ACTIONS.some(([id]) => id === a))];

  return (
    <>
      <nav aria-label="このページの目次" class="toc">
        <ul>
          <li>
            <a href="#pol-org">団体</a>
          </li>
          <li>
            <a href="#pol-class">情報資産の分類</a>
          </li>
          <li>
            <a href="#pol-roles">組織体制</a>
          </li>
          <li>
            <a href="#pol-net">ネットワーク</a>
          </li>
          <li>
            <a href="#pol-pw">ID・パスワード</a>
          </li>
          <li>
            <a href="#pol-rules">規則</a>
          </li>
        </ul>
      </nav>

      <section aria-labelledby="pol-org" class="card">
        <h2 id="pol-org">{text(org.name) || '団体'}</h2>
        <Facts
          items={[
            ['ポリシー', p.title ?? ''],
            ['プロファイル', p.id ?? ''],
            ['種別', KIND[text(org.kind)] ?? text(org.kind)],
            ['施行日', org.effective_date ? formatDate(text(org.effective_date)) : ''],
            ['改定', text(org.revision)],
            ['実施機関', text(org.bodies)],
            ['適用範囲', text(org.scope)],
          ]}
        />
        {p.documents.length > 0 && (
          <>
            <h3>文書</h3>
            <ul>
              {p.documents.map((d) => (
                <li key={d.id}>
                  {d.title}
                  {d.public !== undefined && `（${d.public ? '公開' : '非公開'}）`}
                  {d.note && <span class="muted">: {d.note}</span>}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      <section aria-labelledby="pol-class" class="card">
        <h2 id="pol-class">情報資産の分類と取扱制限</h2>
        {p.classificationClause && <p class="muted">根拠: {p.classificationClause}</p>}
        {p.axes.map((axis) => (
          <Table
            key={axis.id}
            caption={
              <>
                {axis.title}（{axis.id}）{axis.clause && ` — ${axis.clause}`}
              </>
            }
            columns={['分類', '定義', '取扱制限']}
            testid="policy-levels"
          >
            {axis.levels.map((l) => (
              <tr key={l.id}>
                <th scope="row">
                  {l.title}
                  <span class="muted">（{l.id}）</span>
                </th>
                <td>{l.definition}</td>
                <td>
                  {l.handling_restrictions.length === 0 ? (
                    <span class="muted">—</span>
                  ) : (
                    <ul class="plain">
                      {l.handling_restrictions.map((h) => (
                        <li key={h}>{p.handlingCatalog.get(h) ?? h}</li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </Table>
        ))}
        <p class="small">分類は上の行ほど高い区分です。分類が示されていない情報資産は、最も高い区分として扱います。</p>
      </section>

      <section aria-labelledby="pol-roles" class="card">
        <h2 id="pol-roles">組織体制（役割）</h2>
        <Table
          caption="役割と充てる職"
          columns={['役割', '充てる職', '権限と責任', '代わりに承認できる役割・代理']}
          testid="policy-roles"
        >
          {p.roles.map((r) => (
            <tr key={r.id}>
              <th scope="row">
                {r.title}
                <span class="muted">（{r.id}）</span>
                {r.clause && <div class="muted">{r.clause}</div>}
              </th>
              <td>{r.holder}</td>
              <td>{r.duties}</td>
              <td>
                {r.delegates.length > 0 && <div>事務の処理: {r.delegates.map(roleLabel).join('、')}</div>}
                {r.substitutes.length > 0 && <div>代理（不在時）: {r.substitutes.map(roleLabel).join('、')}</div>}
              </td>
            </tr>
          ))}
        </Table>
      </section>

      <section aria-labelledby="pol-net" class="card">
        <h2 id="pol-net">ネットワーク（三層の対策）</h2>
        {p.networkModel && <p>モデル: {p.networkModel}</p>}
        {p.segments.length > 0 && (
          <>
            <h3>領域</h3>
            <Facts items={p.segments.map((s) => [`${s.title}（${s.id}）`, s.definition ?? ''] as [ComponentChildren, ComponentChildren])} />
          </>
        )}
        {p.flows.length > 0 && (
          <Table
            caption="領域間の通信"
            columns={['送信元 → 送信先', '通信', '許可する者', '条項・補足']}
            testid="policy-flows"
          >
            {p.flows.map((f, i) => (
              <tr key={i}>
                <th scope="row">
                  {segmentTitle(p, f.from)} → {segmentTitle(p, f.to)}
                </th>
                <td>
                  {f.modeTitle || FLOW_MODES[f.mode] || f.mode}
                  {f.methods.length > 0 && <div class="muted">{f.methods.join('、')}</div>}
                </td>
                <td>{f.approvals.length > 0 ? f.approvals.map((s) => s.map(roleLabel).join(' 又は ')).join(' → ') : '—'}</td>
                <td>
                  {f.clause}
                  {f.note && <div class="muted">{f.note}</div>}
                </td>
              </tr>
            ))}
          </Table>
        )}
        <p class="small">表にない組合せの通信は認められません。</p>
      </section>

      <section aria-labelledby="pol-pw" class="card">
        <h2 id="pol-pw">ID・パスワード</h2>
        <Facts
          items={PASSWORD_KEYS.filter(([k]) => p.passwords[k] !== undefined).map(
            ([k, label, f]) => [label, f(p.passwords[k])] as [string, string],
          )}
        />
        {list(p.passwords.clauses).length > 0 && <p class="muted">根拠: {list(p.passwords.clauses).join('、')}</p>}
        {p.retention.length > 0 && (
          <>
            <h3>保存期間</h3>
            <Facts
              items={p.retention.map(
                (r) => [r.title, `${r.days ? `${r.days}日` : '—'}${r.clause ? `（${r.clause}）` : ''}`] as [string, string],
              )}
            />
          </>
        )}
        {Object.keys(p.deadlines).length > 0 && (
          <>
            <h3>期限</h3>
            <Facts
              items={Object.entries(p.deadlines).map(
                ([k, v]) => [DEADLINE_LABELS[k] ?? k, v ? `${text(v)}日以内` : '定めなし'] as [string, string],
              )}
            />
          </>
        )}
      </section>

      {p.threats.length > 0 && (
        <section aria-labelledby="pol-threats" class="card">
          <h2 id="pol-threats">想定する脅威</h2>
          <ul>
            {p.threats.map((t) => (
              <li key={t.id}>
                {t.text}
                {t.clause && <span class="muted">（{t.clause}）</span>}
              </li>
            ))}
          </ul>
        </section>
      )}

      <section aria-labelledby="pol-rules" class="card">
        <h2 id="pol-rules">規則（行為ごと）</h2>
        <p class="small">
          {p.defaultEffect && <>どの規則にも当たらない行為は「{EFFECTS[p.defaultEffect] ?? p.defaultEffect}」です。</>}
          当てはまる規則が一つでも禁止なら不許可、それ以外は当てはまる規則の承認と義務をすべて合わせます。
        </p>
        {actionOrder
          .filter((a) => byAction.has(a))
          .map((a) => (
            <section key={a} aria-labelledby={`rules-${a}`} class="rule-group" data-testid="policy-rule-group">
              <h3 id={`rules-${a}`}>
                {actionLabel(a)} <span class="muted">（{a}）</span>
              </h3>
              <ul class="rules">
                {byAction.get(a)!.map((r) => (
                  <li key={r.id} class={`rule rule-${r.effect}`}>
                    <p>
                      <span class={`badge badge-effect-${r.effect}`}>{EFFECTS[r.effect] ?? r.effect}</span>{' '}
                      {r.clauses.map((c) => (
                        <span key={c.id} class="clause">
                          ［{c.id}
                          {c.title ? ` ${c.title}` : ''}］
                        </span>
                      ))}
                    </p>
                    {r.text && <p class="rule-text">{r.text}</p>}
                    <p class="small muted">
                      {whenText(r.when) && <>条件: {whenText(r.when)}。</>}
                      {r.approvals.length > 0 && <>承認: {r.approvals.map((s) => s.map(roleLabel).join(' 又は ')).join(' → ')}。</>}
                      {r.obligations.length > 0 && <>義務: {r.obligations.map(obligationLabel).join('、')}。</>}
                      <span>（{r.id}）</span>
                    </p>
                  </li>
                ))}
              </ul>
            </section>
          ))}
      </section>
    </>
  );
}
