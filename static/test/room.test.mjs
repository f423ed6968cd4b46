// Unit tests of presenter rooms: the room state (the URL form of the view),
// the presenter's throttled sending and the viewer's follow / detach /
// rejoin / ended logic. node --test static/test/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultState, parseState, serializeState, roomPayload, parseRoomPayload, CAPTION_MAX } from '../src/state.js';
import { RoomPresenter, RoomViewer, createRoom, closeRoom, validRoomID, roomChannel, ROOM_STATE_INTERVAL_MS } from '../src/room.js';
import { fakeClock, fakeLive } from '../e2e/fakes.mjs';

function viewState(zoom, lng, years = [2015, 2024]) {
  const s = defaultState();
  s.view = { zoom, lat: 48.5, lng, bearing: 0, pitch: 0 };
  s.years = years;
  return s;
}

test('the room state is the URL form of the view: a viewer reads it as a link', () => {
  const s = defaultState();
  s.view = { zoom: 4.25, lat: 48.4567, lng: 31.1234, bearing: -20, pitch: 30 };
  s.years = [2017, 2022];
  s.category = ['missiles'];
  s.layers = ['flows', 'labels'];
  s.sel = { type: 'flow', supplier: 'USA', recipient: 'UKR' };
  const p = roomPayload(s, '  Deliveries   to Ukraine ');
  assert.deepEqual(p, { state: serializeState(s), caption: 'Deliveries to Ukraine' });
  const back = parseRoomPayload(JSON.parse(JSON.stringify(p)));
  assert.deepEqual(back.state, parseState(serializeState(s)), 'the same parse as a share link');
  assert.equal(back.caption, 'Deliveries to Ukraine');
  assert.deepEqual(back.state.sel, s.sel);
  assert.deepEqual(back.state.years, [2017, 2022]);
  // The default view travels as an empty query and comes back as the default.
  assert.deepEqual(parseRoomPayload(roomPayload(defaultState())).state, defaultState());
  assert.equal(parseRoomPayload({ state: '', caption: 'x'.repeat(CAPTION_MAX + 50) }).caption.length, CAPTION_MAX);
});

test('a room state from elsewhere is checked: garbage is refused, bad parameters fall back to defaults', () => {
  for (const bad of [null, 'years=2020', 42, [], { caption: 'x' }, { state: 5 }, { state: 'x'.repeat(9000) }]) {
    assert.equal(parseRoomPayload(bad), null, JSON.stringify(bad)?.slice(0, 40));
  }
  const p = parseRoomPayload({ state: 'map=999/400/x&years=20x0-1700&layers=evil&sel=<script>&mode=hack', caption: { html: '<b>' } });
  assert.deepEqual(p.state.view, defaultState().view);
  assert.deepEqual(p.state.years, defaultState().years);
  assert.deepEqual(p.state.layers, []);
  assert.equal(p.state.sel, null);
  assert.equal(p.state.mode, 'imports');
  assert.equal(p.caption, '');
});

test('presenter: ≤ 1 state per 100 ms while the map moves, the final one always, no repeats', () => {
  const clock = fakeClock();
  const live = fakeLive();
  const room = { id: 'r1', presenter_token: 'ptok', viewer_url: 'http://localhost/?room=r1' };
  const p = new RoomPresenter(room, { live, clock, keepaliveMs: 300_000 });
  // A pan: the camera moves every 16 ms for 500 ms, then moveend with the final camera.
  const sentAt = [];
  const origSend = live.sendRoomState;
  live.sendRoomState = (...a) => { sentAt.push(clock.now()); return origSend(...a); };
  let lng = 0;
  for (let t = 0; t < 500; t += 16) {
    lng += 1;
    p.push(roomPayload(viewState(3, lng)));
    clock.advance(16);
  }
  const final = roomPayload(viewState(3.5, lng + 0.5));
  p.push(final);
  clock.advance(ROOM_STATE_INTERVAL_MS);
  assert.ok(live.states.length >= 5 && live.states.length <= 7, `${live.states.length} states for a 500 ms pan`);
  for (let i = 1; i < sentAt.length; i++) assert.ok(sentAt[i] - sentAt[i - 1] >= ROOM_STATE_INTERVAL_MS, `states ${sentAt[i - 1]} and ${sentAt[i]}`);
  assert.deepEqual(live.states.at(-1), { channel: 'room:r1', token: 'ptok', data: final }, 'the final state after moveend');
  // The same state again is not sent again.
  const n = live.states.length;
  p.push(final);
  clock.advance(1000);
  assert.equal(live.states.length, n);
  // A still presenter resends now and then so the room does not expire.
  clock.advance(300_000);
  assert.equal(live.states.length, n + 1);
  assert.deepEqual(live.states.at(-1).data, final);
});

test('presenter: ends when the server refuses its token or forgot the room, and on stop closes the room', async () => {
  const clock = fakeClock();
  const live = fakeLive();
  const ended = [];
  const room = { id: 'r2', presenter_token: 'ptok', viewer_url: 'http://localhost/?room=r2' };
  const p = new RoomPresenter(room, { live, clock, onEnded: (r) => ended.push(r) });
  live.emit({ type: 'error', channel: 'room:other', data: { code: 'unauthorized' } });
  live.emit({ type: 'error', channel: 'room:r2', data: { code: 'rate_limited' } });
  assert.deepEqual(ended, []);
  live.emit({ type: 'error', channel: 'room:r2', data: { code: 'unauthorized' } });
  assert.deepEqual(ended, ['unauthorized']);
  p.push(roomPayload(viewState(2, 2)));
  clock.advance(1000);
  assert.equal(live.states.length, 0, 'nothing sent after the end');
  assert.deepEqual(live.forgotten, ['room:r2']);
  assert.equal(live.listeners(), 0, 'handlers removed');
  assert.equal(clock.pending(), 0, 'keepalive stopped');

  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, method: init.method, auth: init.headers.Authorization });
    return { ok: true, status: 200, json: async () => ({ id: 'r3', closed: true }) };
  };
  const p3 = new RoomPresenter({ ...room, id: 'r3' }, { live, clock, onEnded: (r) => ended.push(r) });
  await p3.stop({ fetch });
  assert.deepEqual(calls, [{ url: '/api/rooms/r3', method: 'DELETE', auth: 'Bearer ptok' }]);
  assert.deepEqual(ended, ['unauthorized', 'stopped']);
  // A room already gone is not an error; other failures are.
  await closeRoom(room, { fetch: async () => ({ ok: false, status: 404, statusText: 'Not Found', json: async () => ({ error: 'no such room' }) }) });
  await assert.rejects(closeRoom(room, { fetch: async () => ({ ok: false, status: 401, statusText: 'Unauthorized', json: async () => ({ error: 'bad token' }) }) }),
    (err) => err.status === 401 && /bad token/.test(err.message));
});

test('createRoom posts the first state with the write token and checks the answer', async () => {
  let req = null;
  const answer = { id: 'AbC-12_x', channel: 'room:AbC-12_x', presenter_token: 'p', viewer_url: 'http://localhost/?room=AbC-12_x' };
  const fetch = async (url, init) => {
    req = { url, ...init };
    return { ok: true, status: 201, json: async () => answer };
  };
  const payload = roomPayload(viewState(2, 10), 'hello');
  assert.deepEqual(await createRoom('wtok', payload, { fetch }), answer);
  assert.equal(req.url, '/api/rooms');
  assert.equal(req.method, 'POST');
  assert.equal(req.headers.Authorization, 'Bearer wtok');
  assert.equal(req.headers['Content-Type'], 'application/json');
  assert.deepEqual(JSON.parse(req.body), { state: payload });
  await assert.rejects(createRoom('bad', payload, {
    fetch: async () => ({ ok: false, status: 401, statusText: 'Unauthorized', json: async () => ({ error: 'write token required' }) }),
  }), (err) => err.status === 401 && err.message === 'write token required');
  await assert.rejects(createRoom('wtok', payload, { fetch: async () => ({ ok: true, status: 201, json: async () => ({ id: '../x' }) }) }), /no room/);
  assert.equal(validRoomID('a'.repeat(64)), true);
  assert.equal(validRoomID('a'.repeat(65)), false);
  assert.equal(validRoomID('a b'), false);
  assert.equal(roomChannel('xyz'), 'room:xyz');
});

test('viewer: follows, ignores states while detached, catches up on rejoin, ends on room.closed', () => {
  const live = fakeLive();
  const applied = [];
  const statuses = [];
  const v = new RoomViewer('r9', {
    live,
    apply: (p, info) => applied.push({ years: p.state.years, lng: p.state.view.lng, caption: p.caption, first: info.first }),
    onStatus: (s, reason) => statuses.push(reason ? `${s}:${reason}` : s),
  }).start();
  assert.deepEqual(live.subscribed, ['room:r9']);
  const state = (lng, years, caption = '') => ({ type: 'room.state', channel: 'room:r9', data: roomPayload(viewState(3, lng, years), caption) });
  live.emit({ type: 'subscribed', channel: 'room:r9' });
  // The latest state comes at once after subscribing (a late joiner gets it too).
  live.emit(state(10, [2016, 2024], 'first'));
  live.emit(state(20, [2017, 2024]));
  live.emit({ type: 'room.state', channel: 'room:other', data: roomPayload(viewState(3, 99)) });
  live.emit({ type: 'room.state', channel: 'room:r9', data: { nonsense: true } });
  assert.deepEqual(applied, [
    { years: [2016, 2024], lng: 10, caption: 'first', first: true },
    { years: [2017, 2024], lng: 20, caption: '', first: false },
  ]);
  v.detach();
  live.emit(state(30, [2018, 2024]));
  assert.equal(applied.length, 2, 'a detached viewer applies nothing');
  assert.equal(v.latest.state.view.lng, 30, 'but knows the latest');
  v.rejoin();
  assert.deepEqual(live.subscribed, ['room:r9', 'room:r9'], 'rejoin subscribes again: the server re-sends the latest state');
  live.emit(state(30, [2018, 2024]));
  assert.deepEqual(applied.at(-1), { years: [2018, 2024], lng: 30, caption: '', first: false });
  v.rejoin(); // not detached: nothing
  assert.equal(live.subscribed.length, 2);
  live.emit({ type: 'room.closed', channel: 'room:r9', data: { reason: 'closed' } });
  live.emit(state(40, [2019, 2024]));
  assert.equal(applied.length, 3, 'nothing applied after the end');
  assert.deepEqual(statuses, ['connecting', 'following', 'detached', 'following', 'ended:closed']);
  assert.deepEqual(live.unsubscribed, ['room:r9']);
  assert.equal(live.listeners(), 0);
  v.detach();
  v.rejoin();
  assert.equal(v.status, 'ended');
});

test('viewer: a room that does not exist ends at once; a state before the subscription ack is applied', () => {
  const live = fakeLive();
  const statuses = [];
  const v = new RoomViewer('gone', { live, apply: () => assert.fail('nothing to apply'), onStatus: (s, r) => statuses.push(`${s}:${r}`) }).start();
  live.emit({ type: 'error', channel: 'room:gone', data: { code: 'rate_limited' } });
  live.emit({ type: 'error', channel: 'room:gone', data: { code: 'not_found', message: 'no such room' } });
  assert.equal(v.status, 'ended');
  assert.deepEqual(statuses, ['connecting:', 'ended:not_found']);

  const live2 = fakeLive();
  let n = 0;
  const w = new RoomViewer('r', { live: live2, apply: () => n++ }).start();
  live2.emit({ type: 'room.state', channel: 'room:r', data: roomPayload(defaultState()) });
  assert.equal(w.status, 'following');
  assert.equal(n, 1);
});
