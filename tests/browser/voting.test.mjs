// Issue 6 in the browser: ten participants of two organisations vote with one ballot per
// organisation; the projector shows the ranking the ballots make.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser } from './harness.mjs';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

test('ten participants in two organisations vote per organisation; the projector ranks the cards', async () => {
  // The facilitator prepares three proposals and opens a round: 3 dots per organisation.
  const staff = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'it-IT' });
  assert.equal((await staff.request.post(`${server.url}/api/login`, { data: { email: 'udp@tavoli.demo', password: 'tavoli-demo' } })).status(), 200);
  const process = (await (await staff.request.post(`${server.url}/api/processes`, { data: { title: 'Voto di prova', owner: 'Ambito', kind: 'co_programmazione' } })).json()).id;
  const table = await (await staff.request.post(`${server.url}/api/processes/${process}/roundtables`, { data: { title: 'Priorità' } })).json();
  const command = async (body) => {
    const response = await staff.request.post(`${server.url}/api/roundtables/${table.id}/commands`, { data: { command_id: crypto.randomUUID(), ...body } });
    assert.equal(response.status(), 200, await response.text());
  };
  const ids = [];
  for (const text of ['Trasporto sociale', 'Sportello badanti', 'Centro diurno']) {
    const command_id = crypto.randomUUID();
    ids.push(command_id);
    await staff.request.post(`${server.url}/api/roundtables/${table.id}/commands`, { data: { command_id, type: 'add_contribution', kind: 'proposal', text } });
  }
  await command({ type: 'set_phase', phase: 'vote' });
  await command({ type: 'open_voting', contribution_ids: ids, dots_per_voter: 3, max_per_contribution: 3, ballot: 'organisation', secret: false });

  const projector = await staff.newPage();
  await projector.goto(`${server.url}/proiezione/${table.id}`);
  await projector.locator('[data-testid="link-status"][data-link="online"]').waitFor({ timeout: 20000 });

  // Five members of each organisation; the first members spend the ballot, the rest find it spent.
  // Auser: 2 dots on "Centro diurno", 1 on "Trasporto sociale". Caritas: 3 on "Centro diurno".
  const plan = { Auser: ['Centro diurno', 'Centro diurno', 'Trasporto sociale'], Caritas: ['Centro diurno', 'Sportello badanti', 'Sportello badanti'] };
  for (const [organisation, dots] of Object.entries(plan)) {
    for (let member = 0; member < 5; member += 1) {
      const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'it-IT' });
      const joined = await context.request.post(`${server.url}/api/join`, { data: { join_code: table.join_code, name: `${organisation} ${member}`, organisation, organisation_kind: 'odv', consent: true } });
      assert.equal(joined.status(), 201);
      const page = await context.newPage();
      await page.goto(`${server.url}/tavolo/${table.id}`);
      await page.locator('[data-testid="link-status"][data-link="online"]').waitFor({ timeout: 20000 });
      const dot = dots[member];
      if (dot) {
        await page.getByTestId('ballot-row').filter({ hasText: dot }).getByRole('button', { name: /un punto a/ }).click();
      }
      const expectedLeft = 3 - Math.min(member + 1, 3);
      const left = expectedLeft === 1 ? 'Ti resta 1 punto su 3' : `Ti restano ${expectedLeft} punti su 3`;
      await page.getByTestId('dots-left').filter({ hasText: left }).waitFor();
      await context.close();
    }
  }
  await command({ type: 'close_voting', round: 1 });
  // Centro diurno 3, Sportello badanti 2, Trasporto sociale 1.
  await projector.getByTestId('round').filter({ hasText: '(chiusa)' }).waitFor();
  const rows = projector.getByTestId('result');
  assert.equal(await rows.count(), 3);
  const ranking = [];
  for (let i = 0; i < 3; i += 1) ranking.push([await rows.nth(i).locator('.result-text').innerText(), await rows.nth(i).getAttribute('data-dots')]);
  assert.deepEqual(ranking, [['Centro diurno', '3'], ['Sportello badanti', '2'], ['Trasporto sociale', '1']]);
  await staff.close();
});
