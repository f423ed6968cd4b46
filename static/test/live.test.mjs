// Unit tests of the live data side: the socket client, the throttle, the
// data version and the toast words. node --test static/test/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveClient, liveURL } from '../src/live.js';
import { Throttle } from '../src/throttle.js';
import { DataVersion, eventVersion, describeEvent, flowQuery } from '../src/livedata.js';
import { defaultState } from '../src/state.js';
import { fakeClock, fakeSocketClass } from '../e2e/fakes.mjs';

test('throttle: the first value at once, then at most one per interval, and always the last', () => {
  const clock = fakeClock();
  const calls = [];
  const th = new Throttle((v) => calls.push([clock.now(), v]), 100, clock);
  th.push(1);
  assert.deepEqual(calls, [[1000, 1]], 'leading call');
  // A burst: one push every 10 ms for 350 ms.
  for (let i = 2; i <= 36; i++) {
    clock.advance(10);
    th.push(i);
  }
  clock.advance(200);
  const times = calls.map((c) => c[0]);
  for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 100, `calls ${times[i - 1]} and ${times[i]} closer than 100 ms`);
  assert.equal(calls.at(-1)[1], 36, 'the last value pushed is delivered');
  assert.equal(calls.length, 5, `${calls.length} calls for a 350 ms burst: ${JSON.stringify(calls)}`);
  assert.equal(th.pending, false);
  // After a quiet spell the next value goes out at once again.
  clock.advance(1000);
  th.push('later');
  assert.deepEqual(calls.at(-1), [clock.now(), 'later']);
  // cancel drops a waiting value.
  th.push('dropped');
  assert.equal(th.pending, true);
  th.cancel();
  clock.advance(500);
  assert.notEqual(calls.at(-1)[1], 'dropped');
  assert.equal(clock.pending(), 0);
});

test('data version: the first answer is the baseline; events and newer answers move the tiles on', () => {
  const v = new DataVersion();
  assert.equal(v.observe(5), false, 'the version the page loaded with needs no refresh');
  assert.equal(v.tiles, null);
  assert.equal(v.observe(5), false);
  assert.equal(v.observe(4), false, 'an older answer (a cached response) changes nothing');
  assert.equal(v.observe(6, { event: true }), true, 'a write announced live');
  assert.equal(v.tiles, 6);
  assert.equal(v.observe(6, { event: true }), false, 'tiles.invalidated after transfer.added: same version, one refresh');
  assert.equal(v.observe(6), false, 'an answer at the version the tiles carry');
  assert.equal(v.observe(9), true, 'an answer newer than anything seen (a write missed while offline)');
  assert.equal(v.tiles, 9);
  assert.equal(v.observe(8, { event: true }), false, 'a late event older than the tiles');
  for (const bad of [-1, 1.5, NaN, '10', null, undefined, Number.MAX_SAFE_INTEGER + 2]) assert.equal(v.observe(bad, { event: true }), false, String(bad));
  assert.equal(v.tiles, 9);

  // An event before any answer: it is a write after the page loaded.
  const w = new DataVersion();
  assert.equal(w.observe(3, { event: true }), true);
  assert.equal(w.observe(3), false);
  assert.equal(eventVersion({ data: { version: 7 } }), 7);
  assert.equal(eventVersion({ data: { version: '7' } }), null);
  assert.equal(eventVersion({}), null);
});

const added = {
  v: 1, type: 'transfer.added', channel: 'data',
  data: {
    version: 12,
    transfer: {
      id: 99, supplier: 'ISL', supplier_name: 'Iceland', recipient: 'NZL', recipient_name: 'New Zealand', weapon: 'Test vessel',
      category: 'naval', order_year: 2020, quantity: 2, status: 'ordered',
      source: { publisher: 'armsflow test', title: 'Invented row', date: '2026' },
    },
    flow: { supplier: 'ISL', recipient: 'NZL', rank: 140, deals: 1 },
  },
};

test('the toast of a data event names supplier, recipient, weapon and source', () => {
  const d = describeEvent(added);
  assert.equal(d.title, 'New deal');
  assert.equal(d.line, 'Iceland → New Zealand');
  assert.equal(d.detail, 'Test vessel · Naval · 2 units · Ordered, order year 2020');
  assert.deepEqual(d.source, added.data.transfer.source);
  assert.equal(d.supplier, 'ISL');
  const del = describeEvent({ ...added, type: 'transfer.deleted', data: { ...added.data, flow: null } });
  assert.equal(del.title, 'Deal removed');
  assert.equal(del.kind, 'deleted');
  // Without names (the server had no world loaded yet) the codes stand in.
  const bare = structuredClone(added);
  delete bare.data.transfer.supplier_name;
  delete bare.data.transfer.recipient_name;
  bare.data.transfer.quantity = null;
  assert.equal(describeEvent(bare).line, 'ISL → NZL');
  assert.doesNotMatch(describeEvent(bare).detail, /unit/);
  const bulk = describeEvent({ type: 'data.changed', data: { version: 13, change: { inserted: { transfers: 40 }, updated: { transfers: 1 }, deleted: {} } } });
  assert.equal(bulk.line, '40 transfers added, 1 transfer updated');
  assert.equal(describeEvent({ type: 'tiles.invalidated', data: { version: 13 } }), null);
  assert.equal(describeEvent({ type: 'transfer.added', data: { version: 1 } }), null, 'no transfer: no toast');
  assert.equal(describeEvent(null), null);
});

test('flowQuery narrows the map filter to the pair, or says the pair is outside it', () => {
  const s = defaultState();
  s.years = [2020, 2020];
  s.category = ['naval'];
  assert.equal(flowQuery(s, 'ISL', 'NZL'), 'years=2020&category=naval&supplier=ISL&recipient=NZL');
  s.supplier = ['ISL', 'USA'];
  assert.equal(flowQuery(s, 'ISL', 'NZL'), 'years=2020&supplier=ISL&category=naval&recipient=NZL');
  assert.equal(flowQuery(s, 'FRA', 'NZL'), null);
  s.recipient = ['UKR'];
  assert.equal(flowQuery(s, 'ISL', 'NZL'), null);
});

test('live client: subscribes on open, dispatches, queues room states, reconnects and subscribes again', () => {
  const clock = fakeClock();
  const { FakeSocket, sockets } = fakeSocketClass();
  const live = new LiveClient({ url: 'ws://test/ws', WebSocket: FakeSocket, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout });
  const got = [];
  const opens = [];
  live.on('transfer.added', (m) => got.push(m.data.version));
  live.on('open', (m) => opens.push(m.reconnect));
  live.subscribe('data');
  live.start();
  live.start(); // once
  assert.equal(sockets.length, 1);
  assert.equal(sockets[0].url, 'ws://test/ws');
  // A room state while connecting waits; only the latest per room is sent.
  assert.equal(live.sendRoomState('room:a', 'tok', { n: 1 }), false);
  live.sendRoomState('room:a', 'tok', { n: 2 });
  sockets[0].open();
  assert.deepEqual(sockets[0].sent.map((m) => [m.type, m.channel, m.data?.n]), [['subscribe', 'data', undefined], ['room.state', 'room:a', 2]]);
  assert.equal(sockets[0].sent[1].token, 'tok');
  assert.equal(sockets[0].sent[1].v, 1);
  live.subscribe('room:x');
  assert.deepEqual(sockets[0].sent.at(-1), { v: 1, type: 'subscribe', channel: 'room:x', id: sockets[0].sent.at(-1).id });
  sockets[0].receive(added);
  sockets[0].fire('message', { data: 'not json' });
  assert.deepEqual(got, [12]);
  assert.deepEqual(opens, [false]);

  // The server goes away: reconnect after 1 s, then 2 s, subscribing to both channels again.
  sockets[0].serverClose(1001);
  clock.advance(999);
  assert.equal(sockets.length, 1);
  clock.advance(1);
  assert.equal(sockets.length, 2);
  sockets[1].serverClose(1006);
  clock.advance(1999);
  assert.equal(sockets.length, 2, 'backoff doubles');
  clock.advance(1);
  sockets[2].open();
  assert.deepEqual(sockets[2].sent.map((m) => m.channel), ['data', 'room:x']);
  assert.deepEqual(opens, [false, true]);
  live.unsubscribe('room:x');
  assert.deepEqual(sockets[2].sent.at(-1), { v: 1, type: 'unsubscribe', channel: 'room:x' });

  // 1008 (the server refuses this page) is final.
  sockets[2].serverClose(1008);
  clock.advance(120_000);
  assert.equal(sockets.length, 3);
  assert.equal(liveURL({ protocol: 'https:', host: 'maps.example.org' }), 'wss://maps.example.org/ws');
  assert.equal(liveURL({ protocol: 'http:', host: '127.0.0.1:8080' }), 'ws://127.0.0.1:8080/ws');
});
