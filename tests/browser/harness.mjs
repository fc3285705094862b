// The browser-test harness: the real `tavoli` binary on port 0 with a fresh SQLite file, and
// Debian's headless Chromium driven by playwright-core. No browser is ever downloaded.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '..', '..');
const targetDir = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(root, 'target');

/** Starts `tavoli serve` and resolves once it prints its URL. */
export async function startServer({ demo = true } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tavoli-browser-'));
  const args = ['serve', ...(demo ? ['--demo'] : [])];
  const child = spawn(join(targetDir, 'debug', 'tavoli'), args, {
    env: {
      ...process.env,
      TAVOLI_ADDR: '127.0.0.1:0',
      TAVOLI_DATA_DIR: dataDir,
      TAVOLI_SITE_DIR: join(root, 'target', 'site'),
      TAVOLI_LOG: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`server did not start: ${out}`)), 30000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/serving at (http:\/\/\S+)/);
      if (match) { clearTimeout(timer); ok(match[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`server exited with ${code}: ${out}`)); });
  });
  return {
    url,
    dataDir,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((ok) => child.once('exit', ok));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Debian's Chromium, headless, with the flags this closed network needs. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** A phone-sized page (360 px wide, as a cheap Android phone). */
export async function phonePage(browser) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, locale: 'it-IT' });
  return context.newPage();
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core with the WCAG 2.1 A and AA rules; returns the violations. */
export async function axeViolations(page) {
  // Evaluated through the DevTools protocol: an injected <script> would be (rightly) blocked by
  // the page's Content-Security-Policy.
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
}
