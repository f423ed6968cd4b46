// live.js: one WebSocket to the server's live endpoint (/ws,
// server/live/PROTOCOL.md) shared by everything on the page: data events
// (channel "data") and presenter rooms ("room:ID"). Subscriptions are kept
// and sent again on every new socket; it reconnects with backoff. No DOM
// here (the socket constructor, URL and timers can be injected), so node's
// test runner drives it with a fake socket.

/** The data events a map reacts to. */
export const DATA_EVENTS = ['transfer.added', 'transfer.updated', 'transfer.deleted', 'data.changed', 'tiles.invalidated'];

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 60_000;

/** The page's own /ws URL. */
export function liveURL(loc = globalThis.location) {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws`;
}

export class LiveClient {
  /**
   * @param {{url?: string, WebSocket?: Function, setTimeout?: Function, clearTimeout?: Function}} opts
   */
  constructor({ url, WebSocket: WS = globalThis.WebSocket, setTimeout: st = globalThis.setTimeout, clearTimeout: ct = globalThis.clearTimeout } = {}) {
    this.url = url || liveURL();
    this.WS = WS;
    // Plain calls: a browser's setTimeout refuses another `this`.
    this.st = (f, ms) => st(f, ms);
    this.ct = (t) => ct(t);
    this.ws = null;
    this.channels = new Set();
    this.handlers = new Map(); // type -> Set of functions; '*' for every message
    this.pending = new Map(); // channel -> the latest room.state not yet sent (socket closed)
    this.retry = RETRY_MIN_MS;
    this.retryTimer = null;
    this.opened = 0; // sockets opened so far
    this.stopped = false;
    this.nextID = 1;
  }

  /** Opens the socket (once; later calls do nothing). */
  start() {
    if (!this.ws && !this.retryTimer && !this.stopped) this.connect();
    return this;
  }

  get connected() {
    return this.ws?.readyState === 1;
  }

  /** Calls fn(msg) for each message of a type ('*': every message; 'open', 'close': the socket's). Returns an off function. */
  on(type, fn) {
    if (!this.handlers.has(type)) this.handlers.set(type, new Set());
    this.handlers.get(type).add(fn);
    return () => this.handlers.get(type)?.delete(fn);
  }

  emit(type, msg) {
    for (const key of [type, '*']) {
      for (const fn of [...(this.handlers.get(key) || [])]) {
        try {
          fn(msg);
        } catch (err) {
          console.error('live handler failed:', err);
        }
      }
    }
  }

  /** Follows a channel (kept across reconnects). Subscribing again asks a room for its latest state. */
  subscribe(channel) {
    this.channels.add(channel);
    this.raw({ v: 1, type: 'subscribe', channel, id: String(this.nextID++) });
  }

  unsubscribe(channel) {
    if (!this.channels.delete(channel)) return;
    this.raw({ v: 1, type: 'unsubscribe', channel });
  }

  /**
   * Sends a presenter's room state. When the socket is not open, the latest
   * state per room waits and goes out as soon as it is.
   */
  sendRoomState(channel, token, data) {
    const msg = { v: 1, type: 'room.state', channel, token, data };
    if (this.raw(msg)) {
      this.pending.delete(channel);
      return true;
    }
    this.pending.set(channel, msg);
    return false;
  }

  /** Drops a room's state waiting to be sent. */
  forget(channel) {
    this.pending.delete(channel);
  }

  raw(msg) {
    if (!this.connected) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  connect() {
    this.retryTimer = null;
    if (this.stopped) return;
    let ws;
    try {
      ws = new this.WS(this.url);
    } catch {
      this.schedule();
      return;
    }
    this.ws = ws;
    ws.addEventListener('open', () => {
      this.retry = RETRY_MIN_MS;
      this.opened++;
      for (const channel of this.channels) this.raw({ v: 1, type: 'subscribe', channel, id: String(this.nextID++) });
      for (const msg of this.pending.values()) this.raw(msg);
      this.pending.clear();
      this.emit('open', { type: 'open', reconnect: this.opened > 1 });
    });
    ws.addEventListener('message', (e) => {
      let msg;
      try {
        msg = JSON.parse(e.data);
      } catch {
        return;
      }
      if (msg && typeof msg.type === 'string') this.emit(msg.type, msg);
    });
    ws.addEventListener('close', (e) => {
      if (this.ws === ws) this.ws = null;
      this.emit('close', { type: 'close', code: e.code });
      // 1008: the server refuses this page (origin); trying again will not help.
      if (this.stopped || e.code === 1008) return;
      this.schedule();
    });
  }

  schedule() {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = this.st(() => this.connect(), this.retry);
    this.retry = Math.min(this.retry * 2, RETRY_MAX_MS);
  }

  /** Closes the socket for good. */
  stop() {
    this.stopped = true;
    if (this.retryTimer) this.ct(this.retryTimer);
    this.ws?.close();
  }
}
