// A small in-memory stand-in for `mamori serve`, following docs/api.md closely enough to
// exercise the web UI and e2e.mjs before (or without) the real server. It is NOT the server:
// its decisions are a toy version of a few rules of policies/hannan.toml.
//
//   node tests/e2e/mock-server.mjs [--port 18080] [--dist web/dist]
//
// People: s1 (staff, 税務課), m1 (manager of 税務課), c1 (chief officer). Each has a
// temporary password printed at start (also: STAFF_TEMP_PASSWORD etc. in the environment).
// The manager role must enrol TOTP (like a profile with passwords.mfa_roles = ["manager"]).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { base32Encode, totp } from './totp.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const PORT = Number(arg('--port', process.env.PORT ?? 18080));
const DIST = path.resolve(arg('--dist', path.join(here, '..', '..', 'web', 'dist')));

const now = () => new Date();
const iso = (d = now()) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

// ---------------------------------------------------------------- organization
const sections = [
  { code: 'zeimu', name: '税務課', department: 'somu' },
  { code: 'kaigo', name: '介護保険課', department: 'fukushi' },
  { code: 'joho', name: '情報政策課', department: 'somu' },
];
const people = {
  s1: { code: 's1', name: '山田 花子', section: 'zeimu', department: 'somu', roles: [{ role: 'staff', title: '職員', scope: '' }] },
  m1: {
    code: 'm1',
    name: '佐藤 一郎',
    section: 'zeimu',
    department: 'somu',
    roles: [
      { role: 'manager', title: '情報セキュリティ管理者', scope: 'zeimu' },
      { role: 'staff', title: '職員', scope: '' },
    ],
  },
  c1: {
    code: 'c1',
    name: '鈴木 次郎',
    section: 'joho',
    department: 'somu',
    roles: [
      { role: 'chief_officer', title: '統括情報セキュリティ責任者', scope: '' },
      { role: 'staff', title: '職員', scope: '' },
    ],
  },
};

function hashPw(pw, salt = crypto.randomBytes(16).toString('hex')) {
  return { salt, hash: crypto.scryptSync(pw, salt, 32).toString('hex') };
}
function checkPw(acc, pw) {
  return crypto.scryptSync(pw, acc.pw.salt, 32).toString('hex') === acc.pw.hash;
}

const accounts = {};
const temp = {
  s1: process.env.STAFF_TEMP_PASSWORD ?? 'Temp-s1-2026!',
  m1: process.env.MANAGER_TEMP_PASSWORD ?? 'Temp-m1-2026!',
  c1: process.env.CHIEF_TEMP_PASSWORD ?? 'Temp-c1-2026!',
};
for (const code of Object.keys(people)) {
  accounts[code] = {
    login: code,
    person: code,
    pw: hashPw(temp[code]),
    temporary: true,
    failed_count: 0,
    locked_until: null,
    totp_secret: null,
    totp_pending: null,
    totp_last_step: -1,
    privileged: code === 'c1',
  };
}
const MFA_ROLES = ['manager', 'chief_officer'];
const needsMfa = (code) => people[code].roles.some((r) => MFA_ROLES.includes(r.role));

// ---------------------------------------------------------------- audit log
const events = [];
let prevHash = '0'.repeat(64);
function audit(actor, type, objectType, objectId, state) {
  const ev = { seq: events.length + 1, time: iso(), actor, type, object_type: objectType, object_id: String(objectId), state: structuredClone(state) };
  const hash = crypto.createHash('sha256').update(prevHash + JSON.stringify(ev)).digest('hex');
  events.push({ ...ev, hash, prev: prevHash });
  prevHash = hash;
}

// ---------------------------------------------------------------- profile
const CLAUSE_DOC = '阪南市情報セキュリティポリシー 第2章 情報セキュリティ対策基準';
const profile = {
  profile: { id: 'hannan', title: '阪南市情報セキュリティポリシー', default_effect: 'allow' },
  organization: { name: '阪南市（模擬）', kind: 'municipality', effective_date: '2022-07-01', scope: '本市における全ての情報資産' },
  documents: { hannan_standards: { title: CLAUSE_DOC, kind: 'standards', public: true } },
  clauses: [
    { id: '5.1(1)③ア', title: '情報資産の持ち出し', document: 'hannan_standards' },
    { id: '2.2(5)⑤', title: '情報資産の外部への持ち出し', document: 'hannan_standards' },
    { id: '5.1(1)②', title: '業務以外の目的での使用の禁止', document: 'hannan_standards' },
    { id: '2.2(9)③', title: '情報資産の廃棄（許可）', document: 'hannan_standards' },
    { id: '2.2(9)②', title: '情報資産の廃棄（記録）', document: 'hannan_standards' },
    { id: '1(3)①', title: '兼務の禁止（申請者と承認者）', document: 'hannan_standards' },
  ],
  classification: {
    handling_restrictions: { no_take_out: '持ち出し禁止', encrypt: '暗号化必須' },
    axes: [
      {
        id: 'importance',
        title: '重要度',
        levels: [
          { id: 'A', title: '重要度Ａ', definition: '個人情報及びセキュリティ侵害が住民の生命、財産等へ重大な影響を及ぼす情報', handling_restrictions: ['no_take_out', 'encrypt'] },
          { id: 'B', title: '重要度Ｂ', definition: '公開することを予定していない情報', handling_restrictions: ['encrypt'] },
          { id: 'C', title: '重要度Ｃ', definition: 'その他の情報' },
        ],
      },
    ],
  },
  roles: {
    ciso: { title: '最高情報セキュリティ責任者', holder: '副市長' },
    chief_officer: { title: '統括情報セキュリティ責任者', holder: '総務部長', delegates: ['deputy_chief_officer'] },
    deputy_chief_officer: { title: '統括情報セキュリティ副責任者', holder: '情報政策課長' },
    officer: { title: '情報セキュリティ責任者', holder: '各部局の長' },
    manager: { title: '情報セキュリティ管理者', holder: '各課室等の長' },
    staff: { title: '職員等' },
    csirt: { title: 'CSIRT' },
  },
  network: {
    model: 'alpha',
    segments: [
      { id: 'mynumber', title: 'マイナンバー利用事務系' },
      { id: 'lgwan', title: 'LGWAN接続系' },
      { id: 'internet', title: 'インターネット接続系' },
    ],
    flows: [
      { from: 'internet', to: 'lgwan', mode: 'sanitized', clause: '3(2)①' },
      { from: 'mynumber', to: 'internet', mode: 'never' },
    ],
  },
  passwords: { min_length: 8, history: 3, lockout_threshold: 5, lockout_minutes: 30, mfa_roles: MFA_ROLES },
  deadlines: { request_expiry_days: 30, emergency_exception_report_days: 3 },
  rules: [
    {
      id: 'take_out.permission',
      action: 'take_out',
      effect: 'approval_required',
      approvals: [['manager']],
      clauses: ['5.1(1)③ア', '2.2(5)⑤'],
      text: '職員等は、情報資産を職場外に持ち出す場合には、当該情報資産を所管する情報セキュリティ管理者の許可を得なければならない。',
    },
    {
      id: 'take_out.outside_purpose',
      action: 'take_out',
      effect: 'deny',
      clauses: ['5.1(1)②'],
      text: '職員等は、業務以外の目的で情報資産を外部に持ち出してはならない。',
      when: { purpose: 'other' },
    },
    {
      id: 'dispose.permission',
      action: 'dispose',
      effect: 'approval_required',
      approvals: [['manager']],
      obligations: ['record', 'erase_irrecoverably'],
      clauses: ['2.2(9)③', '2.2(9)②'],
      text: '重要度Ａの情報資産を廃棄する場合は、情報セキュリティ管理者の許可を得なければならない。',
    },
  ],
};
const clauseObj = (id) => {
  const c = profile.clauses.find((x) => x.id === id);
  return { id, title: c?.title ?? '', document: CLAUSE_DOC };
};

const ACTIONS_NEEDING_ASSET = new Set(['create', 'obtain', 'use', 'store', 'send', 'transport', 'provide', 'dispose', 'copy', 'take_out']);

function decide(req, actor) {
  const fields = [];
  if (!req || typeof req !== 'object') fields.push({ field: '', message: 'リクエストは JSON オブジェクトである必要があります' });
  else {
    if (!req.action) fields.push({ field: 'action', message: '行為を指定してください' });
    if (ACTIONS_NEEDING_ASSET.has(req.action) && !req.asset) fields.push({ field: 'asset', message: 'この行為には asset（対象の情報資産）が必要です' });
    if (req.asset && !req.asset.kind) fields.push({ field: 'asset.kind', message: '種別を指定してください' });
    const lvl = req.asset?.classification?.importance;
    if (lvl && !['A', 'B', 'C'].includes(lvl)) fields.push({ field: 'asset.classification.importance', message: `不明な水準「${lvl}」です（A, B, C）` });
  }
  if (fields.length) return { error: { status: 400, code: 'invalid_argument', message: fields[0].message, fields } };
  const ctx = req.context ?? {};
  const roles = actor.roles.map((r) => r.role);
  const matching = profile.rules.filter((r) => r.action === req.action && Object.entries(r.when ?? {}).every(([k, v]) => ctx[k] === v));
  const deny = matching.filter((r) => r.effect === 'deny');
  const label = { take_out: '情報資産の持ち出し', dispose: '情報資産の廃棄' }[req.action] ?? req.action;
  if (deny.length) {
    return {
      effect: 'deny',
      approvals: [],
      obligations: [],
      clauses: deny.flatMap((r) => r.clauses).map(clauseObj),
      explanation: `${label}は禁止されています。${deny.map((r) => `［${r.clauses[0]}］${r.text}`).join('')} / ${req.action} is denied.`,
    };
  }
  if (!matching.length) {
    return {
      effect: 'allow',
      approvals: [],
      obligations: [],
      clauses: [],
      explanation: `${label}は許可されます。この行為を制限する規定はありません。 / ${req.action} is allowed.`,
    };
  }
  const approvals = matching.flatMap((r) => r.approvals ?? []);
  const obligations = [...new Set(matching.flatMap((r) => r.obligations ?? []))];
  const clauses = [...new Set(matching.flatMap((r) => r.clauses))].map(clauseObj);
  const sod = [];
  approvals.forEach((step, i) => step.forEach((role) => roles.includes(role) && sod.push({ step: i, role, requester_may_not_approve: true })));
  if (sod.length) clauses.push(clauseObj('1(3)①'));
  const d = {
    effect: approvals.length ? 'approval_required' : 'allow',
    approvals,
    obligations,
    clauses,
    explanation: `${label}は${approvals.length ? '承認が必要です' : '許可されます'}。${matching.map((r) => `［${r.clauses[0]}］${r.text}`).join('')}${
      approvals.length ? '承認者: 情報セキュリティ管理者。' : ''
    } / ${req.action} ${approvals.length ? 'requires approval' : 'is allowed'}.`,
  };
  if (sod.length) d.separation_of_duties = sod;
  return d;
}

// ---------------------------------------------------------------- registers
const assetColumns = [
  { id: 'code', label_ja: '管理番号', type: 'code', required: true, computed: false },
  { id: 'name', label_ja: '名称', type: 'text', required: true, computed: false },
  {
    id: 'kind',
    label_ja: '種別',
    type: 'enum',
    required: true,
    computed: false,
    choices: [
      { id: 'system', label: '情報システム' },
      { id: 'media', label: '記録媒体' },
      { id: 'device', label: 'パソコン等' },
      { id: 'data', label: '電子データ' },
      { id: 'document', label: '文書' },
    ],
  },
  { id: 'description', label_ja: '概要', type: 'long_text', required: false, computed: false },
  {
    id: 'importance',
    label_ja: '重要度',
    type: 'classification',
    required: false,
    computed: false,
    choices: [
      { id: 'A', label: '重要度Ａ' },
      { id: 'B', label: '重要度Ｂ' },
      { id: 'C', label: '重要度Ｃ' },
    ],
  },
  { id: 'owner_section', label_ja: '所管課室等', type: 'section', required: true, computed: false },
  { id: 'manager', label_ja: '管理責任者', type: 'person', required: true, computed: false },
  { id: 'retention', label_ja: '保存期間', type: 'text', required: false, computed: false },
  { id: 'encrypted', label_ja: '暗号化', type: 'bool', required: false, computed: false },
  { id: 'review_date', label_ja: '見直し日', type: 'date', required: false, computed: false },
  { id: 'effective_importance', label_ja: '重要度（実効）', type: 'classification', required: false, computed: true },
];
const registers = [
  { id: 'asset', label_ja: '情報資産台帳', label_en: 'Information assets', clauses: ['2.1(1)', '2.2(1)①'], columns: assetColumns },
];
const records = { asset: new Map() };
function addAsset(values) {
  records.asset.set(values.code, {
    register: 'asset',
    code: values.code,
    values: { ...values },
    computed: { effective_importance: values.importance ?? '' },
    retired_date: '',
    retired_reason: '',
    flags: [],
  });
}
addAsset({ code: 'd-kazei', name: '課税台帳データ', kind: 'data', importance: 'A', owner_section: 'zeimu', manager: 'm1', retention: '5年' });
addAsset({ code: 'd-toukei', name: '公開統計', kind: 'data', importance: 'C', owner_section: 'zeimu', manager: 'm1' });
addAsset({ code: 'pc-001', name: '税務課ノートPC', kind: 'device', importance: 'B', owner_section: 'zeimu', manager: 'm1', encrypted: 'true' });
for (let i = 1; i <= 60; i++) {
  addAsset({ code: `doc-${String(i).padStart(3, '0')}`, name: `文書 ${i}`, kind: 'document', importance: ['A', 'B', 'C'][i % 3], owner_section: i % 2 ? 'zeimu' : 'kaigo', manager: 'm1' });
}
if (process.env.ASSET_CODE && !records.asset.has(process.env.ASSET_CODE)) {
  addAsset({ code: process.env.ASSET_CODE, name: '試験用データ', kind: 'data', importance: 'A', owner_section: 'zeimu', manager: 'm1' });
}

// ---------------------------------------------------------------- workflows, incidents
const requests = new Map();
let nextRequest = 1;
const incidents = new Map();
let nextIncident = 1;

const FIELDS = { record: ['date', 'person', 'method'], erase_irrecoverably: ['date', 'person', 'method'] };

function requestJson(r, viewer) {
  const out = structuredClone(r);
  if (r.status === 'pending') {
    const step = r.steps[r.current_step - 1];
    out.current_approvers = Object.values(people)
      .filter((p) => p.code !== r.requester && p.roles.some((x) => step.roles.includes(x.role)) && p.section === r.section)
      .map((p) => ({ code: p.code, name: p.name, role: step.roles[0] }));
  } else out.current_approvers = [];
  void viewer;
  return out;
}

function isCurrentApprover(r, code) {
  if (r.status !== 'pending' || r.requester === code) return false;
  const step = r.steps[r.current_step - 1];
  const p = people[code];
  return p.section === r.section && p.roles.some((x) => step.roles.includes(x.role));
}

// ---------------------------------------------------------------- sessions
const sessions = new Map();

function sessionJson(s) {
  const acc = accounts[s.person];
  const p = people[s.person];
  return {
    person: { code: p.code, name: p.name, section: sections.find((x) => x.code === p.section)?.name ?? p.section, department: p.department },
    roles: p.roles,
    csrf_token: s.csrf,
    expires_at: iso(new Date(Date.now() + 8 * 3600e3)),
    privileged: acc.privileged,
    must_change_password: acc.temporary,
    must_enroll_totp: !acc.temporary && needsMfa(s.person) && !acc.totp_secret,
    totp_enabled: !!acc.totp_secret,
  };
}

function cookieSession(req) {
  const m = /(?:^|;\s*)mamori_session=([^;]+)/.exec(req.headers.cookie ?? '');
  return m ? sessions.get(m[1]) : undefined;
}

// ---------------------------------------------------------------- http helpers
class HttpError extends Error {
  constructor(status, code, message, fields = [], extra = {}) {
    super(message);
    Object.assign(this, { status, code, fields, extra });
  }
}
const bad = (message, fields = []) => new HttpError(400, 'invalid_argument', message, fields);
const REPLY = Symbol('reply');
const reply = (status, body) => ({ [REPLY]: true, status, body });

function send(res, status, body, headers = {}) {
  if (status === 204) {
    res.writeHead(204, headers);
    return res.end();
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

async function readBody(req, limit = 1 << 20) {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > limit) throw new HttpError(413, 'payload_too_large', '大きすぎます');
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

async function readJson(req) {
  const ct = req.headers['content-type'] ?? '';
  if (!ct.startsWith('application/json')) throw new HttpError(415, 'unsupported_media_type', 'Content-Type は application/json にしてください');
  const buf = await readBody(req);
  if (!buf.length) return {};
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    throw bad('JSON を読めません');
  }
}

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.ico': 'image/x-icon' };
function serveStatic(req, res) {
  const url = new URL(req.url, 'http://x');
  let file = path.join(DIST, decodeURIComponent(url.pathname));
  if (!file.startsWith(DIST)) file = DIST;
  if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(DIST, 'index.html');
  if (!fs.existsSync(file)) {
    res.writeHead(500, { 'Content-Type': 'text/plain' });
    return res.end('web/dist がありません。cd web && npm run build を実行してください。');
  }
  res.writeHead(200, {
    'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream',
    'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
    'X-Content-Type-Options': 'nosniff',
  });
  fs.createReadStream(file).pipe(res);
}

// ---------------------------------------------------------------- routes
const routes = [];
const route = (method, pattern, opts, handler) => {
  if (typeof opts === 'function') [handler, opts] = [opts, {}];
  const keys = [];
  const re = new RegExp('^' + pattern.replace(/:(\w+)/g, (_, k) => (keys.push(k), '([^/]+)')) + '$');
  routes.push({ method, re, keys, opts, handler });
};

const ALWAYS_ALLOWED = ['/auth/session', '/auth/password', '/auth/sign-out'];

route('GET', '/health', { anon: true }, () => ({ status: 'ok', database: 'ok', time: iso() }));

route('POST', '/auth/sign-in', { anon: true }, async ({ body, res }) => {
  const acc = accounts[body.login];
  if (!acc) throw new HttpError(401, 'unauthenticated', 'ログイン ID 又はパスワードが違います');
  if (acc.locked_until && new Date(acc.locked_until) > now())
    throw new HttpError(423, 'locked', 'アカウントがロックされています', [], { locked_until: acc.locked_until });
  if (!checkPw(acc, body.password ?? '')) {
    acc.failed_count++;
    audit(acc.person, 'auth.sign_in_failed', 'account', acc.login, { failed_count: acc.failed_count });
    if (acc.failed_count >= profile.passwords.lockout_threshold) {
      acc.locked_until = iso(new Date(Date.now() + profile.passwords.lockout_minutes * 60e3));
      throw new HttpError(423, 'locked', 'パスワードを続けて間違えたため、アカウントをロックしました', [], { locked_until: acc.locked_until });
    }
    throw new HttpError(401, 'unauthenticated', 'ログイン ID 又はパスワードが違います');
  }
  if (acc.totp_secret) {
    if (!body.totp) throw new HttpError(401, 'totp_required', '確認コードを入力してください');
    const step = Math.floor(Date.now() / 30000);
    const ok = [-1, 0, 1].some((d) => step + d > acc.totp_last_step && totp(acc.totp_secret, { nowMs: (step + d) * 30000 }) === body.totp);
    if (!ok) throw new HttpError(401, 'totp_invalid', '確認コードが違います', [{ field: 'totp', message: '確認コードが違います' }]);
    acc.totp_last_step = step;
  }
  acc.failed_count = 0;
  const id = crypto.randomBytes(24).toString('base64url');
  const s = { id, person: acc.person, csrf: crypto.randomBytes(24).toString('base64url') };
  sessions.set(id, s);
  audit(acc.person, 'auth.sign_in', 'account', acc.login, { totp: !!acc.totp_secret });
  res.setHeader('Set-Cookie', `mamori_session=${id}; HttpOnly; SameSite=Strict; Path=/`);
  return { session: sessionJson(s) };
});

route('POST', '/auth/sign-out', ({ session, res }) => {
  sessions.delete(session.id);
  audit(session.person, 'auth.sign_out', 'account', session.person, {});
  res.setHeader('Set-Cookie', 'mamori_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0');
  return reply(204);
});

route('GET', '/auth/session', ({ session }) => ({ session: sessionJson(session) }));

route('POST', '/auth/password', ({ session, body }) => {
  const acc = accounts[session.person];
  const fields = [];
  if (!checkPw(acc, body.current_password ?? '')) fields.push({ field: 'current_password', message: '現在のパスワードが違います' });
  const np = body.new_password ?? '';
  if (np.length < profile.passwords.min_length) fields.push({ field: 'new_password', message: `${profile.passwords.min_length}文字以上にしてください` });
  else if (np === body.current_password) fields.push({ field: 'new_password', message: '現在のパスワードと同じものは使えません' });
  if (fields.length) throw bad('パスワードを変更できません', fields);
  acc.pw = hashPw(np);
  acc.temporary = false;
  audit(session.person, 'auth.password_change', 'account', acc.login, {});
  return reply(204);
});

route('POST', '/auth/totp/setup', ({ session }) => {
  const acc = accounts[session.person];
  acc.totp_pending = base32Encode(crypto.randomBytes(20));
  return { secret: acc.totp_pending, otpauth_uri: `otpauth://totp/mamori:${acc.login}?secret=${acc.totp_pending}&issuer=mamori&algorithm=SHA1&digits=6&period=30` };
});

route('POST', '/auth/totp/enable', ({ session, body }) => {
  const acc = accounts[session.person];
  if (!acc.totp_pending) throw bad('先に設定を始めてください');
  const step = Math.floor(Date.now() / 30000);
  const ok = [-1, 0, 1].some((d) => totp(acc.totp_pending, { nowMs: (step + d) * 30000 }) === String(body.code ?? ''));
  if (!ok) throw bad('確認コードが違います', [{ field: 'code', message: '確認コードが違います。時刻が合っているか確かめてください' }]);
  acc.totp_secret = acc.totp_pending;
  acc.totp_pending = null;
  acc.totp_last_step = step;
  audit(session.person, 'auth.totp_enable', 'account', acc.login, {});
  return reply(204);
});

const requireRole = (session, roles) => {
  if (!people[session.person].roles.some((r) => roles.includes(r.role))) throw new HttpError(403, 'forbidden', 'この操作を行う権限がありません');
};

route('GET', '/accounts', ({ session }) => {
  requireRole(session, ['chief_officer', 'deputy_chief_officer']);
  return Object.values(accounts).map((a) => ({
    login: a.login,
    person: a.person,
    name: people[a.person].name,
    temporary: a.temporary,
    locked: !!(a.locked_until && new Date(a.locked_until) > now()),
    totp_enabled: !!a.totp_secret,
    privileged: a.privileged,
    failed_count: a.failed_count,
  }));
});
route('POST', '/accounts', ({ session, body }) => {
  requireRole(session, ['chief_officer', 'deputy_chief_officer']);
  const code = String(body.person ?? '');
  if (!code) throw bad('職員番号を入力してください', [{ field: 'person', message: '職員番号を入力してください' }]);
  if (accounts[code]) throw new HttpError(409, 'conflict', 'このアカウントはすでにあります', [{ field: 'person', message: 'すでにアカウントがあります' }]);
  people[code] = { code, name: `職員 ${code}`, section: 'zeimu', department: 'somu', roles: [{ role: 'staff', title: '職員', scope: '' }] };
  const pw = crypto.randomBytes(9).toString('base64url');
  accounts[code] = { login: code, person: code, pw: hashPw(pw), temporary: true, failed_count: 0, locked_until: null, totp_secret: null, totp_pending: null, totp_last_step: -1, privileged: false };
  audit(session.person, 'account.create', 'account', code, { login: code });
  return reply(201, { login: code, temporary_password: pw });
});
route('POST', '/accounts/:person/reset', ({ session, params }) => {
  requireRole(session, ['chief_officer', 'deputy_chief_officer']);
  const acc = accounts[params.person];
  if (!acc) throw new HttpError(404, 'not_found', 'ありません');
  const pw = crypto.randomBytes(9).toString('base64url');
  acc.pw = hashPw(pw);
  acc.temporary = true;
  audit(session.person, 'account.reset', 'account', acc.login, {});
  return { temporary_password: pw };
});
route('POST', '/accounts/:person/unlock', ({ session, params }) => {
  requireRole(session, ['chief_officer', 'deputy_chief_officer']);
  const acc = accounts[params.person];
  if (!acc) throw new HttpError(404, 'not_found', 'ありません');
  acc.locked_until = null;
  acc.failed_count = 0;
  audit(session.person, 'account.unlock', 'account', acc.login, {});
  return reply(204);
});

route('GET', '/dashboard', ({ session }) => {
  const code = session.person;
  const all = [...requests.values()];
  const sev = { low: 0, medium: 0, high: 0, critical: 0, untriaged: 0 };
  for (const i of incidents.values()) if (i.state === 'open') sev[i.severity || 'untriaged']++;
  const byLevel = {};
  for (const r of records.asset.values()) if (!r.retired_date && r.values.importance) byLevel[r.values.importance] = (byLevel[r.values.importance] ?? 0) + 1;
  return {
    waiting_for_me: all.filter((r) => isCurrentApprover(r, code)).map((r) => requestJson(r, code)),
    my_requests: all.filter((r) => r.requester === code).map((r) => requestJson(r, code)),
    overdue_exceptions: [],
    incidents_by_severity: sev,
    assets_by_level: ['A', 'B', 'C'].map((l) => ({ axis: 'importance', level: l, title: `重要度${String.fromCharCode(0xff21 + l.charCodeAt(0) - 65)}`, count: byLevel[l] ?? 0 })),
    training_overdue: [{ person: 's1', name: people.s1.name, session: 1, title: '令和8年度 情報セキュリティ研修' }],
    counts: { waiting_for_me: all.filter((r) => isCurrentApprover(r, code)).length },
  };
});

route('GET', '/profile', () => profile);
route('GET', '/org/sections', () => sections);

route('POST', '/decide', ({ session, body }) => {
  if (body.actor) throw bad('actor は指定できません', [{ field: 'actor', message: 'actor は指定できません' }]);
  const d = decide(body, people[session.person]);
  if (d.error) throw new HttpError(d.error.status, d.error.code, d.error.message, d.error.fields);
  return d;
});

route('GET', '/registers', () => registers);
route('GET', '/registers/:register', ({ params, query }) => {
  const store = records[params.register];
  if (!store) throw new HttpError(404, 'not_found', '台帳がありません');
  const q = (query.get('q') ?? '').toLowerCase();
  let list = [...store.values()].filter((r) => (query.get('include_retired') === 'true' ? true : !r.retired_date));
  if (q) list = list.filter((r) => r.code.toLowerCase().includes(q) || Object.values(r.values).some((v) => String(v).toLowerCase().includes(q)));
  const section = query.get('section');
  if (section) list = list.filter((r) => r.values.owner_section === section);
  const offset = Number(query.get('offset') ?? 0);
  const limit = Number(query.get('limit') ?? 50);
  return { total: list.length, records: list.slice(offset, offset + limit) };
});
route('GET', '/registers/:register/export', { raw: true }, ({ params, query, res }) => {
  const store = records[params.register];
  const cols = registers.find((r) => r.id === params.register).columns;
  const csv = [cols.map((c) => `"${c.label_ja}"`).join(','), ...[...store.values()].map((r) => cols.map((c) => `"${c.id === 'code' ? r.code : r.values[c.id] ?? r.computed[c.id] ?? ''}"`).join(','))].join('\r\n');
  const fmt = query.get('format') ?? 'csv';
  res.writeHead(200, {
    'Content-Type': fmt === 'xlsx' ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${params.register}.${fmt}"`,
  });
  res.end('\ufeff' + csv);
});
route('POST', '/registers/:register/import', { raw: true }, async ({ req, res, params, session }) => {
  const buf = await readBody(req);
  const text = buf.toString('utf8').replace(/^\ufeff/, '');
  const lines = text.split(/\r?\n/).filter(Boolean);
  const fields = [];
  lines.slice(1).forEach((l, i) => {
    const cells = l.split(',');
    if (!cells[1]) fields.push({ field: `import.csv:${i + 2}: 名称`, message: '名称を入力してください' });
    if (cells[2] && !['data', 'system', 'media', 'device', 'document', '電子データ'].includes(cells[2])) fields.push({ field: `import.csv:${i + 2}: 種別`, message: `「${cells[2]}」は種別にありません` });
  });
  if (fields.length) return send(res, 400, { error: { code: 'invalid_argument', message: `取り込みを中止しました（${fields.length} 件の誤り。何も登録していません）`, fields } });
  audit(session.person, `${params.register}.import`, 'register', params.register, { rows: lines.length - 1 });
  send(res, 200, { imported: lines.length - 1 });
});
route('GET', '/registers/:register/:code', ({ params }) => {
  const r = records[params.register]?.get(params.code);
  if (!r) throw new HttpError(404, 'not_found', `「${params.code}」は登録されていません`);
  return r;
});
route('POST', '/registers/:register', ({ params, body, session }) => {
  const v = body.values ?? {};
  const fields = [];
  for (const c of assetColumns) if (c.required && !v[c.id]) fields.push({ field: c.id, message: `${c.label_ja}を入力してください` });
  if (v.code && records.asset.has(v.code)) fields.push({ field: 'code', message: 'この管理番号はすでにあります' });
  if (fields.length) throw bad('入力に誤りがあります', fields);
  addAsset(v);
  audit(session.person, `${params.register}.add`, params.register, v.code, v);
  return reply(201, records.asset.get(v.code));
});
route('PATCH', '/registers/:register/:code', ({ params, body, session }) => {
  const r = records[params.register]?.get(params.code);
  if (!r) throw new HttpError(404, 'not_found', 'ありません');
  Object.assign(r.values, body.values ?? {});
  r.computed.effective_importance = r.values.importance ?? '';
  audit(session.person, `${params.register}.update`, params.register, r.code, r.values);
  return r;
});
route('POST', '/registers/:register/:code/retire', ({ params, body, session }) => {
  const r = records[params.register]?.get(params.code);
  if (!r) throw new HttpError(404, 'not_found', 'ありません');
  if (!body.reason) throw bad('理由を入力してください', [{ field: 'reason', message: '廃止の理由を入力してください' }]);
  r.retired_date = body.date || iso().slice(0, 10);
  r.retired_reason = body.reason;
  audit(session.person, `${params.register}.retire`, params.register, r.code, r);
  return r;
});

route('GET', '/requests', ({ session, query }) => {
  const scope = query.get('scope') ?? 'mine';
  const status = query.get('status');
  let list = [...requests.values()];
  if (scope === 'mine') list = list.filter((r) => r.requester === session.person);
  if (status) list = list.filter((r) => r.status === status);
  return list.map((r) => requestJson(r, session.person));
});
route('POST', '/requests', ({ session, body }) => {
  const p = people[session.person];
  const d = decide(body.request, p);
  if (d.error) throw new HttpError(400, 'invalid_argument', d.error.message, d.error.fields.map((f) => ({ ...f, field: `request.${f.field}` })));
  if (body.request.action === 'exception' && !body.purpose) throw bad('理由が必要です', [{ field: 'purpose', message: '合理的な理由を入力してください' }]);
  const id = nextRequest++;
  const status = d.effect === 'deny' ? 'denied' : d.effect === 'allow' ? 'approved' : 'pending';
  const r = {
    id,
    requester: p.code,
    requester_name: p.name,
    section: p.section,
    department: p.department,
    action: body.request.action,
    purpose: body.purpose ?? '',
    status,
    effect: d.effect,
    request: { ...body.request, actor: { id: p.code, roles: p.roles.map((x) => x.role), section: p.section } },
    decision: d,
    profile: { id: 'hannan', digest: 'mock' },
    current_step: status === 'pending' ? 1 : 0,
    steps: d.approvals.map((roles, i) => ({ step: i + 1, roles, routed_to: Object.values(people).filter((x) => x.code !== p.code && x.section === p.section && x.roles.some((y) => roles.includes(y.role))).map((x) => x.code) })),
    actions: [],
    obligations: d.effect === 'deny' ? [] : d.obligations.map((o) => ({ obligation: o, fields: FIELDS[o] ?? ['date', 'person', 'method'], clause: d.clauses[0]?.id ?? '', filled: false })),
    submitted_at: iso(),
    expires_at: iso(new Date(Date.now() + 30 * 86400e3)),
    decided_at: status === 'pending' ? '' : iso(),
    completed_at: '',
  };
  requests.set(id, r);
  audit(p.code, 'request.submit', 'request', id, r);
  return reply(201, requestJson(r, p.code));
});
route('GET', '/requests/:id', ({ session, params }) => {
  const r = requests.get(Number(params.id));
  if (!r) throw new HttpError(404, 'not_found', '申請がありません');
  return requestJson(r, session.person);
});
for (const verb of ['approve', 'reject']) {
  route('POST', `/requests/:id/${verb}`, ({ session, params, body }) => {
    const r = requests.get(Number(params.id));
    if (!r) throw new HttpError(404, 'not_found', '申請がありません');
    if (!isCurrentApprover(r, session.person))
      throw new HttpError(403, 'forbidden', r.requester === session.person ? '申請者は自らの申請を承認・却下できません（1(3)① 兼務の禁止）' : 'この申請の承認者ではありません');
    if (verb === 'reject' && !body.comment) throw bad('却下の理由が必要です', [{ field: 'comment', message: '却下の理由を入力してください' }]);
    const step = r.steps[r.current_step - 1];
    r.actions.push({ step: step.step, person: session.person, role: step.roles[0], decision: verb === 'approve' ? 'approved' : 'rejected', comment: body.comment ?? '', time: iso() });
    if (verb === 'reject') {
      r.status = 'rejected';
      r.current_step = 0;
      r.decided_at = iso();
    } else if (r.current_step >= r.steps.length) {
      r.status = r.obligations.length ? 'approved' : 'approved';
      r.current_step = 0;
      r.decided_at = iso();
    } else r.current_step++;
    audit(session.person, `request.${verb}`, 'request', r.id, r);
    return requestJson(r, session.person);
  });
}
route('POST', '/requests/:id/obligations/:obligation', ({ session, params, body }) => {
  const r = requests.get(Number(params.id));
  const o = r?.obligations.find((x) => x.obligation === params.obligation);
  if (!o) throw new HttpError(404, 'not_found', 'ありません');
  const fields = o.fields.filter((f) => !body.values?.[f]).map((f) => ({ field: f, message: '入力してください' }));
  if (fields.length) throw bad('記録に誤りがあります', fields);
  Object.assign(o, { filled: true, values: body.values, filled_by: session.person, filled_at: iso() });
  if (r.obligations.every((x) => x.filled)) {
    r.status = 'completed';
    r.completed_at = iso();
  }
  audit(session.person, 'request.record', 'request', r.id, r);
  return requestJson(r, session.person);
});
route('GET', '/inbox', ({ session }) => [...requests.values()].filter((r) => isCurrentApprover(r, session.person)).map((r) => requestJson(r, session.person)));
route('GET', '/exceptions', () => [...requests.values()].filter((r) => r.action === 'exception').map((r) => ({ ...r, overdue: false })));

route('GET', '/incidents', ({ query }) => {
  let list = [...incidents.values()];
  if (query.get('status')) list = list.filter((i) => i.state === query.get('status'));
  if (query.get('severity')) list = list.filter((i) => i.severity === query.get('severity'));
  return list;
});
route('POST', '/incidents', ({ session, body }) => {
  const fields = [];
  if (!body.summary) fields.push({ field: 'summary', message: '概要を入力してください' });
  if (!body.description) fields.push({ field: 'description', message: '内容を入力してください' });
  if (fields.length) throw bad('入力に誤りがあります', fields);
  const p = people[session.person];
  const i = { id: nextIncident++, source: 'staff', reporter: p.code, section: p.section, summary: body.summary, description: body.description, aware_at: body.aware_at || iso(), reported_at: iso(), level: 1, state: 'open', severity: '', steps: [{ level: 1, actor: p.code, at: iso(), clause: '5.3(1)①', to: [{ role: 'manager', person: 'm1', name: people.m1.name }] }], timeline: [], ppc_reports: [] };
  incidents.set(i.id, i);
  audit(p.code, 'incident.report', 'incident', i.id, i);
  return reply(201, i);
});
route('GET', '/incidents/:id', ({ params }) => {
  const i = incidents.get(Number(params.id));
  if (!i) throw new HttpError(404, 'not_found', 'ありません');
  return i;
});
for (const verb of ['triage', 'timeline', 'cause', 'measure', 'escalate', 'close']) {
  route('POST', `/incidents/:id/${verb}`, ({ session, params, body }) => {
    const i = incidents.get(Number(params.id));
    if (!i) throw new HttpError(404, 'not_found', 'ありません');
    if (verb === 'triage') Object.assign(i, body);
    if (verb === 'timeline') i.timeline.push({ at: body.at || iso(), person: session.person, text: body.text, recorded_at: iso() });
    if (verb === 'cause') i.cause = body.text;
    if (verb === 'measure') i.measure = body.text;
    if (verb === 'escalate') i.level = Math.min(3, i.level + 1);
    if (verb === 'close') {
      const f = [];
      if (!i.cause) f.push({ field: 'cause', message: '原因が記録されていません' });
      if (!i.measure) f.push({ field: 'measure', message: '再発防止策が記録されていません' });
      if (f.length) throw bad('クローズできません', f);
      i.state = 'closed';
      i.closed_at = iso();
    }
    audit(session.person, `incident.${verb}`, 'incident', i.id, i);
    return i;
  });
}
route('POST', '/public/incidents', { anon: true, noCsrf: true }, ({ body }) => {
  const fields = [];
  if (!['resident', 'other'].includes(body.kind)) fields.push({ field: 'kind', message: '区分を選んでください' });
  for (const [k, l] of [['name', '氏名'], ['contact', '連絡先'], ['text', '内容']]) if (!body[k]) fields.push({ field: k, message: `${l}を入力してください` });
  if (fields.length) throw bad('入力に誤りがあります', fields);
  const i = { id: nextIncident++, source: 'external', section: 'joho', summary: String(body.text).slice(0, 40), description: body.text, aware_at: iso(), reported_at: iso(), level: 1, state: 'open', severity: '', external: { kind: body.kind, name: body.name, contact: body.contact }, steps: [], timeline: [] };
  incidents.set(i.id, i);
  const receipt = `R-${new Date().getFullYear()}-${String(i.id).padStart(5, '0')}`;
  audit('public', 'incident.report_external', 'incident', i.id, { receipt });
  return reply(201, { receipt });
});

// Like the real server: the log is read by those who see everything and by auditors.
// MOCK_AUDIT_ORDER=asc pages oldest first with `after` (docs/api.md); the default is
// newest first with `before` (what src/server does).
const AUDIT_ASC = process.env.MOCK_AUDIT_ORDER === 'asc';
const AUDIT_READERS = ['ciso', 'chief_officer', 'deputy_chief_officer', 'auditor'];
route('GET', '/audit/events', ({ session, query }) => {
  requireRole(session, AUDIT_READERS);
  const limit = Math.min(200, Number(query.get('limit') ?? 50));
  let list;
  if (AUDIT_ASC) {
    const after = Number(query.get('after') ?? 0);
    list = events.filter((e) => e.seq > after);
  } else {
    const before = Number(query.get('before') ?? Number.MAX_SAFE_INTEGER);
    list = events.filter((e) => e.seq < before).reverse();
  }
  if (query.get('type')) list = list.filter((e) => e.type === query.get('type'));
  if (query.get('actor')) list = list.filter((e) => e.actor === query.get('actor'));
  const page = list.slice(0, limit).map(({ hash, prev, ...e }) => (void hash, void prev, e));
  return AUDIT_ASC ? { events: page, verified_head: events.length } : { events: page, last_seq: events.length };
});
route('POST', '/audit/verify', ({ session }) => {
  requireRole(session, AUDIT_READERS);
  let prev = '0'.repeat(64);
  for (const e of events) {
    const { hash, prev: p, ...ev } = e;
    const h = crypto.createHash('sha256').update(prev + JSON.stringify(ev)).digest('hex');
    if (p !== prev || h !== hash) return { ok: false, events: events.length, checkpoints: 1, first_bad_seq: e.seq, message: `イベント ${e.seq} が改ざんされています` };
    prev = hash;
  }
  return { ok: true, events: events.length, checkpoints: 1, message: 'すべてのイベントとチェックポイントを確認しました' };
});

// ---------------------------------------------------------------- server
const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (!url.pathname.startsWith('/api/v1/')) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: { code: 'invalid_argument', message: 'method' } });
    return serveStatic(req, res);
  }
  const sub = url.pathname.slice('/api/v1'.length);
  try {
    const r = routes.find((x) => x.method === req.method && x.re.test(sub));
    if (!r) throw new HttpError(404, 'not_found', '見つかりません');
    const params = {};
    const m = r.re.exec(sub);
    r.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1])));
    let session;
    if (!r.opts.anon) {
      session = cookieSession(req);
      if (!session) throw new HttpError(401, 'unauthenticated', 'サインインしてください');
      if (req.method !== 'GET' && req.headers['x-csrf-token'] !== session.csrf) throw new HttpError(403, 'csrf', '画面を読み込み直してください（CSRF）');
      const sj = sessionJson(session);
      if (sj.must_change_password && !ALWAYS_ALLOWED.includes(sub)) throw new HttpError(403, 'password_change_required', 'パスワードを変更してください');
      if (sj.must_enroll_totp && !ALWAYS_ALLOWED.includes(sub) && !sub.startsWith('/auth/totp/'))
        throw new HttpError(403, 'totp_enrollment_required', '二要素認証を設定してください');
    }
    const body = r.opts.raw || req.method === 'GET' ? undefined : await readJson(req);
    const out = await r.handler({ req, res, params, query: url.searchParams, body, session });
    if (r.opts.raw) return;
    if (out && out[REPLY]) return send(res, out.status, out.body);
    return send(res, 200, out);
  } catch (e) {
    if (e instanceof HttpError) return send(res, e.status, { error: { code: e.code, message: e.message, message_en: e.message, fields: e.fields, ...e.extra } });
    console.error(e);
    return send(res, 500, { error: { code: 'internal', message: '内部エラー' } });
  }
});

server.listen(PORT, '127.0.0.1', () => {
  console.log(`mock mamori serve on http://127.0.0.1:${PORT} (dist: ${DIST})`);
  for (const [code, pw] of Object.entries(temp)) console.log(`  ${code}: temporary password ${pw}`);
});
