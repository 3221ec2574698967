// The web reviewer's speed in headless Chromium, served by the real `lockstep serve`:
//   node bench/browser.mjs LOCKSTEP RUNS
// - page load to first analysis on screen, example review: the page's own
//   `document.body.dataset.firstAnalysisMs` (milliseconds since navigation start), each load in a
//   fresh browser context (nothing cached between loads but the HTTP cache of the server);
// - keystroke to updated findings on the largest example (the fixture project's migrations,
//   uploaded as a folder, plus one SQL file being typed in): from the keydown event to the DOM
//   mutation that shows the finding for the new text, as the browser tests measure it. It
//   includes the reviewer's debounce.
// Prints one JSON line: medians and every run's figure.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join, resolve } from 'node:path';
import { argv, exit } from 'node:process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [lockstep, runsArg] = argv.slice(2);
const runs = Number(runsArg ?? 10);
if (!lockstep || !(runs >= 1)) {
  console.error('usage: node bench/browser.mjs LOCKSTEP RUNS');
  exit(2);
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const server = spawn(resolve(lockstep), ['serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
let browser;
try {
  const [line] = await Promise.race([
    createInterface({ input: server.stdout })[Symbol.asyncIterator]().next().then((r) => [r.value]),
    new Promise((_, reject) => setTimeout(() => reject(new Error('lockstep serve did not start')), 10_000)),
  ]);
  const baseUrl = line.replace('Lockstep reviewer on ', '').trim();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });

  const firstAnalysis = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(baseUrl);
    await page.getByTestId('summary').waitFor();
    await page.waitForFunction(() => Number(document.body.dataset.firstAnalysisMs) > 0);
    firstAnalysis.push(await page.evaluate(() => Number(document.body.dataset.firstAnalysisMs)));
    await context.close();
  }

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(baseUrl);
  await page.getByTestId('summary').waitFor();
  await page.getByTestId('upload-folder').setInputFiles(join(root, 'tests/django/project'));
  await page.locator('[data-testid=file-row][data-path="project/shop/migrations/0001_initial.py"]')
    .waitFor({ timeout: 60_000 });
  const files = await page.getByTestId('file-row').count();
  await page.getByTestId('new-file').click();
  await page.getByTestId('path').fill('db/0099_typing.sql');
  await page.getByTestId('path').press('Tab');
  await page.getByTestId('source').fill('CREATE INDEX ix ON shop_order (id);');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=finding]')]
    .some((f) => f.innerText.includes('INDEX ix ON')));
  const keystroke = [];
  let name = 'ix';
  for (let i = 0; i < runs; i++) {
    await page.getByTestId('source').evaluate((el, n) => { el.focus(); el.setSelectionRange(13 + n, 13 + n); }, name.length);
    name += 'y';
    await page.evaluate((expected) => {
      window.__typed = new Promise((resolve, reject) => {
        setTimeout(() => reject(new Error(`no finding for ${expected} after 10 s`)), 10_000);
        let start = 0;
        document.addEventListener('keydown', () => { start = performance.now(); }, { capture: true, once: true });
        const seen = () => [...document.querySelectorAll('[data-testid=finding] pre.sql')]
          .some((e) => e.textContent.includes(`INDEX ${expected} ON`));
        new MutationObserver((_, observer) => {
          if (start && seen()) { observer.disconnect(); resolve(performance.now() - start); }
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      });
    }, name);
    await page.keyboard.press('y');
    keystroke.push(await page.evaluate(() => window.__typed));
  }
  const analysisMs = await page.evaluate(() => Number(document.body.dataset.analysisMs));
  await context.close();
  console.log(JSON.stringify({
    runs, files, first_analysis_ms: median(firstAnalysis), keystroke_ms: median(keystroke),
    one_analysis_ms: analysisMs, first_analysis_all: firstAnalysis.map(Math.round),
    keystroke_all: keystroke.map(Math.round),
  }));
} finally {
  await browser?.close();
  server.kill();
}
