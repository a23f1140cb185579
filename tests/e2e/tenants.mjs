// The web UI of one tenant of an installation, reached by path (`mamori serve
// --installation`, docs/api.md "Many tenants"): the app stays below /t/<id>/,
// calls that tenant's API, keeps its session cookie there, and the other
// tenant's pages do not see that session. Environment:
//   MAMORI_URL                        base URL of the server
//   TENANT_A, TENANT_B                two active tenants
//   STAFF_LOGIN, STAFF_TEMP_PASSWORD  a staff member of tenant A with a temporary password
//   CHROMIUM, ARTIFACTS, E2E_TIMEOUT_MS as in e2e.mjs
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.MAMORI_URL.replace(/\/+$/, '');
const A = process.env.TENANT_A;
const B = process.env.TENANT_B;
const LOGIN = process.env.STAFF_LOGIN;
const TEMP = process.env.STAFF_TEMP_PASSWORD;
const ARTIFACTS = path.resolve(process.env.ARTIFACTS || 'tests/e2e/artifacts');
const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS || 15000);
const tid = (id) => `[data-testid="${id}"]`;

function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exitCode = 1;
  throw new Error(message);
}

async function onPath(page, expected, what) {
  await page
    .waitForURL((u) => new URL(u).pathname === expected, { timeout: TIMEOUT })
    .catch(() => fail(`expected ${what} at ${expected}, the page is at ${page.url()}`));
}

fs.mkdirSync(ARTIFACTS, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox'],
});
try {
  const context = await browser.newContext({ locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('pageerror', (e) => console.error(`    [page error] ${e.message}`));

  console.log(`- tenant ${A}: not signed in, the app goes to its own sign-in page`);
  await page.goto(`${BASE}/t/${A}/`);
  await onPath(page, `/t/${A}/signin`, 'the sign-in page of tenant A');
  await page.locator(tid('signin-form')).waitFor();

  console.log(`- tenant ${A}: sign in, forced password change, dashboard — all below /t/${A}/`);
  await page.getByLabel(/^ログイン ID/).fill(LOGIN);
  await page.locator(tid('signin-password')).fill(TEMP);
  await page.locator(tid('signin-submit')).click();
  await onPath(page, `/t/${A}/password`, 'the forced password page of tenant A');
  const next = `Mamori-tenant-${crypto.randomBytes(6).toString('hex')}-Aa9!`;
  await page.locator(tid('password-current')).fill(TEMP);
  await page.locator(tid('password-new')).fill(next);
  await page.locator(tid('password-confirm')).fill(next);
  await page.locator(tid('password-submit')).click();
  await onPath(page, `/t/${A}/`, 'the dashboard of tenant A');
  await page.locator(tid('dashboard')).waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, 'tenant-dashboard.png'), fullPage: true });

  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === `mamori_session_${A}`);
  if (!session) fail(`no cookie mamori_session_${A}: ${JSON.stringify(cookies.map((c) => c.name))}`);
  if (session.path !== `/t/${A}/`) fail(`the session cookie's path is ${session.path}, not /t/${A}/`);
  if (cookies.some((c) => c.name === 'mamori_session')) fail('a cookie without the tenant name was set');

  console.log(`- tenant ${B} in the same browser: not signed in`);
  await page.goto(`${BASE}/t/${B}/`);
  await onPath(page, `/t/${B}/signin`, 'the sign-in page of tenant B');
  const sent = await page.evaluate(async (b) => (await fetch(`/t/${b}/api/v1/auth/session`)).status, B);
  if (sent !== 401) fail(`tenant B answered ${sent} to the browser signed in to A`);
  console.log('tenants e2e: passed');
} finally {
  await browser.close();
}
