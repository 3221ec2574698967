// The reviewer in real headless Chromium, served by the real `lockstep serve` binary.
// Run by scripts/test after `trunk build` and `cargo build -p lockstep-runner`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const screenshots = join(root, 'tests', 'screenshots');
const example = readFileSync(join(root, 'examples/review/shop/migrations/0002_order_created.py'), 'utf8');

let server;
let baseUrl;
let browser;

before(async () => {
  mkdirSync(screenshots, { recursive: true });
  server = spawn(join(root, 'target/debug/lockstep'), ['serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
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

/** A fresh page that fails the test on any uncaught error. */
async function open(t, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  t.after(async () => {
    await context.close();
    assert.deepEqual(errors, [], 'the page logged errors');
  });
  await page.goto(baseUrl);
  await page.getByTestId('summary').waitFor();
  return page;
}

const findingRules = (page) => page.getByTestId('finding').evaluateAll((els) => els.map((e) => e.dataset.rule));

test('opens with the example review and its finding', async (t) => {
  const page = await open(t);
  const finding = page.locator('[data-rule="add-index-non-concurrent"]');
  await finding.waitFor();
  assert.match(await finding.innerText(), /shop\/migrations\/0002_order_created\.py:13:9/);
  assert.match(await finding.innerText(), /CREATE INDEX CONCURRENTLY "shop_order_created_idx"/);
  assert.deepEqual(
    await page.getByTestId('operation').evaluateAll((els) => els.map((e) => e.dataset.kind)),
    ['AddField', 'AddIndex', 'SQL', 'SQL'],
  );
  await page.screenshot({ path: join(screenshots, 'reviewer-example.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 800 });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no horizontal scrolling at 390 px');
  await page.screenshot({ path: join(screenshots, 'reviewer-narrow.png'), fullPage: true });
});

test('pasting a migration shows its operation and finding', async (t) => {
  const page = await open(t);
  await page.getByTestId('new-file').click();
  await page.getByTestId('path').fill('shop/migrations/0005_pasted.py');
  await page.getByTestId('path').press('Tab');
  const pasted = example.replace('"created"]', '"created", "-id"]');
  // A real paste: the text goes through the clipboard and Ctrl+V into the focused textarea.
  await page.evaluate((text) => navigator.clipboard.writeText(text), pasted);
  await page.getByTestId('source').click();
  await page.keyboard.press('Control+V');
  await page.waitForFunction(() => document.querySelectorAll('[data-rule="add-index-non-concurrent"]').length === 2);
  const texts = await page.locator('[data-rule="add-index-non-concurrent"]').allInnerTexts();
  const pastedFinding = texts.find((text) => text.includes('0005_pasted.py:13:9'));
  assert.ok(pastedFinding, texts.join('\n---\n'));
  assert.match(pastedFinding, /ON "shop_order" \("created", "id" DESC\)/);
});

test('bad input gets a clear error with a location, and the rest still shows', async (t) => {
  const page = await open(t);
  const upload = page.getByTestId('upload');
  const huge = Buffer.from(
    'from django.db import migrations\nclass Migration(migrations.Migration):\n    operations = [\n' +
      '        migrations.RunSQL("SELECT 1"),\n'.repeat(140_000) + '    ]\n',
  );
  assert.ok(huge.length > 5 * 1024 * 1024);
  await upload.setInputFiles([
    { name: '0001_truncated.py', mimeType: 'text/x-python', buffer: Buffer.from(example.slice(0, example.length / 2)) },
    { name: '0002_binary.py', mimeType: 'application/octet-stream', buffer: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 0xff]) },
    { name: '0003_empty.py', mimeType: 'text/x-python', buffer: Buffer.alloc(0) },
    { name: '0004_huge.py', mimeType: 'text/x-python', buffer: huge },
  ]);
  await page.waitForFunction(() => document.querySelectorAll('[data-rule="unparsable-source"]').length === 3, null, { timeout: 60_000 });
  const errors = await page.locator('[data-rule="unparsable-source"]').allInnerTexts();
  assert.ok(errors.some((e) => /0001_truncated\.py:\d+:\d+/.test(e) && e.includes('Python syntax error')), errors.join('\n'));
  assert.ok(errors.some((e) => e.includes('0002_binary.py:1:5') && e.includes('binary file')), errors.join('\n'));
  assert.ok(errors.some((e) => e.includes('0003_empty.py:1:1') && e.includes('no `class Migration')), errors.join('\n'));
  // The example's finding is still there, and the huge file was analysed.
  assert.ok((await findingRules(page)).includes('add-index-non-concurrent'));
  assert.ok((await page.getByTestId('operation').count()) > 140_000);
});

test('user content is rendered as text and never executed', async (t) => {
  const page = await open(t);
  await page.getByTestId('new-file').click();
  const hostile = 'CREATE INDEX "<img src=x onerror=window.__pwned=1>" ON t (c);\n' +
    '-- <script>window.__pwned = 2</script> javascript:window.__pwned=3\n' +
    'SELECT \'"><svg onload=window.__pwned=4>\';';
  await page.getByTestId('path').fill('db/0009_hostile.sql');
  await page.getByTestId('path').press('Tab');
  await page.getByTestId('source').fill(hostile);
  const finding = page.locator('[data-rule="add-index-non-concurrent"]', { hasText: '0009_hostile.sql' });
  await finding.waitFor();
  assert.match(await finding.innerText(), /<img src=x onerror=window\.__pwned=1>/);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.locator('main img, main script, main svg').count(), 0);
});
