// Browser tests of the live features, in real headless Chromium against a
// real `armsflow serve` (with a write token) on loopback:
//   - a write through the API reaches an open map: the new flow is
//     highlighted and named in a toast (the time it takes, aimed at under a
//     second, is measured and reported, not asserted), and the tiles are
//     fetched again with the new data version (v=...);
//   - presenter rooms: a presenter's map drives its viewers' maps (camera,
//     filters, layers, caption), its camera states throttled to one per
//     100 ms, a viewer detaches and rejoins, a late joiner gets the latest
//     state at once, and stopping ends it for all.
// Every wait is for an event or a condition, bounded by WAIT_MS (90 s), so a
// slow, busy machine only makes the run longer. Screenshots go to
// $ARMSFLOW_TEST_OUT/browser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, launchBrowser, WRITE_TOKEN, guardedContext, waitForMap, screenshot, writeReport, haveChromium, outDir, WAIT_MS,
} from './harness.mjs';

const skip = haveChromium() ? false : 'no Chromium at /usr/bin/chromium (apt-get install chromium)';
let server, browser;

before(async () => {
  if (skip) return;
  server = await startServer();
  browser = await launchBrowser();
  console.log(`# armsflow at ${server.base}; screenshots in ${outDir}`);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A page that collects its errors (the 401 of a refused token is expected where asked). */
async function openPage(ctx, url, errors) {
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url);
  return page;
}

const camera = (page) => page.evaluate(() => {
  const m = window.armsflow.map;
  const c = m.getCenter();
  return { lng: c.lng, lat: c.lat, zoom: m.getZoom(), moving: m.isMoving() };
});

/** Waits until a page's camera is at a view (within what the URL form keeps) and still. */
async function waitForCamera(page, want, timeout = WAIT_MS) {
  await page.waitForFunction((w) => {
    const m = window.armsflow.map;
    const c = m.getCenter();
    return !m.isMoving() && Math.abs(c.lng - w.lng) < 0.01 && Math.abs(c.lat - w.lat) < 0.01 && Math.abs(m.getZoom() - w.zoom) < 0.01;
  }, want, { timeout, polling: 50 });
}

/**
 * Polls GET /api/rooms/{id} until its state passes a test: a room state
 * goes over the presenter's WebSocket, so an HTTP read at the same moment
 * may still see the one before. Returns the room; fails after WAIT_MS.
 */
async function waitForRoom(id, ok, what) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const room = await (await fetch(`${server.base}/api/rooms/${id}`)).json();
    if (ok(room.state?.state || '')) return room;
    if (Date.now() > deadline) assert.fail(`the room never got ${what} within ${WAIT_MS / 1000} s: ${JSON.stringify(room.state)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const roomStatus = (page) => page.textContent('#room-status');

test('a write reaches an open map: the new flow highlighted and named (aim: within 1 s, measured), tiles fetched at the new version', { skip }, async (t) => {
  if (server.external) {
    t.skip('needs a server started by the test (with a write token)');
    return;
  }
  // Two countries with no transfer between them in the default data.
  const [a, b] = ['ISL', 'NZL'];
  const before = await (await fetch(`${server.base}/api/transfers?supplier=${a}&recipient=${b}`)).json();
  assert.equal(before.total, 0, `the default data already has ${a}→${b}`);
  const { ctx, requests, outside } = await guardedContext(browser, [server.base]);
  const errors = [];
  const page = await openPage(ctx, `${server.base}/?years=2020&supplier=${a}&panel=table`, errors);
  await waitForMap(page);
  await page.waitForSelector('#table-view p.muted:text-matches("^0 flows")');
  await page.waitForFunction(() => window.armsflow.live.connected);
  assert.doesNotMatch(await page.evaluate(() => window.armsflow.tilesURL()), /[?&]v=/, 'tile URLs carry no version before a write');
  const mark = requests.length;
  const res = await fetch(`${server.base}/api/transfers`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${WRITE_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      supplier: a, recipient: b, weapon: 'Test vessel', category: 'naval', order_year: 2020, quantity: 1, status: 'ordered',
      source: { publisher: 'armsflow browser test', title: 'Invented row for a live-update test (not real data)', date: '2026' },
    }),
  });
  const written = Date.now();
  const body = await res.json();
  assert.equal(res.status, 201, `POST /api/transfers: ${res.status} ${JSON.stringify(body)}`);
  const version = body.change.version;
  assert.ok(Number.isInteger(version) && version > 0, `data version ${version}`);

  // The highlight layer draws the new flow and the toast names it. The
  // product aims at under a second; that is a speed target, so it is measured
  // and printed below (and written to live-write.json), while the assertion only
  // bounds it generously (WAIT_MS) so a busy CI machine cannot make it flaky.
  await page.waitForFunction(([s, r]) => window.armsflow.map.queryRenderedFeatures({ layers: ['live-flow'] })
    .some((f) => f.properties.supplier === s && f.properties.recipient === r), [a, b], { polling: 20 });
  const highlightMs = Date.now() - written;
  await page.waitForSelector('#toasts .toast-added');
  const toastMs = Date.now() - written;
  // Focus on the toast's "Show on map" at once: it holds the toast (which
  // goes after 10 s otherwise) while the checks below run, however slowly.
  await page.focus('#toasts .toast-added button[data-action]');
  const toast = await page.textContent('#toasts .toast-added');
  assert.match(toast, /New deal/);
  assert.match(toast, /Iceland → New Zealand/);
  assert.match(toast, /Test vessel · Naval · 1 unit · Ordered, order year 2020/);
  assert.match(toast, /Source: armsflow browser test, Invented row for a live-update test \(not real data\), 2026/);
  await screenshot(page, 'live-new-flow-highlighted');

  // The tiles are fetched again at the new version: the browser cannot answer them from its cache.
  await page.waitForFunction((v) => window.armsflow.tilesURL().includes(`v=${v}`), version);
  await page.waitForSelector('#table-view p.muted:text-matches("^1 flow ")');
  await waitForMap(page);
  const after = requests.slice(mark);
  const tileReqs = after.filter((u) => /\/tiles\/[^?]*\.mvt\?/.test(u));
  const tileJSON = after.filter((u) => /\/tiles\/[^?]*\.json\?/.test(u));
  assert.ok(tileReqs.length > 0, 'no tile requests after the write');
  assert.deepEqual(tileReqs.filter((u) => new URL(u).searchParams.get('v') !== String(version)), [], `tile requests after the write without v=${version}`);
  assert.ok(tileJSON.some((u) => new URL(u).searchParams.get('v') === String(version)), `no TileJSON request with v=${version}: ${tileJSON}`);
  // The tiles drawn now hold the new flow (the flows layer: the arc in its category colour).
  const drawn = await page.evaluate(([s, r]) => window.armsflow.map.queryRenderedFeatures({ layers: ['flows'] })
    .filter((f) => f.properties.supplier === s && f.properties.recipient === r).length, [a, b]);
  assert.ok(drawn > 0, 'the reloaded tiles do not draw the new flow');

  // "Show on map" in the toast selects the flow (keyboard).
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Show on map');
  await page.keyboard.press('Enter');
  await page.waitForFunction((sel) => new URLSearchParams(location.search).get('sel') === sel, `${a}>${b}`);
  await page.waitForSelector('#panel:not([hidden]) ul.deals li.deal');
  writeReport('live-write.json', { version, highlightMs, toastMs, tileRequestsAfter: tileReqs.length, sample: tileReqs.slice(0, 2) });
  console.log(`# write → highlight ${highlightMs} ms, toast ${toastMs} ms; ${tileReqs.length} tile requests at v=${version}`);
  assert.deepEqual(outside, []);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('presenter rooms: viewers follow, detach, rejoin, join late and see the end', { skip }, async (t) => {
  if (server.external) {
    t.skip('needs a server started by the test (with a write token)');
    return;
  }
  const errors = [];
  const a = await guardedContext(browser, [server.base]);
  const b = await guardedContext(browser, [server.base]);
  const A = await openPage(a.ctx, `${server.base}/`, errors);
  await waitForMap(A);

  // Present, with the keyboard: a refused token first, then the test's write token.
  await A.focus('#btn-present');
  await A.keyboard.press('Enter');
  await A.waitForSelector('#present-token');
  assert.equal(await A.evaluate(() => document.activeElement.id), 'present-token', 'the dialog focuses the token box');
  await A.keyboard.type('not-the-token');
  await A.keyboard.press('Enter');
  await A.waitForFunction(() => /refused/.test(document.querySelector('#present-status').textContent));
  await A.fill('#present-token', WRITE_TOKEN);
  await A.keyboard.press('Enter');
  await A.waitForSelector('#present-url');
  const viewerURL = await A.inputValue('#present-url');
  const id = new URL(viewerURL).searchParams.get('room');
  assert.match(viewerURL, new RegExp(`^${server.base}/\\?room=[A-Za-z0-9_-]+$`));
  assert.deepEqual(await A.evaluate(() => [sessionStorage.getItem('armsflow.writeToken'), localStorage.length]), [WRITE_TOKEN, 0],
    'the write token is kept in sessionStorage only');
  await screenshot(A, 'room-presenter-link');
  await A.keyboard.press('Escape');
  assert.equal(await roomStatus(A), 'Presenting');

  // Every room state the presenter hands its live client, stamped on the
  // page's clock (the one its throttle reads), and the map's move events.
  await A.evaluate(() => {
    const rec = { on: false, sends: [], moves: 0 };
    window.__roomLog = rec;
    const live = window.armsflow.live;
    const send = live.sendRoomState;
    live.sendRoomState = function sendRoomState(...args) {
      if (rec.on) rec.sends.push(Date.now());
      return send.apply(this, args);
    };
    window.armsflow.map.on('move', () => { if (rec.on) rec.moves++; });
  });
  /** Starts recording, runs fn in the page, and returns what it recorded once the last state has gone out. */
  const record = async (fn, arg) => {
    await A.waitForFunction(() => !window.armsflow.map.isMoving() && !window.armsflow.rooms().presenter.throttle.pending);
    await A.evaluate(() => Object.assign(window.__roomLog, { on: true, sends: [], moves: 0 }));
    const ran = await A.evaluate(fn, arg);
    await A.waitForFunction(() => !window.armsflow.map.isMoving());
    // The final state of a move goes out at most 100 ms after the one before it.
    await A.waitForFunction(() => !window.armsflow.rooms().presenter.throttle.pending);
    const log = await A.evaluate(() => {
      const r = window.__roomLog;
      r.on = false;
      return { sends: r.sends, moves: r.moves };
    });
    return { ...log, ran };
  };
  const gaps = (ts) => ts.slice(1).map((t, i) => t - ts[i]);

  // B follows.
  const B = await openPage(b.ctx, viewerURL, errors);
  await waitForMap(B);
  await B.waitForFunction(() => document.querySelector('#room-status')?.textContent === 'Following presenter');

  // A pans and zooms, changes the year window and writes a caption. The
  // presenter's camera states are throttled: during an eased pan (a move
  // event each frame), no two states go out less than 100 ms apart, on the
  // page's own clock, however fast or slow its frames come.
  const pan = await record(() => {
    window.armsflow.map.easeTo({ center: [31.2, 48.6], zoom: 4.2, duration: 600 });
  });
  const panStates = pan.sends.length;
  const panSendSpanMs = panStates ? pan.sends.at(-1) - pan.sends[0] : 0;
  const panGaps = gaps(pan.sends);
  assert.ok(panStates >= 1, `no room state sent for a pan of ${pan.moves} move events`);
  assert.ok(panStates <= pan.moves + 1, `${panStates} room states for ${pan.moves} move events (one per move and the last at most)`);
  // 90, not 100: the stamp is taken a moment after the throttle reads the clock.
  assert.ok(panGaps.every((g) => g >= 90), `room states less than 100 ms apart during a pan: gaps ${panGaps} ms`);
  // And a burst: 20 camera jumps in one task (a move and a moveend each, so
  // 40 states pushed) send the first at once and coalesce the rest into one
  // that goes out when the 100 ms are up; a task slower than that on a
  // loaded machine may let one more through per 100 ms it took.
  const burst = await record(() => {
    const m = window.armsflow.map;
    const t0 = Date.now();
    for (let i = 19; i >= 0; i--) m.jumpTo({ center: [31.2 + i * 0.05, 48.6], zoom: 4.2 });
    return Date.now() - t0;
  });
  const burstAllowed = 2 + Math.floor(burst.ran / 100);
  assert.equal(burst.moves, 20, 'the burst made 20 move events');
  assert.ok(burst.sends.length >= 1 && burst.sends.length <= burstAllowed,
    `${burst.sends.length} room states for 20 jumps in ${burst.ran} ms (want 1 to ${burstAllowed})`);
  assert.ok(gaps(burst.sends).every((g) => g >= 90), `room states less than 100 ms apart in a burst: ${burst.sends}`);
  await waitForRoom(id, (st) => /^map=4\.2\/48\.6\/31\.2(&|$)/.test(st), 'the camera the moves ended at (map=4.2/48.6/31.2)');
  await A.focus('#year-from');
  await A.keyboard.press('ArrowRight');
  await A.keyboard.press('ArrowRight');
  await A.fill('#room-caption-input', 'Arms deliveries to Ukraine');
  const wantA = await camera(A);
  await waitForCamera(B, wantA);
  await B.waitForFunction((room) => {
    const q = new URLSearchParams(location.search);
    return q.get('room') === room && q.get('years') === '2017-2024' && q.get('map')?.startsWith('4.2/48.6/31.2');
  }, id);
  await B.waitForFunction(() => document.querySelector('#room-caption').textContent === 'Arms deliveries to Ukraine');
  assert.equal(await B.textContent('#years-out'), '2017–2024', 'the viewer\'s year control follows');
  await waitForMap(B);
  await screenshot(B, 'room-viewer-following');
  await screenshot(A, 'room-presenter');

  // B detaches (keyboard): A moves on, B stays.
  await B.focus('#room-detach');
  await B.keyboard.press('Enter');
  await B.waitForFunction(() => /^Detached/.test(document.querySelector('#room-status').textContent));
  assert.equal(await B.evaluate(() => document.activeElement.id), 'room-rejoin', 'focus moves to Rejoin');
  const stayed = await camera(B);
  const appliedDetached = await B.evaluate(() => window.armsflow.rooms().viewer.applied);
  await A.evaluate(() => window.armsflow.map.jumpTo({ center: [-58.4, -14.2], zoom: 3 }));
  await A.uncheck('input[name=overlay][value=events]');
  // The server has A's new state, and B received it (its viewer keeps the
  // latest state, applied or not) and ignored it: a detached viewer returns
  // before applying, so once it holds the state its camera would have moved.
  await waitForRoom(id, (st) => /map=3\/-14\.2\/-58\.4/.test(st) && /layers=flows,conflicts,labels/.test(st), 'A\'s new view');
  await B.waitForFunction(() => {
    const l = window.armsflow.rooms().viewer.latest?.state;
    return l?.view?.zoom === 3 && Math.abs(l.view.lng + 58.4) < 0.01 && !l.layers.includes('events');
  });
  assert.equal(await B.evaluate(() => window.armsflow.rooms().viewer.applied), appliedDetached, 'a detached viewer applied a state');
  const still = await camera(B);
  assert.ok(Math.abs(still.lng - stayed.lng) < 1e-6 && Math.abs(still.zoom - stayed.zoom) < 1e-6, `a detached viewer moved: ${JSON.stringify([stayed, still])}`);
  assert.equal(await B.isChecked('input[name=overlay][value=events]'), true, 'a detached viewer\'s layers changed');
  await screenshot(B, 'room-viewer-detached');

  // B rejoins and catches up with A's latest state.
  const wantA2 = await camera(A);
  await B.click('#room-rejoin');
  await waitForCamera(B, wantA2);
  await B.waitForFunction(() => !window.armsflow.state().layers.includes('events') && document.querySelector('#room-status').textContent === 'Following presenter');
  assert.equal(await B.isChecked('input[name=overlay][value=events]'), false);

  // C joins late: A's latest state at once, and no older one.
  const c = await guardedContext(browser, [server.base]);
  const C = await openPage(c.ctx, viewerURL, errors);
  await C.waitForFunction(() => window.armsflow?.rooms()?.viewer?.applied > 0);
  await waitForCamera(C, wantA2);
  await waitForMap(C);
  assert.equal(await C.evaluate(() => window.armsflow.rooms().viewer.applied), 1, 'a late joiner applies exactly the latest state');
  assert.equal(await C.textContent('#room-caption'), 'Arms deliveries to Ukraine');
  // The URL follows the applied state a moment later (app.js writes it 250 ms after a change).
  await C.waitForFunction(() => /years=2017-2024/.test(location.search))
    .catch(async (err) => { throw new Error(`the late joiner's URL lacks years=2017-2024: ${await C.evaluate(() => location.search)}: ${err.message}`); });
  await screenshot(C, 'room-late-joiner');

  // A reloads its page: it presents on (the room is kept in sessionStorage), and its viewers follow its next move.
  await A.reload();
  await waitForMap(A);
  await A.waitForFunction(() => document.querySelector('#room-status')?.textContent === 'Presenting');
  assert.equal(await A.inputValue('#room-caption-input'), 'Arms deliveries to Ukraine');
  await A.evaluate(() => window.armsflow.map.jumpTo({ center: [100.5, 13.7], zoom: 4.5 }));
  const wantA3 = await camera(A);
  await waitForCamera(B, wantA3);
  await waitForCamera(C, wantA3);

  // A stops: B and C see the end; the room is gone.
  await A.click('#room-stop');
  for (const [name, page] of [['B', B], ['C', C]]) {
    await page.waitForFunction(() => document.querySelector('#room-status')?.textContent === 'Presentation ended')
      .catch((err) => { throw new Error(`${name} did not see the end: ${err.message}`); });
  }
  assert.equal((await fetch(`${server.base}/api/rooms/${id}`)).status, 404, 'the room still exists after Stop presenting');
  assert.equal(await A.isHidden('#room-bar'), true);
  assert.equal(await A.textContent('#btn-present'), 'Present');
  await B.waitForFunction(() => !new URLSearchParams(location.search).has('room'));
  await screenshot(B, 'room-viewer-ended');

  for (const g of [a, b, c]) assert.deepEqual(g.outside, [], 'requests left the server');
  assert.deepEqual(errors.filter((e) => !/status of 401/.test(e)), [], 'page errors');
  assert.equal(errors.filter((e) => /status of 401/.test(e)).length, 1, 'the refused token answered 401 once');
  writeReport('rooms.json', {
    room: id, panSendSpanMs, panStates, panMoves: pan.moves, panGapsMs: panGaps, burstMs: burst.ran, burstStates: burst.sends.length,
  });
  for (const g of [a, b, c]) await g.ctx.close();
});
