// End-to-end test of the mamori web UI (web/) served by `mamori serve`.
//
// Drives Debian's Chromium through playwright-core. Environment:
//   MAMORI_URL             base URL of the server (default http://127.0.0.1:18080)
//   STAFF_LOGIN, STAFF_TEMP_PASSWORD       a staff member with a temporary password
//   MANAGER_LOGIN, MANAGER_TEMP_PASSWORD   the manager of the staff member's section, temporary password
//   ASSET_CODE             an asset of the staff member's section in the asset register (take_out needs approval)
//   ADMIN_LOGIN, ADMIN_TEMP_PASSWORD       optional: someone who may read the audit log (chief officer,
//                          CISO or auditor), temporary password; step 5 runs as the manager without it
//   CHROMIUM               Chromium binary (default /usr/bin/chromium)
//   ARTIFACTS              screenshot folder (default tests/e2e/artifacts/)
//   E2E_TIMEOUT_MS         per-wait timeout (default 15000)
//
// Exits 0 when every step passed; otherwise prints the failing step and exits 1.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { otpauthParams, totp } from './totp.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const BASE = (process.env.MAMORI_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '');
const ARTIFACTS = path.resolve(process.env.ARTIFACTS || path.join(here, 'artifacts'));
const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS || 15000);

function env(name, fallback) {
  const v = process.env[name] ?? fallback;
  if (v === undefined || v === '') {
    console.error(`e2e: environment variable ${name} is required (see tests/e2e/README.md)`);
    process.exit(2);
  }
  return v;
}

const STAFF = { login: env('STAFF_LOGIN'), password: env('STAFF_TEMP_PASSWORD') };
const MANAGER = { login: env('MANAGER_LOGIN'), password: env('MANAGER_TEMP_PASSWORD') };
const ASSET_CODE = env('ASSET_CODE');
const ASSET_KIND = process.env.ASSET_KIND || 'data';
const ADMIN =
  process.env.ADMIN_LOGIN && process.env.ADMIN_TEMP_PASSWORD
    ? { login: process.env.ADMIN_LOGIN, password: process.env.ADMIN_TEMP_PASSWORD }
    : null;

/**
 * A new password that satisfies any reasonable profile (length, classes) and differs per run.
 * It never contains the login (5.4(2) refuses that; a login such as "c1" is also hex), nor a run of
 * more than 3 of one character or of a sequence such as abcd or 4321 (passwords.max_repeat_run).
 */
function longestRun(text) {
  const c = [...text.toLowerCase()].map((ch) => ch.codePointAt(0));
  let longest = 1, same = 1, up = 1, down = 1;
  for (let i = 1; i < c.length; i++) {
    same = c[i] === c[i - 1] ? same + 1 : 1;
    up = c[i] === c[i - 1] + 1 ? up + 1 : 1;
    down = c[i] + 1 === c[i - 1] ? down + 1 : 1;
    longest = Math.max(longest, same, up, down);
  }
  return longest;
}

function newPassword(tag, login) {
  for (;;) {
    const password = `Mamori-${tag}-${crypto.randomBytes(6).toString('hex')}-Aa9!`;
    if (!password.toLowerCase().includes(login.toLowerCase()) && longestRun(password) <= 3) return password;
  }
}

class StepFailure extends Error {}
function assert(cond, message) {
  if (!cond) throw new StepFailure(message);
}

fs.mkdirSync(ARTIFACTS, { recursive: true });

let browser;
const results = [];
const started = Date.now();

async function shot(page, name) {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`    screenshot ${path.relative(process.cwd(), file)}`);
}

async function step(name, fn) {
  const t0 = Date.now();
  console.log(`- ${name}`);
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`  ok (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.error(`\nFAIL: ${name}\n  ${e instanceof StepFailure ? e.message : e.stack || e}`);
    let n = 0;
    for (const ctx of browser?.contexts() ?? []) {
      for (const page of ctx.pages()) {
        n++;
        try {
          await page.screenshot({ path: path.join(ARTIFACTS, `failure-${n}.png`), fullPage: true });
          console.error(`  page ${n} was at ${page.url()} (screenshot failure-${n}.png)`);
        } catch {
          // ignore
        }
      }
    }
    console.error(`\n${results.filter((r) => r.ok).length} passed, 1 failed`);
    await browser?.close().catch(() => {});
    process.exit(1);
  }
}

/** Waits until the path of the page's URL matches `re`. */
async function waitPath(page, re, what) {
  try {
    await page.waitForURL((u) => re.test(new URL(u).pathname), { timeout: TIMEOUT });
  } catch {
    throw new StepFailure(`expected to be on ${what} (${re}), but the page is at ${page.url()}`);
  }
}

async function visible(page, selector, what) {
  try {
    await page.locator(selector).first().waitFor({ state: 'visible', timeout: TIMEOUT });
  } catch {
    throw new StepFailure(`expected to see ${what} (${selector}) on ${page.url()}`);
  }
}

const tid = (id) => `[data-testid="${id}"]`;

async function signIn(page, login, password, { totpSecret, totpParams } = {}) {
  await page.goto(`${BASE}/signin`);
  await visible(page, tid('signin-form'), 'the sign-in form');
  await page.getByLabel(/^ログイン ID/).fill(login);
  await page.locator(tid('signin-password')).fill(password);
  await page.locator(tid('signin-submit')).click();
  if (totpSecret) {
    await visible(page, tid('signin-totp'), 'the TOTP code field after totp_required');
    const code = await freshCode(totpSecret, totpParams);
    await page.locator(tid('signin-totp')).fill(code);
    await page.locator(tid('signin-submit')).click();
  }
  await page.waitForURL((u) => new URL(u).pathname !== '/signin', { timeout: TIMEOUT }).catch(async () => {
    const err = await page.locator(`${tid('signin-error')}, ${tid('signin-locked')}`).first().textContent().catch(() => '');
    throw new StepFailure(`sign-in as ${login} did not leave /signin${err ? `: ${err.trim()}` : ''}`);
  });
}

async function changePassword(page, current, next) {
  await waitPath(page, /^\/password$/, 'the forced password page');
  await visible(page, tid('password-forced'), 'the notice that the temporary password must be changed');
  await page.locator(tid('password-current')).fill(current);
  await page.locator(tid('password-new')).fill(next);
  await page.locator(tid('password-confirm')).fill(next);
  await page.locator(tid('password-submit')).click();
  await page.waitForURL((u) => new URL(u).pathname !== '/password', { timeout: TIMEOUT }).catch(async () => {
    const err = await page.locator(tid('password-error')).textContent().catch(() => '');
    throw new StepFailure(`the password change was not accepted${err ? `: ${err.trim()}` : ''}`);
  });
}

const usedSteps = new Map();
/** A TOTP code for a time step not used before with this secret (servers refuse a replayed code). */
async function freshCode(secret, params) {
  const period = params?.period ?? 30;
  for (;;) {
    const stepNo = Math.floor(Date.now() / 1000 / period);
    const secondsLeft = period - ((Date.now() / 1000) % period);
    if (usedSteps.get(secret) !== undefined && usedSteps.get(secret) >= stepNo) {
      await new Promise((r) => setTimeout(r, (secondsLeft + 0.5) * 1000));
      continue;
    }
    if (secondsLeft < 3) {
      // Too close to the end of the window: wait for the next one.
      await new Promise((r) => setTimeout(r, (secondsLeft + 0.5) * 1000));
      continue;
    }
    usedSteps.set(secret, stepNo);
    return totp(secret, { ...params, nowMs: Date.now() });
  }
}

async function enrollTotp(page, screenshot = 'totp') {
  if (new URL(page.url()).pathname !== '/totp') await page.goto(`${BASE}/totp`);
  await visible(page, tid('totp-setup'), 'the TOTP setup button');
  await page.locator(tid('totp-setup')).click();
  await visible(page, tid('totp-secret'), 'the TOTP secret');
  const secret = (await page.locator(tid('totp-secret')).getAttribute('data-secret')) || (await page.locator(tid('totp-secret')).textContent());
  assert(secret && /^[A-Z2-7=\s]+$/i.test(secret.trim()), `the TOTP secret on the page is not base32: ${JSON.stringify(secret)}`);
  const uri = await page.locator(tid('totp-uri')).textContent().catch(() => '');
  if (uri) assert(uri.trim().startsWith('otpauth://'), `the otpauth URI does not start with otpauth://: ${uri}`);
  const params = otpauthParams(uri?.trim());
  await shot(page, screenshot);
  await page.locator(tid('totp-code')).fill(await freshCode(secret.replace(/\s/g, ''), params));
  await page.locator(tid('totp-enable')).click();
  await Promise.race([
    page.waitForURL((u) => new URL(u).pathname === '/', { timeout: TIMEOUT }),
    page.locator(tid('totp-done')).waitFor({ timeout: TIMEOUT }),
  ]).catch(async () => {
    const err = await page.locator(tid('totp-error')).textContent().catch(() => '');
    throw new StepFailure(`TOTP could not be enabled${err ? `: ${err.trim()}` : ''}`);
  });
  return { secret: secret.replace(/\s/g, ''), params };
}

async function main() {
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  assert(fs.existsSync(executablePath), `Chromium not found at ${executablePath} (apt-get install chromium, or set CHROMIUM)`);
  browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
  const newPage = async () => {
    const ctx = await browser.newContext({ locale: 'ja-JP', timezoneId: 'Asia/Tokyo', viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    page.setDefaultTimeout(TIMEOUT);
    page.on('pageerror', (e) => console.error(`    [page error] ${e.message}`));
    return page;
  };

  // Fails early and clearly when the server is not there.
  await step(`the server answers at ${BASE}`, async () => {
    const res = await fetch(`${BASE}/api/v1/health`).catch((e) => {
      throw new StepFailure(`cannot reach ${BASE}/api/v1/health: ${e.cause?.code || e.message}`);
    });
    assert(res.ok, `GET /api/v1/health answered ${res.status}`);
  });

  const staff = await newPage();
  const staffNew = newPassword('staff', STAFF.login);
  let requestId;

  await step('1. staff signs in with the temporary password, is forced to change it, then sees the dashboard', async () => {
    await staff.goto(`${BASE}/`);
    await waitPath(staff, /^\/signin$/, 'the sign-in page (not signed in yet)');
    const lang = await staff.locator('html').getAttribute('lang');
    assert(lang === 'ja', `<html lang> is ${JSON.stringify(lang)}, expected "ja"`);
    await visible(staff, tid('signin-form'), 'the sign-in form');
    await shot(staff, 'signin');
    await signIn(staff, STAFF.login, STAFF.password);
    await waitPath(staff, /^\/password$/, 'the forced password page');
    await shot(staff, 'password');
    await changePassword(staff, STAFF.password, staffNew);
    if (new URL(staff.url()).pathname === '/totp') await enrollTotp(staff, 'totp-staff'); // a profile may demand MFA of staff too
    await waitPath(staff, /^\/$/, 'the dashboard');
    await visible(staff, tid('dashboard-title'), 'the dashboard heading');
    await visible(staff, tid('user-name'), 'the user name in the header');
    await visible(staff, tid('chart-incidents'), 'the incidents-by-severity chart');
    await shot(staff, 'dashboard');
  });

  await step('2. staff fills the request form (take_out) and sees the live decision 承認が必要 with a clause, then submits', async () => {
    await staff.goto(`${BASE}/requests/new`);
    await visible(staff, tid('request-form'), 'the request form');
    await staff.getByLabel(/^行為/).selectOption('take_out');
    await staff.locator(tid('req-asset-code')).fill(ASSET_CODE);
    const lookup = staff.locator(tid('asset-lookup'));
    await staff
      .waitForFunction(
        (sel) => ['found', 'missing', 'error'].includes(document.querySelector(sel)?.getAttribute('data-state') ?? ''),
        tid('asset-lookup'),
        { timeout: TIMEOUT },
      )
      .catch(() => {
        throw new StepFailure('the asset register lookup did not finish');
      });
    const state = await lookup.getAttribute('data-state');
    if (state !== 'found') {
      console.log(`    asset ${ASSET_CODE} not readable from the register (${state}); giving its kind (${ASSET_KIND}) by hand`);
      await staff.locator(tid('req-asset-kind')).selectOption(ASSET_KIND);
    }
    const effect = staff.locator(tid('decision-effect'));
    try {
      await effect.waitFor({ timeout: TIMEOUT });
    } catch {
      const err = await staff.locator(tid('decision-error')).textContent().catch(() => '');
      throw new StepFailure(`no live decision appeared${err ? `: ${err.trim()}` : ''}`);
    }
    await staff.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('aria-live') === 'polite', tid('decision-live'));
    const eff = await effect.getAttribute('data-effect');
    assert(eff === 'approval_required', `the live decision is ${eff}, expected approval_required`);
    assert((await effect.textContent()).includes('承認が必要'), 'the decision does not say 承認が必要');
    const clauses = await staff.locator(tid('decision-clause')).count();
    assert(clauses > 0, 'the live decision shows no clause');
    const approvers = await staff.locator(tid('decision-approvals')).textContent();
    assert(approvers && approvers.trim().length > 0, 'the live decision shows no approvers');
    await staff.locator(tid('req-purpose')).fill('e2e: 窓口での説明資料として持ち出す');
    await shot(staff, 'request-form');
    await staff.locator(tid('request-submit')).click();
    await staff.waitForURL((u) => /^\/requests\/[^/]+$/.test(new URL(u).pathname) && !/\/new$/.test(new URL(u).pathname), { timeout: TIMEOUT }).catch(async () => {
      const err = await staff.locator(tid('request-submit-error')).textContent().catch(() => '');
      throw new StepFailure(`submitting the request did not open the request${err ? `: ${err.trim()}` : ''}`);
    });
    requestId = decodeURIComponent(new URL(staff.url()).pathname.split('/').pop());
    assert(requestId, 'no request id in the URL');
    console.log(`    request id ${requestId}`);
  });

  await step('3. staff opens the request and cannot approve it (no button; a direct POST answers 403)', async () => {
    await staff.goto(`${BASE}/requests/${encodeURIComponent(requestId)}`);
    await visible(staff, tid('request-status'), 'the request status');
    const status = await staff.locator(`${tid('request-detail')} ${tid('request-status')}`).first().getAttribute('data-status');
    assert(status === 'pending', `the new request is ${status}, expected pending`);
    assert((await staff.locator(`${tid('request-detail')} ${tid('request-status')}`).first().textContent()).includes('承認待ち'), 'the status does not read 承認待ち');
    assert((await staff.locator(`[data-testid^="approve-"]`).count()) === 0, 'the requester sees an approve button');
    assert((await staff.getByRole('button', { name: '承認する' }).count()) === 0, 'the requester sees a 承認する button');
    const answer = await staff.evaluate(async (id) => {
      const s = await fetch('/api/v1/auth/session', { credentials: 'same-origin' }).then((r) => r.json());
      const token = (s.session ?? s).csrf_token;
      const r = await fetch(`/api/v1/requests/${encodeURIComponent(id)}/approve`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
        body: JSON.stringify({ comment: 'self-approval attempt (e2e)' }),
      });
      let body = null;
      try {
        body = await r.json();
      } catch {
        // no body
      }
      return { status: r.status, code: body?.error?.code, hadToken: !!token };
    }, requestId);
    assert(answer.hadToken, 'GET /api/v1/auth/session gave no csrf_token');
    assert(answer.status === 403, `POST /requests/${requestId}/approve by the requester answered ${answer.status} (${answer.code}), expected 403`);
    assert(answer.code !== 'csrf', 'the 403 was a CSRF refusal, not separation of duties');
    await shot(staff, 'request-detail-staff');
  });

  const manager = await newPage();
  const managerNew = newPassword('manager', MANAGER.login);
  let mfa;

  await step('4. manager changes the temporary password, enrols TOTP, signs in again with TOTP and approves the request', async () => {
    await signIn(manager, MANAGER.login, MANAGER.password);
    await changePassword(manager, MANAGER.password, managerNew);
    mfa = await enrollTotp(manager);
    if (new URL(manager.url()).pathname !== '/') await manager.goto(`${BASE}/`);
    await visible(manager, tid('sign-out'), 'the sign-out button');
    await manager.locator(tid('sign-out')).click();
    await waitPath(manager, /^\/signin$/, 'the sign-in page after signing out');
    await signIn(manager, MANAGER.login, managerNew, { totpSecret: mfa.secret, totpParams: mfa.params });
    await waitPath(manager, /^\/$/, 'the dashboard after signing in with TOTP');
    await visible(manager, tid('dashboard-title'), 'the dashboard heading');

    await manager.goto(`${BASE}/inbox`);
    await visible(manager, tid('inbox-title'), 'the inbox heading');
    const item = manager.locator(`${tid('inbox-item')}[data-request-id="${requestId}"]`);
    try {
      await item.waitFor({ timeout: TIMEOUT });
    } catch {
      throw new StepFailure(`request ${requestId} is not in the manager's inbox`);
    }
    const text = await item.textContent();
    assert(text.includes('持ち出し'), 'the inbox item does not name the action (持ち出し)');
    assert(text.includes(ASSET_CODE), `the inbox item does not name the asset ${ASSET_CODE}`);
    assert((await item.locator('[data-testid$="-clause"]').count()) > 0, 'the inbox item shows no clause');
    await shot(manager, 'inbox');
    await item.locator(tid(`comment-${requestId}`)).fill('e2e: 業務上必要と認め承認します');
    await item.locator(tid(`approve-${requestId}`)).click();
    await visible(manager, tid('inbox-done'), 'the approval confirmation');

    await manager.goto(`${BASE}/requests/${encodeURIComponent(requestId)}`);
    const badge = manager.locator(`${tid('request-detail')} ${tid('request-status')}`).first();
    await badge.waitFor({ timeout: TIMEOUT });
    const status = await badge.getAttribute('data-status');
    assert(status === 'approved' || status === 'completed', `after approval the request is ${status}`);
    assert((await badge.textContent()).includes(status === 'approved' ? '承認済み' : '完了'), 'the status badge does not read 承認済み');
    await visible(manager, tid('actions-table'), 'the approval record table');
    await shot(manager, 'request-detail');
  });

  let reader = manager;
  if (ADMIN) {
    await step(`the audit log reader ${ADMIN.login} signs in (temporary password, TOTP when required)`, async () => {
      reader = await newPage();
      await signIn(reader, ADMIN.login, ADMIN.password);
      if (new URL(reader.url()).pathname === '/password') await changePassword(reader, ADMIN.password, newPassword('admin', ADMIN.login));
      if (new URL(reader.url()).pathname === '/totp') await enrollTotp(reader, 'totp-admin');
      await waitPath(reader, /^\/$/, 'the dashboard');
    });
  }

  await step('5. the audit log shows the sign-ins, password changes, the request and the approval; 検証する succeeds', async () => {
    const manager = reader;
    await manager.goto(`${BASE}/audit`);
    await visible(manager, tid('audit-title'), 'the audit log heading');
    try {
      await manager.locator(tid('audit-table')).waitFor({ timeout: TIMEOUT });
    } catch {
      const err = await manager.locator('.alert-error').first().textContent().catch(() => '');
      throw new StepFailure(
        `the audit log shows no events${err ? `: ${err.trim()}` : ''}${ADMIN ? '' : ' (set ADMIN_LOGIN and ADMIN_TEMP_PASSWORD if only the chief officer, the CISO or an auditor may read it)'}`,
      );
    }
    const types = [];
    const rows = [];
    for (let pageNo = 0; pageNo < 200; pageNo++) {
      const pageRows = await manager.locator(tid('audit-row')).evaluateAll((trs) =>
        trs.map((tr) => ({ type: tr.getAttribute('data-type') || '', text: tr.textContent || '' })),
      );
      for (const r of pageRows) {
        types.push(r.type);
        rows.push(r);
      }
      if (pageNo === 0) await shot(manager, 'audit');
      const next = manager.locator(tid('audit-next'));
      if (!(await next.isEnabled())) break;
      const first = await manager.locator(tid('audit-row')).first().textContent();
      await next.click();
      await manager.waitForFunction(
        ([sel, before]) => {
          const row = document.querySelector(sel);
          return !row || row.textContent !== before;
        },
        [tid('audit-row'), first],
      );
    }
    const has = (re) => types.some((t) => re.test(t));
    const missing = [];
    if (!has(/sign[-_.]?in|signin|login/i)) missing.push('a sign-in');
    if (!has(/password/i)) missing.push('a password change');
    if (!has(/^request\.submit$/)) missing.push('request.submit');
    if (!has(/^request\.approve$/)) missing.push('request.approve');
    assert(missing.length === 0, `the audit log lacks ${missing.join(', ')} (types seen: ${[...new Set(types)].join(', ')})`);
    const signIns = types.filter((t) => /sign[-_.]?in|signin|login/i.test(t) && !/fail/i.test(t)).length;
    assert(signIns >= 3, `expected at least 3 sign-in events (staff, manager twice), saw ${signIns}`);
    const approveRow = rows.find((r) => r.type === 'request.approve' && r.text.includes(String(requestId)));
    assert(approveRow, `no request.approve event names request ${requestId}`);

    await manager.locator(tid('audit-verify')).click();
    const result = manager.locator(`${tid('verify-result')}, ${tid('verify-error')}`).first();
    await result.waitFor({ timeout: TIMEOUT * 4 });
    const ok = await manager.locator(tid('verify-result')).getAttribute('data-ok').catch(() => null);
    const text = (await result.textContent()).trim();
    assert(ok === 'true', `検証する did not succeed: ${text}`);
    assert(text.includes('成功'), 'the verification result does not say 成功');
    await shot(manager, 'audit-verified');
  });

  await step('policy and registers pages render (screenshots)', async () => {
    await manager.goto(`${BASE}/policy`);
    await visible(manager, tid('policy-title'), 'the policy heading');
    await visible(manager, tid('policy-levels'), 'the classification table');
    await visible(manager, tid('policy-rule-group'), 'the rules grouped by action');
    await shot(manager, 'policy');
    await manager.goto(`${BASE}/registers/asset`);
    await visible(manager, tid('registers-title'), 'the registers heading');
    await manager.locator(`${tid('register-table')}, .empty`).first().waitFor({ timeout: TIMEOUT });
    assert((await manager.locator(tid('export-xlsx')).getAttribute('href')).includes('/registers/asset/export?format=xlsx'), 'the XLSX export link is wrong');
    await shot(manager, 'registers');
  });

  await step('6. a resident (not signed in) reports through /public/report and gets a receipt number', async () => {
    const resident = await newPage();
    const apiCalls = [];
    resident.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/api/')) apiCalls.push(`${r.method()} ${u.pathname}`);
    });
    await resident.goto(`${BASE}/public/report`);
    await waitPath(resident, /^\/public\/report$/, 'the public report page (no redirect to sign-in)');
    await visible(resident, tid('public-report-form'), 'the public report form');
    assert((await resident.locator(tid('public-report-privacy')).textContent()).includes('個人情報'), 'the page does not explain what personal data not to write');
    await resident.getByLabel(/^報告される方の区分/).selectOption('resident');
    await resident.locator(tid('pub-name')).fill('阪南 太郎');
    await resident.locator(tid('pub-contact')).fill('072-000-0000');
    await resident.locator(tid('pub-text')).fill('市のウェブサイトを装った不審なメールが届きました。リンクは開いていません。');
    await shot(resident, 'public-report');
    await resident.locator(tid('pub-submit')).click();
    try {
      await resident.locator(tid('public-receipt')).waitFor({ timeout: TIMEOUT });
    } catch {
      const err = await resident.locator(tid('public-report-error')).textContent().catch(() => '');
      throw new StepFailure(`no receipt number appeared${err ? `: ${err.trim()}` : ''}`);
    }
    const receipt = (await resident.locator(tid('public-receipt')).textContent()).trim();
    assert(receipt && receipt !== '（番号なし）', 'the receipt number is empty');
    console.log(`    receipt ${receipt}`);
    assert(!apiCalls.some((c) => c.includes('/auth/')), `the public page called ${apiCalls.filter((c) => c.includes('/auth/')).join(', ')}`);
    await shot(resident, 'public-report-receipt');
  });

  await browser.close();
  const passed = results.filter((r) => r.ok).length;
  console.log(`\ne2e finished in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${ARTIFACTS}`);
  console.log(`${passed} passed, 0 failed`);
}

main().catch(async (e) => {
  console.error(`\nFAIL: ${e instanceof StepFailure ? e.message : e.stack || e}`);
  console.error(`${results.filter((r) => r.ok).length} passed, 1 failed`);
  await browser?.close().catch(() => {});
  process.exit(1);
});
