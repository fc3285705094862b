// Issue 5, page weight: the pages participants see are hydrated by a bundle without the staff's
// pages; staff get the full one; a participant's page that navigates to a staff page in the
// browser is loaded again with the full bundle, and works.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser } from './harness.mjs';

let server;
let browser;
let table;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const staff = await browser.newContext();
  assert.equal((await staff.request.post(`${server.url}/api/login`, { data: { email: 'udp@tavoli.demo', password: 'tavoli-demo' } })).status(), 200);
  const process = (await (await staff.request.post(`${server.url}/api/processes`, { data: { title: 'Pesi', owner: 'Ambito', kind: 'co_programmazione' } })).json()).id;
  table = await (await staff.request.post(`${server.url}/api/processes/${process}/roundtables`, { data: { title: 'Tavolo leggero' } })).json();
  await staff.close();
});
after(async () => { await browser?.close(); await server?.stop(); });

/** A page that records which WebAssembly files it downloads. */
async function watchedPage(context) {
  const page = await context.newPage();
  page.wasm = [];
  page.on('request', (request) => {
    const match = request.url().match(/\/pkg\/([a-z_]+)_bg\.wasm$/);
    if (match) page.wasm.push(match[1]);
  });
  return page;
}

const hydratedBy = (page, bundle) => page.locator(`html[data-hydrated="${bundle}"]`).waitFor({ state: 'attached', timeout: 20000 });

test('a participant downloads only the participants\' bundle, and the board is live', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'it-IT' });
  const joined = await context.request.post(`${server.url}/api/join`, { data: { join_code: table.join_code, name: 'Lia Verdi', organisation: 'ODV Leggera', organisation_kind: 'odv', consent: true } });
  assert.equal(joined.status(), 201);
  const page = await watchedPage(context);
  await page.goto(`${server.url}/tavolo/${table.id}`);
  await hydratedBy(page, 'tavoli_participant');
  await page.locator('[data-testid="link-status"][data-link="online"]').waitFor({ timeout: 20000 });
  await page.getByLabel('Il tuo contributo').fill('Una sala per le riunioni delle associazioni');
  await page.getByRole('button', { name: 'Invia contributo' }).click();
  await page.locator('.contribution:not(.pending)', { hasText: 'Una sala per le riunioni' }).waitFor();
  assert.deepEqual(page.wasm, ['tavoli_participant']);
  await context.close();
});

test('staff get the full bundle on the same board', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'it-IT' });
  assert.equal((await context.request.post(`${server.url}/api/login`, { data: { email: 'udp@tavoli.demo', password: 'tavoli-demo' } })).status(), 200);
  const page = await watchedPage(context);
  await page.goto(`${server.url}/tavolo/${table.id}`);
  await hydratedBy(page, 'tavoli');
  await page.getByRole('heading', { name: 'Conduzione' }).waitFor();
  assert.deepEqual(page.wasm, ['tavoli']);
  await context.close();
});

test('following the staff sign-in link from a participants\' page loads the full bundle and signs in', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'it-IT' });
  const page = await watchedPage(context);
  await page.goto(`${server.url}/tavolo/${table.id}`);
  await hydratedBy(page, 'tavoli_participant');
  // The router handles this click in the browser; the participants' bundle has no sign-in
  // page, so the page is fetched again from the server, with the full bundle.
  await page.getByRole('link', { name: 'Accesso personale' }).click();
  await page.waitForURL(/\/accedi$/);
  await hydratedBy(page, 'tavoli');
  await page.getByLabel('Email').fill('udp@tavoli.demo');
  await page.getByLabel('Password').fill('tavoli-demo');
  await page.getByRole('button', { name: /Accedi/ }).click();
  await page.waitForURL(/\/ufficio$/);
  await page.getByRole('heading', { level: 1, name: 'Ufficio di Piano' }).waitFor();
  // Signing in loads the office page afresh, with the full bundle again.
  assert.equal(page.wasm[0], 'tavoli_participant');
  assert.ok(page.wasm.length >= 2 && page.wasm.slice(1).every((bundle) => bundle === 'tavoli'), page.wasm.join());
  await context.close();
});
