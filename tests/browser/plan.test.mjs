// The Plan tab and the Migration Report in real headless Chromium, served by the real
// `lockstep serve`; the digest is checked against the downloaded bytes and against what the
// real `lockstep plan` prints for the same files and choices.
// Screenshots go to tests/screenshots/ (gitignored), as in reviewer.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { mkdirSync, readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const screenshots = join(root, 'tests', 'screenshots');
const lockstep = join(root, 'target/debug/lockstep');
const exampleFiles = ['shop/migrations/0002_order_created.py', 'db/0003_order_status.sql'];

let server;
let baseUrl;
let browser;

before(async () => {
  mkdirSync(screenshots, { recursive: true });
  server = spawn(lockstep, ['serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await Promise.race([
    createInterface({ input: server.stdout })[Symbol.asyncIterator]().next().then((r) => [r.value]),
    new Promise((_, reject) => setTimeout(() => reject(new Error('lockstep serve did not start')), 10_000)),
  ]);
  baseUrl = line.replace('Lockstep reviewer on ', '').trim();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill();
});

/** A fresh page (a new browser context) that fails the test on any page error. */
async function open(t, { viewport = { width: 1280, height: 800 }, url = baseUrl } = {}) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  t.after(async () => {
    await context.close();
    assert.deepEqual(errors, [], 'the page logged errors');
  });
  await page.goto(url);
  await page.getByTestId('summary').waitFor();
  return page;
}

/** The bytes of the file a click on `link` downloads. */
async function download(page, link) {
  const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
  return readFileSync(await file.path());
}

const sha256 = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const planDigest = (page) => page.getByTestId('plan-digest').locator('code').innerText();
const indexStep = (page) => page.locator('[data-testid=step-sql]', { hasText: 'shop_order_created_idx' }).first();

/** What the real `lockstep plan` prints (and writes) for the example files and `choices`. */
function runnerPlan(choices) {
  const dir = mkdtempSync(join(tmpdir(), 'web2-plan-'));
  try {
    for (const path of exampleFiles) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), readFileSync(join(root, 'examples/review', path)));
    }
    writeFileSync(join(dir, 'choices.json'), JSON.stringify(choices));
    const digest = execFileSync(lockstep, ['plan', ...exampleFiles, '-o', 'plan.json', '--choices', 'choices.json'], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
    return { digest, json: readFileSync(join(dir, 'plan.json')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('plan: a choice changes the SQL and the digest; approve waits for acknowledgements; the digest is the runner\'s', async (t) => {
  const page = await open(t);
  await page.getByTestId('reviewer').fill('Ana');
  await page.getByTestId('tab-plan').click();
  const choice = page.locator('[data-testid=choice][data-rule="add-index-non-concurrent"]');
  const fingerprint = await choice.getAttribute('data-fingerprint');
  // Safe rewrite by default: the index is built concurrently, in autocommit.
  assert.ok(await choice.getByTestId('choice-safe').isChecked());
  assert.match(await indexStep(page).innerText(), /CREATE INDEX CONCURRENTLY "shop_order_created_idx"/);
  const indexStepItem = page.locator('[data-testid=step]', { has: indexStep(page) });
  assert.match(await indexStepItem.getByTestId('step-transaction').innerText(), /autocommit/);
  assert.equal(await indexStepItem.getByTestId('step-statement-timeout').innerText(), 'none');
  assert.equal(await indexStepItem.getByTestId('step-lock-timeout').innerText(), '2000 ms');
  assert.match(await indexStepItem.getByTestId('step-reverse').innerText(), /DROP INDEX CONCURRENTLY IF EXISTS "shop_order_created_idx"/);
  assert.match(await indexStepItem.getByTestId('step-id').innerText(), /^shop\.0002_order_created\/1\.\d+$/);
  assert.ok(await page.locator('[data-testid=phase][data-phase="pre-deploy"]').count() === 1);
  const safeDigest = await planDigest(page);
  assert.equal(safeDigest, runnerPlan({}).digest);

  // Keep as written: CONCURRENTLY disappears, the digest changes, approval is blocked and says why.
  await choice.getByTestId('choice-keep').check();
  await page.waitForFunction((d) => document.querySelector('[data-testid=plan-digest] code').innerText !== d, safeDigest);
  assert.doesNotMatch(await indexStep(page).innerText(), /CONCURRENTLY/);
  assert.match(await indexStep(page).innerText(), /CREATE INDEX "shop_order_created_idx" ON "shop_order"/);
  const keptDigest = await planDigest(page);
  assert.notEqual(keptDigest, safeDigest);
  assert.ok(await page.getByTestId('approve').isDisabled());
  const blocker = page.locator(`[data-testid=blocker][data-fingerprint="${fingerprint}"]`);
  assert.match(await blocker.innerText(), /add-index-non-concurrent .*kept as written/);
  await choice.getByTestId('choice-needs-ack').waitFor();

  // The choice links to the finding's acknowledge control.
  await choice.getByTestId('choice-ack').click();
  const finding = page.locator(`[data-testid=finding][data-fingerprint="${fingerprint}"]`);
  await finding.getByTestId('note-text').fill('40 rows; the build takes milliseconds');
  await finding.getByTestId('note-save').click();
  await finding.getByTestId('acknowledgement').waitFor();
  // Every other blocking error too, each through its own link.
  await page.getByTestId('tab-plan').click();
  for (;;) {
    const others = page.getByTestId('blocker');
    if (await others.count() === 0) break;
    assert.ok(await page.getByTestId('approve').isDisabled());
    const other = await others.first().getAttribute('data-fingerprint');
    assert.notEqual(other, fingerprint);
    await others.first().getByTestId('blocker-ack').click();
    const card = page.locator(`[data-testid=finding][data-fingerprint="${other}"]`);
    await card.getByTestId('note-text').fill('the table is tiny');
    await card.getByTestId('note-save').click();
    await card.getByTestId('acknowledgement').waitFor();
    await page.getByTestId('tab-plan').click();
  }
  assert.ok(await choice.getByTestId('choice-keep').isChecked());
  assert.equal(await planDigest(page), keptDigest);

  // Approve: the digest, the download (whose bytes have that digest), the exact command.
  await page.getByTestId('approve').click();
  const digest = await page.getByTestId('digest').innerText();
  assert.equal(digest, keptDigest);
  assert.equal(await page.getByTestId('apply-command').innerText(), `lockstep apply plan.json --approve ${digest}`);
  const json = await download(page, page.getByTestId('download-plan'));
  assert.equal(sha256(json), digest);
  // The same files and choices through the real `lockstep plan`: the same digest and bytes.
  const runner = runnerPlan({ [fingerprint]: 'keep' });
  assert.equal(runner.digest, digest);
  assert.equal(json.toString('utf8'), runner.json.toString('utf8'));
  console.log(`plan digest (index kept as written), browser = download = lockstep plan: ${digest}`);
  await page.screenshot({ path: join(screenshots, 'plan-approved.png'), fullPage: true });

  // The choices travel in the review link.
  await page.getByTestId('copy-link').click();
  await page.getByTestId('shared').waitFor();
  const link = await page.getByTestId('shared-link').inputValue();
  const fresh = await open(t, { url: link });
  await fresh.getByTestId('tab-plan').click();
  const freshChoice = fresh.locator(`[data-testid=choice][data-fingerprint="${fingerprint}"]`);
  assert.ok(await freshChoice.getByTestId('choice-keep').isChecked());
  assert.equal(await planDigest(fresh), keptDigest);
  assert.ok(await fresh.getByTestId('approve').isEnabled());
  await fresh.getByTestId('approve').click();
  assert.equal(await fresh.getByTestId('digest').innerText(), keptDigest);
});

test('approval is withdrawn when the plan changes', async (t) => {
  const page = await open(t);
  await page.getByTestId('tab-plan').click();
  // Acknowledge whatever blocks, then approve the safe plan.
  while (await page.getByTestId('blocker').count() > 0) {
    const other = await page.getByTestId('blocker').first().getAttribute('data-fingerprint');
    await page.getByTestId('blocker').first().getByTestId('blocker-ack').click();
    const card = page.locator(`[data-testid=finding][data-fingerprint="${other}"]`);
    await card.getByTestId('note-text').fill('fine');
    await card.getByTestId('note-save').click();
    await card.getByTestId('acknowledgement').waitFor();
    await page.getByTestId('tab-plan').click();
  }
  await page.getByTestId('approve').click();
  await page.getByTestId('approved').waitFor();
  const choice = page.locator('[data-testid=choice][data-rule="add-index-non-concurrent"]');
  await choice.getByTestId('choice-keep').check();
  await page.getByTestId('approved').waitFor({ state: 'detached' });
  assert.ok(await page.getByTestId('approve').isDisabled());
});

test('report: the Migration Report rendered as text, downloadable as Markdown', async (t) => {
  const page = await open(t);
  await page.getByTestId('tab-plan').click();
  const digest = await planDigest(page);
  await page.getByTestId('tab-report').click();
  const report = page.getByTestId('report');
  await report.waitFor();
  assert.match(await page.getByTestId('report-state').innerText(), new RegExp(`Pending migrations: 2 .*shop\\.0002_order_created`));
  assert.match(await page.getByTestId('report-state').innerText(), new RegExp(digest.replace(':', ':')));
  assert.match(await report.innerText(), /Changes Made/);
  assert.match(await page.getByTestId('report-verification').innerText(), /\[unverified\] index shop_order_created_idx exists and is valid/);
  assert.ok(await page.getByTestId('report-operation').count() >= 4);
  const markdown = (await download(page, page.getByTestId('download-report'))).toString('utf8');
  assert.match(markdown, /^# Migration Report\n/);
  for (const section of ['## Current State', '## Changes Made', '## Verification', '## Findings']) {
    assert.ok(markdown.includes(section), section);
  }
  assert.ok(markdown.includes(digest), 'the Markdown names the plan digest');
  await page.screenshot({ path: join(screenshots, 'report.png'), fullPage: true });
});
