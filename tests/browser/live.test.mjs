// Issue 5: the live roundtable in the browser. Two participants and a facilitator in separate
// browser contexts; cards travel live, survive a cut network exactly once, and the
// facilitator's moves and merges show for everyone. Every page passes axe (WCAG 2.1 AA).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, phonePage, axeViolations } from './harness.mjs';
import { startProxy } from './proxy.mjs';

let server;
let browser;
let proxy;
before(async () => { server = await startServer(); browser = await launchBrowser(); proxy = await startProxy(server.url); });
after(async () => { await proxy?.close(); await browser?.close(); await server?.stop(); });

const CODE = 'INC425';

/** Joins through the join form at `${base}/t/CODE`; resolves on the live, hydrated board. */
async function join(page, base, name, organisation, kind = 'aps') {
  await page.goto(`${base}/t/${CODE}`);
  await page.getByLabel('Nome e cognome').fill(name);
  await page.getByLabel("Nome dell'ente (o «cittadino»)").fill(organisation);
  await page.getByLabel('Tipo di ente').selectOption(kind);
  await page.getByLabel("Ho letto l'informativa e accetto").check();
  await page.getByRole('button', { name: 'Entra nel tavolo' }).click();
  await page.waitForURL(/\/tavolo\//);
  await online(page);
}

/** The socket is up (the page hydrated and connected). */
async function online(page) {
  await page.locator('[data-testid="link-status"][data-link="online"]').waitFor({ timeout: 20000 });
}

async function facilitator(base = server.url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'it-IT' });
  const login = await context.request.post(`${base}/api/login`, { data: { email: 'udp@tavoli.demo', password: 'tavoli-demo' } });
  assert.equal(login.status(), 200);
  return context.newPage();
}

async function addCard(page, kindLabel, text) {
  const form = page.getByTestId('add-card');
  await form.getByLabel(kindLabel, { exact: true }).check();
  await form.getByLabel('Il tuo contributo').fill(text);
  await form.getByRole('button', { name: 'Invia contributo' }).click();
}

function cards(page, text) {
  return page.locator('[data-testid="card"]', { hasText: text });
}

test('a card typed by one participant appears for the other and for the facilitator', async () => {
  const anna = await phonePage(browser);
  const marco = await phonePage(browser);
  await join(anna, server.url, 'Anna Test', 'Auser Prova');
  await join(marco, server.url, 'Marco Test', 'Caritas Prova', 'odv');
  const roundtable = anna.url().split('/tavolo/')[1];
  const udp = await facilitator();
  await udp.goto(`${server.url}/tavolo/${roundtable}`);
  await online(udp);

  const text = `Serve un doposcuola nelle frazioni ${Date.now()}`;
  await addCard(anna, 'Proposta', text);
  await cards(marco, text).waitFor();
  await cards(udp, text).waitFor();
  assert.equal(await cards(marco.getByTestId('column-proposal'), text).count(), 1);
  await anna.context().close(); await marco.context().close(); await udp.context().close();
});

test('a participant whose network is cut and restored gets the card through exactly once', async () => {
  const anna = await phonePage(browser);
  await join(anna, proxy.url, 'Anna Rete', 'Auser Rete');
  const roundtable = anna.url().split('/tavolo/')[1];
  const marco = await phonePage(browser);
  await join(marco, server.url, 'Marco Rete', 'Caritas Rete', 'odv');

  // 1. Offline: the card waits, shown as pending, and goes out when the network is back.
  proxy.cut();
  await anna.locator('[data-testid="link-status"][data-link="offline"]').waitFor({ timeout: 20000 });
  const offline = `Trasporto sociale per le visite ${Date.now()}`;
  await addCard(anna, 'Bisogno', offline);
  await anna.getByTestId('pending-card').filter({ hasText: offline }).waitFor();
  proxy.restore();
  await cards(marco, offline).waitFor({ timeout: 30000 });
  await anna.getByTestId('pending-card').filter({ hasText: offline }).waitFor({ state: 'detached', timeout: 30000 });

  // 2. The ack is lost: the server stored the card but the page never heard. It sends the
  //    same command again on reconnect, and the server applies it once.
  await online(anna);
  proxy.dropReplies();
  const lostAck = `Sportello unico per le famiglie ${Date.now()}`;
  await addCard(anna, 'Risorsa', lostAck);
  await cards(marco, lostAck).waitFor();
  await anna.getByTestId('pending-card').filter({ hasText: lostAck }).waitFor();
  proxy.cut();
  proxy.restore();
  await cards(anna, lostAck).waitFor({ timeout: 30000 });
  await anna.getByTestId('pending-card').filter({ hasText: lostAck }).waitFor({ state: 'detached', timeout: 30000 });

  // Exactly once, on every screen and in the log.
  await marco.reload();
  await online(marco);
  assert.equal(await cards(marco, offline).count(), 1);
  assert.equal(await cards(marco, lostAck).count(), 1);
  const udp = await facilitator();
  const board = await (await udp.context().request.get(`${server.url}/api/roundtables/${roundtable}/board`)).json();
  assert.equal(board.contributions.filter((c) => c.text === offline).length, 1);
  assert.equal(board.contributions.filter((c) => c.text === lostAck).length, 1);
  await anna.context().close(); await marco.context().close(); await udp.context().close();
});

test('a card typed while the page reloads is not lost: the outbox survives in the browser', async () => {
  const anna = await phonePage(browser);
  await join(anna, proxy.url, 'Anna Ricarica', 'Auser Ricarica');
  proxy.cut();
  await anna.locator('[data-testid="link-status"][data-link="offline"]').waitFor({ timeout: 20000 });
  const text = `Centro diurno aperto il sabato ${Date.now()}`;
  await addCard(anna, 'Proposta', text);
  await anna.getByTestId('pending-card').filter({ hasText: text }).waitFor();
  proxy.restore();
  // The page is reloaded before the card could go (the server is reachable again).
  await anna.reload();
  await cards(anna.getByTestId('column-proposal'), text).waitFor({ timeout: 30000 });
  assert.equal(await cards(anna, text).count(), 1);
  await anna.context().close();
});

test('facilitator moves and merges show for everyone', async () => {
  const anna = await phonePage(browser);
  await join(anna, server.url, 'Anna Gruppi', 'Auser Gruppi');
  const roundtable = anna.url().split('/tavolo/')[1];
  const udp = await facilitator();
  await udp.goto(`${server.url}/tavolo/${roundtable}`);
  await online(udp);
  const stamp = Date.now();
  const first = `Poche borse lavoro per i NEET ${stamp}`;
  const second = `Mancano tirocini per i giovani ${stamp}`;
  await addCard(anna, 'Bisogno', first);
  await addCard(anna, 'Bisogno', second);
  await cards(udp, first).waitFor();
  await cards(udp, second).waitFor();

  // A cluster, and a move by keyboard (the select), seen by the participant.
  const cluster = `Lavoro ${stamp}`;
  await udp.getByLabel('Nuovo raggruppamento').fill(cluster);
  await udp.getByLabel('Nuovo raggruppamento').press('Enter');
  await udp.getByTestId('cluster').filter({ hasText: cluster }).waitFor();
  await cards(udp, first).getByTestId('move').selectOption({ label: cluster });
  await cards(anna, first).filter({ hasText: cluster }).waitFor();

  // Merge the two: both see one card with both texts, the sources gone.
  await cards(udp, first).getByLabel('Seleziona per unire').check();
  await cards(udp, second).getByLabel('Seleziona per unire').check();
  await udp.getByTestId('merge').click();
  const merged = `${first} / ${second}`;
  await cards(anna, merged).waitFor();
  await cards(udp, merged).waitFor();
  assert.equal(await anna.locator('[data-testid="card"]', { hasText: first }).count(), 1);
  await anna.context().close(); await udp.context().close();
});

test('join and add a card work without JavaScript', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 }, locale: 'it-IT' });
  const page = await context.newPage();
  await page.goto(`${server.url}/t`);
  await page.getByLabel('Codice del tavolo').fill(CODE.toLowerCase());
  await page.getByRole('button', { name: 'Continua' }).click();
  await page.getByLabel('Nome e cognome').fill('Lucia Senza Script');
  await page.getByLabel("Nome dell'ente (o «cittadino»)").fill('ODV Senza Script');
  await page.getByLabel('Tipo di ente').selectOption('odv');
  // Without consent the server refuses and says why.
  await page.getByLabel("Ho letto l'informativa e accetto").evaluate((box) => { box.required = false; });
  await page.getByRole('button', { name: 'Entra nel tavolo' }).click();
  await page.getByTestId('join-error').waitFor();
  assert.match(await page.getByTestId('join-error').innerText(), /informativa/);
  await page.getByLabel('Nome e cognome').fill('Lucia Senza Script');
  await page.getByLabel("Nome dell'ente (o «cittadino»)").fill('ODV Senza Script');
  await page.getByLabel('Tipo di ente').selectOption('odv');
  await page.getByLabel("Ho letto l'informativa e accetto").check();
  await page.getByRole('button', { name: 'Entra nel tavolo' }).click();
  await page.waitForURL(/\/tavolo\//);
  const text = `Un punto di ascolto al mercato ${Date.now()}`;
  await page.getByTestId('add-card').getByLabel('Il tuo contributo').fill(text);
  await page.getByTestId('add-card').getByRole('button', { name: 'Invia contributo' }).click();
  await page.waitForURL(/\/tavolo\//);
  await cards(page.getByTestId('column-need'), text).waitFor();
  // Coming back to the join link on the same device offers to resume.
  await page.goto(`${server.url}/t/${CODE}`);
  assert.ok(await page.getByTestId('resume').isVisible());
  await context.close();
});

test('join, participant, facilitator and projector pages have no WCAG 2.1 AA violation', async () => {
  const anna = await phonePage(browser);
  await anna.goto(`${server.url}/t/${CODE}`);
  assert.deepEqual(await axeViolations(anna), [], 'join page');
  await join(anna, server.url, 'Anna Axe', 'Auser Axe');
  assert.deepEqual(await axeViolations(anna), [], 'participant board');
  const roundtable = anna.url().split('/tavolo/')[1];
  const udp = await facilitator();
  await udp.goto(`${server.url}/tavolo/${roundtable}`);
  await online(udp);
  assert.deepEqual(await axeViolations(udp), [], 'facilitator board');
  await udp.goto(`${server.url}/proiezione/${roundtable}`);
  await online(udp);
  assert.ok(await udp.locator('.qr svg').isVisible());
  assert.equal(await udp.getByTestId('projector-code').innerText(), CODE);
  assert.deepEqual(await axeViolations(udp), [], 'projector');
  await anna.context().close(); await udp.context().close();
});
