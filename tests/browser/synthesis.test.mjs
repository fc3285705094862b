// Issue 7: the planning office creates a cross-cutting theme and drafts a sheet from the
// top-ranked proposal of the demo, edits it (saved as it goes, in the history) and follows the
// trace both ways: from the sheet to its needs and from a need to its sheets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, phonePage, axeViolations } from './harness.mjs';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

/** Signs in as the demo planning office (the cookie lands in the page's context). */
async function signIn(page) {
  const response = await page.request.post(`${server.url}/api/login`, {
    data: { email: 'udp@tavoli.demo', password: 'tavoli-demo' },
  });
  assert.equal(response.status(), 200);
  const { processes } = await (await page.request.get(`${server.url}/api/processes`)).json();
  return processes[0].id;
}

async function hydrated(page) {
  await page.locator('[data-hydrated="true"]').waitFor({ timeout: 30000 });
}

test('a theme and a sheet from a ranked proposal, traced both ways', async () => {
  const page = await phonePage(browser);
  const processId = await signIn(page);
  await page.goto(`${server.url}/percorsi/${processId}/sintesi`);
  await hydrated(page);

  // A cross-cutting theme linking needs of two roundtables.
  await page.getByLabel('Titolo', { exact: true }).fill('Accesso ai servizi');
  await page.getByLabel('Descrizione').fill('Sapere a chi rivolgersi, in ogni fase della vita.');
  const theme = page.locator('form[aria-labelledby="nuovo-tema"]');
  await theme.getByLabel(/Dopo le dimissioni ospedaliere/).check();
  const needOfAnotherTable = theme.locator('fieldset .check').filter({ hasNotText: 'Anziani e persone con disabilità' }).first();
  const otherText = (await needOfAnotherTable.locator('label').innerText()).replace(/\s*\([^)]*\)\s*$/, '');
  await needOfAnotherTable.locator('input').check();
  await page.getByRole('button', { name: 'Crea la dimensione trasversale' }).click();
  const created = page.getByTestId('theme').filter({ hasText: 'Accesso ai servizi' });
  await created.waitFor();
  assert.ok(await created.getByRole('link', { name: /Dopo le dimissioni ospedaliere/ }).isVisible());
  assert.ok(await created.getByRole('link', { name: otherText.slice(0, 30) }).first().isVisible());

  // The top-ranked proposal of the demo vote becomes a sheet.
  const top = page.getByTestId('proposal').first();
  assert.match(await top.innerText(), /1ª posizione/);
  await top.getByRole('button', { name: 'Crea una scheda da questa proposta' }).click();
  await page.waitForURL(/\/sintesi\/schede\//);
  await hydrated(page);
  const sheetUrl = page.url();
  const answered = page.getByTestId('answered-needs');
  await answered.getByRole('link', { name: /caregiver familiari/ }).waitFor();

  // Save as you go: a field, then the history says who changed what.
  const targets = page.getByLabel('Target (destinatari)');
  await targets.fill('Caregiver familiari\nPersone con disabilità grave');
  await targets.blur();
  await page.getByTestId('save-status').getByText('Salvato: Target (destinatari).').waitFor();
  await page.getByTestId('history').getByText('«Caregiver familiari; Persone con disabilità grave»').waitFor();
  assert.match(await page.getByTestId('history').innerText(), /Versione 2 · /);

  // The sheet also answers a need linked by hand.
  await page.getByText('Scegli i bisogni collegati').click();
  await page.getByLabel(/Molti anziani soli nelle frazioni/).check();
  await answered.getByRole('link', { name: /Molti anziani soli nelle frazioni/ }).waitFor();
  await page.getByTestId('save-status').getByText('Salvato: Bisogni a cui risponde.').waitFor();
  assert.deepEqual(await axeViolations(page), []);

  // From the sheet to a need, and from the need back to the sheet.
  await answered.getByRole('link', { name: /Molti anziani soli nelle frazioni/ }).click();
  await page.waitForURL(/\/sintesi#bisogno-/);
  const need = page.getByTestId('need').filter({ hasText: 'Molti anziani soli nelle frazioni' });
  const back = need.getByRole('link', { name: 'Un servizio di sollievo programmato per i caregiver, anche nei fine settimana.' });
  await back.waitFor();
  assert.equal(new URL(await back.getAttribute('href'), server.url).href, sheetUrl);
  // It no longer counts as a need no sheet answers.
  assert.ok(!(await page.getByTestId('uncovered').innerText()).includes('Molti anziani soli nelle frazioni'));
  assert.deepEqual(await axeViolations(page), []);
});

test('without signing in, the synthesis asks for access and shows nothing', async () => {
  const page = await phonePage(browser);
  const login = await page.request.post(`${server.url}/api/login`, { data: { email: 'udp@tavoli.demo', password: 'tavoli-demo' } });
  const { processes } = await (await page.request.get(`${server.url}/api/processes`, { headers: { authorization: `Bearer ${(await login.json()).token}` } })).json();
  await page.context().clearCookies();
  await page.goto(`${server.url}/percorsi/${processes[0].id}/sintesi`);
  await page.getByRole('alert').getByText(/Accesso richiesto/).waitFor();
  assert.equal(await page.getByTestId('need').count(), 0);
});
