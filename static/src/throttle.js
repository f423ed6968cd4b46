// throttle.js: at most one call per interval, the latest value last. The
// presenter's room states (one per 100 ms while the map moves, and always
// the final one) and the data refresh after live events go through it.

export class Throttle {
  /**
   * @param {(value: any) => void} fn called with the latest value pushed
   * @param {number} intervalMs the least time between two calls
   * @param {{now?: () => number, setTimeout?: Function, clearTimeout?: Function}} clock injectable for tests
   */
  constructor(fn, intervalMs, { now = () => Date.now(), setTimeout: st = globalThis.setTimeout, clearTimeout: ct = globalThis.clearTimeout } = {}) {
    this.fn = fn;
    this.interval = intervalMs;
    // Plain calls: a browser's setTimeout refuses another `this`.
    this.now = () => now();
    this.st = (f, ms) => st(f, ms);
    this.ct = (t) => ct(t);
    this.last = -Infinity; // when fn was last called
    this.timer = null;
    this.value = undefined;
    this.waiting = false;
  }

  /**
   * Calls fn(value) now when the interval since the last call has passed;
   * otherwise keeps value (replacing any older one) and calls fn with it
   * when the interval is up. So the last value pushed is always delivered.
   */
  push(value) {
    this.value = value;
    this.waiting = true;
    const wait = this.last + this.interval - this.now();
    if (wait <= 0) {
      this.run();
      return;
    }
    if (!this.timer) this.timer = this.st(() => this.run(), wait);
  }

  /** Whether a value waits for its turn. */
  get pending() {
    return this.waiting;
  }

  run() {
    if (this.timer) this.ct(this.timer);
    this.timer = null;
    if (!this.waiting) return;
    const v = this.value;
    this.waiting = false;
    this.value = undefined;
    this.last = this.now();
    this.fn(v);
  }

  /** Drops a waiting value. */
  cancel() {
    if (this.timer) this.ct(this.timer);
    this.timer = null;
    this.waiting = false;
    this.value = undefined;
  }
}
