// The browser page at / in a real browser: Debian's chromium driven by
// playwright-core against a fanoutd on 127.0.0.1 (FANOUTD names the binary).
// A person's path through it: calculate with the defaults, simulate, and see
// a server-side rejection explained.  SCREENSHOT, if set, receives a picture.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chromium } from 'playwright-core';

let server, port, browser, page;

before(async () => {
  server = spawn(process.env.FANOUTD, ['--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('fanoutd did not start')), 10000);
    server.stderr.once('data', (chunk) => {
      clearTimeout(timer);
      const m = /port (\d+)/.exec(String(chunk));
      m ? resolve(Number(m[1])) : reject(new Error(`fanoutd said: ${chunk}`));
    });
  });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
});

after(async () => {
  if (page && process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
  await browser?.close();
  server?.kill('SIGTERM');
});

test('the defaults give the least fanout, exactly', async () => {
  await page.click('#calc button[type=submit]');
  const summary = page.locator('#calc-out .summary');
  await summary.waitFor({ timeout: 10000 });
  assert.match(await summary.textContent(), /^fanout 3: P\(every node informed\) = 0\.99472\d* \(exact\)$/);
});

test('a simulation reports its delivery and interval', async () => {
  await page.fill('#simulate input[name=trials]', '2000');
  await page.fill('#simulate input[name=seed]', '1');
  await page.click('#simulate button[type=submit]');
  const summary = page.locator('#simulate-out .summary');
  await summary.waitFor({ timeout: 10000 });
  assert.match(await summary.textContent(), /^delivery 0\.99\d\d, everyone reached in \d+\.\d\d% of trials \[/);
  assert.match(await page.textContent('#simulate-out'), /"simulator": "fast"/);
});

test('a rejected field is explained, not swallowed', async () => {
  await page.fill('#calc input[name=target_prob]', '1');
  await page.click('#calc button[type=submit]');
  const out = page.locator('#calc-out.error');
  await out.waitFor({ timeout: 10000 });
  assert.match(await out.textContent(), /^400 Bad Request: "target_prob" must be a number greater than 0 and less than 1$/);
});
