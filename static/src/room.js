// room.js: presenter rooms (server/live/PROTOCOL.md, "Presenter rooms").
// A presenter creates a room with a write token and sends its view as
// room.state over the live socket, at most once per 100 ms and always the
// last one; viewers subscribe to room:ID and apply each state unless they
// detached. The state is state.js's roomPayload: the URL form of the view
// and a caption. No DOM here (roomui.js draws it), so node tests it with a
// fake socket and clock.
import { Throttle } from './throttle.js';
import { APIError } from './api.js';
import { parseRoomPayload } from './state.js';

/** The least time between two room states a presenter sends. */
export const ROOM_STATE_INTERVAL_MS = 100;
/** A presenter resends its state this often, so a still view does not let the room expire (1 h idle by default). */
export const ROOM_KEEPALIVE_MS = 5 * 60_000;

const ROOM_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether a string is a room id the server could have made. */
export const validRoomID = (id) => typeof id === 'string' && ROOM_ID_RE.test(id);

/** The live channel of a room. */
export const roomChannel = (id) => `room:${id}`;

async function call(fetchFn, method, path, token, body) {
  const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetchFn(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let out = null;
  try {
    out = await res.json();
  } catch {
    // not JSON
  }
  if (!res.ok) throw new APIError(res.status, out?.error || `${res.status} ${res.statusText}`, out?.param);
  return out;
}

/**
 * Creates a room (POST /api/rooms with a write token) with a first state;
 * answers {id, channel, presenter_token, viewer_url, ...}.
 */
export async function createRoom(writeToken, payload, { fetch: fetchFn = globalThis.fetch } = {}) {
  const room = await call(fetchFn, 'POST', '/api/rooms', writeToken, { state: payload });
  if (!validRoomID(room?.id) || typeof room.presenter_token !== 'string' || typeof room.viewer_url !== 'string') {
    throw new Error('the server answered no room');
  }
  return room;
}

/** Closes a room (DELETE /api/rooms/{id} with its presenter token); a room already gone is not an error. */
export async function closeRoom(room, { fetch: fetchFn = globalThis.fetch } = {}) {
  try {
    await call(fetchFn, 'DELETE', `/api/rooms/${encodeURIComponent(room.id)}`, room.presenter_token);
  } catch (err) {
    if (err.status !== 404) throw err;
  }
}

/** The presenter's side of a room: sends states, throttled, until it ends. */
export class RoomPresenter {
  /**
   * @param {{id: string, presenter_token: string, viewer_url: string}} room
   * @param {{live: object, clock?: object, intervalMs?: number, keepaliveMs?: number, onEnded?: Function}} opts
   *   clock: {now, setTimeout, clearTimeout, setInterval, clearInterval} for tests
   */
  constructor(room, { live, clock = {}, intervalMs = ROOM_STATE_INTERVAL_MS, keepaliveMs = ROOM_KEEPALIVE_MS, onEnded } = {}) {
    this.room = room;
    this.channel = roomChannel(room.id);
    this.live = live;
    this.onEnded = onEnded;
    this.lastKey = '';
    this.lastPayload = null;
    this.sent = 0;
    this.ended = false;
    // Called as plain functions: a browser's setInterval refuses another `this`.
    const { setInterval: si = globalThis.setInterval, clearInterval: ci = globalThis.clearInterval } = clock;
    this.clearInterval = ci;
    this.throttle = new Throttle((p) => this.send(p), intervalMs, clock);
    this.offs = [
      live.on('error', (m) => {
        const code = m.data?.code;
        if (m.channel === this.channel && (code === 'unauthorized' || code === 'not_found')) this.end(code);
      }),
      live.on('room.closed', (m) => { if (m.channel === this.channel) this.end(m.data?.reason || 'closed'); }),
    ];
    this.keepalive = si(() => { if (this.lastPayload) this.send(this.lastPayload, true); }, keepaliveMs);
  }

  /** Queues a state: sent at once, or when 100 ms have passed since the last (the newest wins). */
  push(payload) {
    if (!this.ended) this.throttle.push(payload);
  }

  send(payload, force = false) {
    if (this.ended) return;
    const key = JSON.stringify(payload);
    if (!force && key === this.lastKey) return;
    this.lastKey = key;
    this.lastPayload = payload;
    this.sent++;
    this.live.sendRoomState(this.channel, this.room.presenter_token, payload);
  }

  /** Stops presenting and closes the room on the server. */
  async stop(opts) {
    this.end('stopped');
    await closeRoom(this.room, opts);
  }

  end(reason) {
    if (this.ended) return;
    this.ended = true;
    this.throttle.cancel();
    const ci = this.clearInterval;
    ci(this.keepalive);
    this.offs.forEach((off) => off());
    this.live.forget(this.channel);
    this.onEnded?.(reason);
  }
}

/**
 * A viewer's side of a room. Status: 'connecting' → 'following' (states
 * applied) ⇄ 'detached' (states ignored, the map is free) → 'ended'.
 */
export class RoomViewer {
  /**
   * @param {string} id
   * @param {{live: object, apply: (p: {state: object, caption: string}, info: {first: boolean}) => void, onStatus?: Function}} opts
   */
  constructor(id, { live, apply, onStatus }) {
    this.id = id;
    this.channel = roomChannel(id);
    this.live = live;
    this.apply = apply;
    this.onStatus = onStatus;
    this.status = 'connecting';
    this.reason = '';
    this.applied = 0;
    this.latest = null; // the latest state received, applied or not
    this.offs = [];
  }

  start() {
    const mine = (m) => m.channel === this.channel;
    this.offs = [
      this.live.on('subscribed', (m) => { if (mine(m) && this.status === 'connecting') this.set('following'); }),
      this.live.on('room.state', (m) => { if (mine(m)) this.receive(m.data); }),
      this.live.on('room.closed', (m) => { if (mine(m)) this.set('ended', m.data?.reason || 'closed'); }),
      this.live.on('error', (m) => { if (mine(m) && m.data?.code === 'not_found') this.set('ended', 'not_found'); }),
    ];
    this.live.subscribe(this.channel);
    this.onStatus?.(this.status, this.reason);
    return this;
  }

  receive(data) {
    if (this.status === 'ended') return;
    const p = parseRoomPayload(data);
    if (!p) return;
    this.latest = p;
    if (this.status === 'detached') return;
    if (this.status === 'connecting') this.set('following');
    this.apply(p, { first: this.applied === 0 });
    this.applied++;
  }

  set(status, reason = '') {
    if (this.status === status || this.status === 'ended') return;
    this.status = status;
    this.reason = reason;
    if (status === 'ended') this.stop();
    this.onStatus?.(status, reason);
  }

  /** Stops applying the presenter's states; the map is the viewer's. */
  detach() {
    if (this.status === 'following' || this.status === 'connecting') this.set('detached');
  }

  /** Follows again: subscribing again makes the server send the latest state at once. */
  rejoin() {
    if (this.status !== 'detached') return;
    this.set('following');
    this.live.subscribe(this.channel);
  }

  stop() {
    this.offs.forEach((off) => off());
    this.offs = [];
    this.live.unsubscribe(this.channel);
  }
}
