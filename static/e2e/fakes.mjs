// fakes.mjs: a fake clock, a fake WebSocket and a fake live client for the unit tests in static/test (kept
// here because node --test runs every file under a test/ directory as a test file).

/** A clock whose time moves only when told: now, setTimeout, clearTimeout, setInterval, clearInterval, advance. */
export function fakeClock(start = 1000) {
  let t = start;
  let seq = 0;
  const timers = new Map(); // id -> {at, fn, every}
  const clock = {
    now: () => t,
    setTimeout: (fn, ms) => { const id = ++seq; timers.set(id, { at: t + Math.max(0, ms), fn }); return id; },
    clearTimeout: (id) => { timers.delete(id); },
    setInterval: (fn, ms) => { const id = ++seq; timers.set(id, { at: t + ms, fn, every: ms }); return id; },
    clearInterval: (id) => { timers.delete(id); },
    /** Moves time on by ms, running what falls due in order. */
    advance(ms) {
      const end = t + ms;
      for (;;) {
        let next = null;
        for (const [id, tm] of timers) if (tm.at <= end && (!next || tm.at < next[1].at)) next = [id, tm];
        if (!next) break;
        const [id, tm] = next;
        t = tm.at;
        if (tm.every) tm.at += tm.every;
        else timers.delete(id);
        tm.fn();
      }
      t = end;
    },
    pending: () => timers.size,
  };
  return clock;
}

/** A WebSocket class whose instances the test opens, feeds and closes. */
export function fakeSocketClass() {
  const sockets = [];
  class FakeSocket {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.sent = [];
      this.listeners = {};
      sockets.push(this);
    }
    addEventListener(type, fn) { (this.listeners[type] ||= []).push(fn); }
    send(s) { if (this.readyState !== 1) throw new Error('send on a socket that is not open'); this.sent.push(JSON.parse(s)); }
    close() { this.serverClose(1000); }
    // test side
    fire(type, e = {}) { (this.listeners[type] || []).forEach((fn) => fn(e)); }
    open() { this.readyState = 1; this.fire('open'); }
    receive(msg) { this.fire('message', { data: JSON.stringify(msg) }); }
    serverClose(code = 1006) { if (this.readyState === 3) return; this.readyState = 3; this.fire('close', { code }); }
  }
  return { FakeSocket, sockets };
}

/** A live client stand-in for room tests: records subscriptions and states, emits messages. */
export function fakeLive() {
  const handlers = new Map();
  const live = {
    subscribed: [],
    unsubscribed: [],
    states: [],
    forgotten: [],
    on(type, fn) {
      if (!handlers.has(type)) handlers.set(type, new Set());
      handlers.get(type).add(fn);
      return () => handlers.get(type).delete(fn);
    },
    subscribe(ch) { live.subscribed.push(ch); },
    unsubscribe(ch) { live.unsubscribed.push(ch); },
    sendRoomState(channel, token, data) { live.states.push({ channel, token, data }); return true; },
    forget(ch) { live.forgotten.push(ch); },
    emit(msg) { for (const fn of [...(handlers.get(msg.type) || [])]) fn(msg); },
    listeners: () => [...handlers.values()].reduce((n, s) => n + s.size, 0),
  };
  return live;
}
