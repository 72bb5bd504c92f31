// The dashboard end to end in real headless Chromium, against a running
// `airlock serve` that ui_browser.rs started and filled. Exits non-zero
// with the first failed expectation.
//
// Env: AIRLOCK_URL, REVIEWER_KEY, OWNER_KEY, AUDITOR_KEY, REVIEW_ID (the
// task to override), OTHER_REVIEW_ID (one to leave alone), RUN_ID (the
// run of REVIEW_ID), SCREENSHOT_DIR (optional: writes the docs' images).

import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const base = env('AIRLOCK_URL');
const reviewId = env('REVIEW_ID');
const otherReviewId = env('OTHER_REVIEW_ID');
const runId = env('RUN_ID');
const shots = process.env.SCREENSHOT_DIR;
const step = (text) => console.log(`- ${text}`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const browserErrors = [];
const openPages = [];

async function signedIn(key, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  openPages.push(page);
  page.on('pageerror', (e) => browserErrors.push(e.message));
  // Chromium logs every 4xx answer as a console error; the answers the
  // test expects are asserted where they happen, so only script errors count.
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) browserErrors.push(m.text()); });
  await page.goto(`${base}/ui`);
  await page.waitForURL(/\/ui\/sign-in/);
  await page.getByLabel('API key').fill(key);
  await page.getByLabel('API key').press('Enter');
  await page.waitForURL((url) => !url.pathname.endsWith('/sign-in'));
  return { context, page };
}

async function everyControlIsLabelled(page, where) {
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
    .filter((el) => !el.hidden && el.offsetParent !== null)
    .filter((el) => {
      if (el.tagName === 'BUTTON') return !el.textContent.trim() && !el.getAttribute('aria-label');
      return el.labels.length === 0 && !el.getAttribute('aria-label') && !el.closest('label');
    })
    .map((el) => el.outerHTML.slice(0, 80)));
  assert.deepEqual(unlabelled, [], `unlabelled controls on ${where}`);
}

async function fitsTheScreen(page, where) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${where} is ${overflow}px wider than a narrow screen`);
}

try {
  // The owner looks at the workflow first, to see its numbers move later.
  step('owner signs in and reads the workflow quality');
  const owner = await signedIn(env('OWNER_KEY'));
  await owner.page.goto(`${base}/ui/workflows/refunds`);
  await owner.page.locator('#q-resolved').waitFor();
  const before = {
    resolved: await owner.page.locator('#q-resolved').textContent(),
    override: await owner.page.locator('#q-override').textContent(),
    accuracy: await owner.page.locator('#q-accuracy').textContent(),
  };
  assert.equal(before.resolved, '0');
  await owner.page.locator('figure.chart canvas').first().waitFor();
  assert.equal(await owner.page.locator('figure.chart').count(), 2, 'two charts');
  await everyControlIsLabelled(owner.page, 'the workflow page');
  if (shots) await owner.page.screenshot({ path: `${shots}/workflow.png`, fullPage: true });

  step('reviewer signs in with the keyboard; the cookie is HttpOnly and SameSite=Strict');
  const reviewer = await signedIn(env('REVIEWER_KEY'));
  const page = reviewer.page;
  const cookies = await reviewer.context.cookies();
  const session = cookies.find((c) => c.name === 'airlock_session');
  assert.ok(session, 'a session cookie is set');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Strict');
  assert.equal(await page.evaluate(() => document.cookie.includes('airlock_session')), false, 'scripts cannot read the cookie');
  await page.waitForURL(/\/ui\/reviews$/);
  await page.locator('table.queue').waitFor();
  const rows = await page.locator('table.queue tbody tr').count();
  assert.ok(rows >= 2, `the queue lists the tasks (${rows})`);
  assert.match(await page.locator('table.queue').textContent(), /large-refund/, 'why escalated is shown');
  assert.equal(await page.locator('nav a', { hasText: 'Audit' }).count(), 0, 'a reviewer has no audit link');
  await everyControlIsLabelled(page, 'the review queue');
  if (shots) await page.screenshot({ path: `${shots}/review-queue.png`, fullPage: true });

  step('the queue filters by workflow and status');
  await page.getByLabel('Status').selectOption('open');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.waitForURL(/status=open/);
  await page.locator('table.queue').waitFor();

  step('the reviewer opens the oldest task with the keyboard: it is claimed, the lease shown');
  await page.locator('body').press('j');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), `/ui/reviews/${reviewId}`,
    'j selects the task due first');
  await page.keyboard.press('Enter');
  await page.waitForURL(new RegExp(`/ui/reviews/${reviewId}$`));
  await page.getByText('claimed by you').waitFor();
  await everyControlIsLabelled(page, 'the task page');
  const claimed = await page.evaluate(async (id) => (await fetch(`/v1/reviews/${id}`)).json(), reviewId);
  assert.ok(claimed.claims.some((c) => c.live), 'the API shows the live claim');

  step('a state-changing request without the CSRF token is refused');
  const noToken = await page.evaluate(async (id) => {
    const r = await fetch(`/v1/reviews/${id}/claim`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ reviewer: 'rita' }),
    });
    return { status: r.status, body: await r.json() };
  }, otherReviewId);
  assert.equal(noToken.status, 403, JSON.stringify(noToken.body));
  assert.match(noToken.body.error.message, /CSRF/);
  const wrongToken = await page.evaluate(async (id) => (await fetch(`/v1/reviews/${id}/claim`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': 'ab'.repeat(32) }, body: JSON.stringify({ reviewer: 'rita' }),
  })).status, otherReviewId);
  assert.equal(wrongToken, 403);
  const untouched = await page.evaluate(async (id) => (await fetch(`/v1/reviews/${id}`)).json(), otherReviewId);
  assert.equal(untouched.claims.length, 0, 'the refused requests changed nothing');

  step('override needs a reason; the output editor is checked against the contract');
  await page.locator('body').press('o');
  const editor = page.getByLabel('Output (JSON, checked against the output contract)');
  await editor.waitFor();
  await editor.fill('{"approved": "yes", "note": "x"}');
  await page.getByRole('button', { name: 'Submit decision' }).click();
  await page.getByText('A reason is required to override.').waitFor();
  await page.getByLabel('Reason (required to override or reject)').fill('Customer is a verified long-standing account');
  await page.getByLabel('Reason (required to override or reject)').press('Control+Enter');
  await page.locator('[role=alert]').filter({ hasText: /contract|approved/ }).waitFor();
  if (shots) await page.screenshot({ path: `${shots}/review-task.png`, fullPage: true });

  step('the override with a valid output resolves the task');
  await editor.fill('{"approved": true, "note": "approved by the reviewer"}');
  await page.getByLabel('Reason (required to override or reject)').press('Control+Enter');
  await page.locator('.badge.action-override').first().waitFor();
  await page.getByRole('link', { name: 'See the run' }).click();

  step('the run shows the new final output, the trace and the review history');
  await page.waitForURL(new RegExp(`/ui/runs/${runId}$`));
  await page.locator('#final-output').filter({ hasText: 'approved by the reviewer' }).waitFor();
  await page.getByText('changed by review').waitFor();
  assert.match(await page.locator('#decided-by').textContent(), /rita/);
  assert.match(await page.locator('table').first().textContent(), /small/, 'the trace lists the steps');
  assert.match(await page.locator('ol.timeline').textContent(), /override/);
  if (shots) {
    await page.evaluate(() => document.getElementById('toast').classList.remove('shown'));
    await page.screenshot({ path: `${shots}/run-trace.png`, fullPage: true });
  }

  step('the owner sees the quality numbers move');
  await owner.page.reload();
  await owner.page.locator('#q-resolved').waitFor();
  assert.equal(await owner.page.locator('#q-resolved').textContent(), '1');
  assert.notEqual(await owner.page.locator('#q-override').textContent(), before.override);
  assert.equal(await owner.page.locator('#q-override').textContent(), '100.0 %');

  step('a reviewer cannot open the audit page');
  await page.goto(`${base}/ui/audit`);
  await page.locator('[role=alert]').filter({ hasText: 'Not permitted' }).waitFor();
  assert.equal(await page.locator('table').count(), 0, 'no audit record is shown');

  step('an auditor browses the log and verifies the chain');
  const auditor = await signedIn(env('AUDITOR_KEY'));
  await auditor.page.waitForURL(/\/ui\/audit$/);
  await auditor.page.locator('table').waitFor();
  assert.match(await auditor.page.locator('table').textContent(), /review\.resolved/);
  assert.match(await auditor.page.locator('table').textContent(), /access\.denied/, 'the reviewer’s refused audit read is recorded');
  await auditor.page.getByRole('button', { name: 'Verify the chain' }).click();
  await auditor.page.getByText('The chain is intact.').waitFor();
  await everyControlIsLabelled(auditor.page, 'the audit page');

  step('narrow screens: queue, task, run and workflow pages fit');
  const narrow = await signedIn(env('REVIEWER_KEY'), { width: 390, height: 844 });
  for (const path of ['/ui/reviews', `/ui/reviews/${otherReviewId}`, `/ui/runs/${runId}`]) {
    await narrow.page.goto(`${base}${path}`);
    await narrow.page.locator('h1').waitFor();
    await narrow.page.waitForLoadState('networkidle');
    await fitsTheScreen(narrow.page, path);
  }
  const narrowOwner = await signedIn(env('OWNER_KEY'), { width: 390, height: 844 });
  await narrowOwner.page.goto(`${base}/ui/workflows/refunds`);
  await narrowOwner.page.locator('figure.chart canvas').first().waitFor();
  await fitsTheScreen(narrowOwner.page, 'the workflow page');

  step('signing out ends the session');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/ui\/sign-in/);
  const afterSignOut = await page.evaluate(async () => (await fetch('/v1/session')).status);
  assert.equal(afterSignOut, 401);

  assert.deepEqual(browserErrors, [], 'no script errors in the pages');
  console.log('dashboard e2e: all expectations met');
} catch (error) {
  // Say what the pages showed, so a failure in CI can be read.
  for (const page of openPages) {
    const text = await page.locator('main').innerText().catch(() => '<no main>');
    console.error(`page ${page.url()}:\n${text.slice(0, 2000)}\n`);
  }
  console.error(`script errors: ${JSON.stringify(browserErrors)}`);
  throw error;
} finally {
  await browser.close();
}
