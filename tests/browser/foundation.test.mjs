// Issue 3: the page is served, hydrates, and meets WCAG 2.1 AA on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, phonePage, axeViolations } from './harness.mjs';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

test('the home page lists the demo roundtables with their join codes', async () => {
  const page = await phonePage(browser);
  await page.goto(server.url);
  await page.getByText('Anziani e persone con disabilità').waitFor();
  assert.ok(await page.getByRole('link', { name: /ANZ425/ }).isVisible());
});

test('the page hydrates: the language switch only works once the WebAssembly runs', async () => {
  const page = await phonePage(browser);
  await page.goto(server.url);
  await page.getByRole('heading', { level: 1, name: 'Tavoli tematici in tempo reale' }).waitFor();
  // Before hydration the button has no handler; keep clicking until the WASM answers.
  const switcher = page.getByTestId('lang-switch');
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    await switcher.click();
    if (await page.getByRole('heading', { level: 1, name: 'Live thematic roundtables' }).isVisible()) break;
    await page.waitForTimeout(250);
  }
  assert.equal(await page.locator('h1').innerText(), 'Live thematic roundtables');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  // The choice is remembered: the server renders English on the next load, before any script.
  await page.reload();
  assert.equal(await page.locator('h1').innerText(), 'Live thematic roundtables');
});

test('the home page has no WCAG 2.1 AA violation at phone width', async () => {
  const page = await phonePage(browser);
  await page.goto(server.url);
  await page.getByText('Anziani e persone con disabilità').waitFor();
  assert.deepEqual(await axeViolations(page), []);
});
