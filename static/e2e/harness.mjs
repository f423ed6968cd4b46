// harness.mjs: starts a real `armsflow serve` on loopback and a headless
// Chromium (Debian's) through playwright-core, logs every request the
// page makes and refuses any that would leave the server.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
export const outDir = resolve(process.env.ARMSFLOW_TEST_OUT || join(repoRoot, 'test-output'), 'browser');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/**
 * The bound of every wait for the page (Playwright's default timeout in the
 * contexts made here, and the helpers' waits): generous, so a machine
 * several times slower than a developer's, busy with other tests, still
 * passes. A wait returns as soon as its condition holds; this only decides
 * when a test gives up.
 */
export const WAIT_MS = 90_000;

/**
 * Starts a node:net or node:http server on a port of the system's choosing
 * on 127.0.0.1 and returns that port: no window between picking a port
 * and binding it for another process to take it.
 */
export function listenLoopback(srv) {
  return new Promise((res, rej) => {
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      srv.off('error', rej);
      res(srv.address().port);
    });
  });
}

/** The write token the test server accepts (for the write API and presenter rooms). */
export const WRITE_TOKEN = 'e2e-write-token-not-secret';

/**
 * How long a started server may take to answer: a fresh database loads the
 * default data and prepares the tile geometry first, on a machine that may
 * be slow and busy with other tests (as internal/bintest's ReadyTimeout).
 */
const READY_MS = 5 * 60_000;

/** The line `armsflow serve` logs once it listens: msg="armsflow serving" url=http://127.0.0.1:PORT. */
const SERVING_RE = /msg="armsflow serving" url=(http:\/\/127\.0\.0\.1:(\d+))/;

/**
 * Builds (unless ARMSFLOW_BIN names one) and starts `armsflow serve` on a
 * loopback port the system picks, with a fresh database; resolves once it
 * answers. stop() ends it and removes its files.
 */
export async function startServer() {
  if (process.env.ARMSFLOW_E2E_BASE) {
    // An already running server (for working on the frontend).
    return { base: process.env.ARMSFLOW_E2E_BASE.replace(/\/$/, ''), log: [], external: true, async stop() {} };
  }
  let bin = process.env.ARMSFLOW_BIN;
  const tmp = mkdtempSync(join(tmpdir(), 'armsflow-e2e-'));
  if (!bin) {
    bin = join(tmp, 'armsflow');
    execFileSync('go', ['build', '-o', bin, './cmd/armsflow'], { cwd: repoRoot, stdio: 'inherit' });
  }
  // Port 0: the server binds a port the system picks and logs it, so no
  // other process can take the port between choosing and binding it.
  const log = [];
  const proc = spawn(bin, ['serve', '--addr', '127.0.0.1:0', '--log-format', 'text', '--db', join(tmp, 'e2e.db'),
    '--write-tokens', WRITE_TOKEN], {
    cwd: tmp,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ARMSFLOW_PUBLIC_URL: '' },
  });
  let exited = null;
  const exit = new Promise((r) => {
    proc.once('exit', (code, signal) => { exited = code ?? signal; r(); });
    proc.once('error', (err) => { log.push(`${err}\n`); exited ??= 'a start error'; r(); }); // e.g. no such binary
  });
  let announce;
  const serving = new Promise((r) => { announce = r; });
  let found = false;
  const collect = (d) => {
    log.push(String(d));
    const m = !found && SERVING_RE.exec(log.join(''));
    if (m) {
      found = true;
      announce(m);
    }
  };
  proc.stdout.on('data', collect);
  proc.stderr.on('data', collect);
  const stop = async () => {
    if (exited === null) {
      proc.kill('SIGTERM');
      let timer;
      await Promise.race([exit, new Promise((r) => { timer = setTimeout(r, 30_000); })]);
      clearTimeout(timer); // a pending timer would keep node running
      if (exited === null) {
        proc.kill('SIGKILL');
        await exit;
      }
    }
    rmSync(tmp, { recursive: true, force: true });
  };
  try {
    let timer;
    const timeout = new Promise((r) => { timer = setTimeout(r, READY_MS); });
    const m = await Promise.race([serving, exit, timeout]);
    clearTimeout(timer);
    if (!m) {
      throw new Error(exited !== null
        ? `armsflow serve exited with ${exited} before serving:\n${log.join('')}`
        : `armsflow serve did not listen within ${READY_MS / 1000} s:\n${log.join('')}`);
    }
    const base = m[1]; // the server under test, on loopback
    const port = Number(m[2]);
    const deadline = Date.now() + READY_MS;
    for (;;) {
      if (exited !== null) throw new Error(`armsflow serve exited with ${exited}:\n${log.join('')}`);
      try {
        const res = await fetch(`${base}/style.json`);
        if (res.ok) break;
      } catch {
        // not answering yet
      }
      if (Date.now() > deadline) throw new Error(`armsflow serve did not answer within ${READY_MS / 1000} s:\n${log.join('')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    return { base, port, log, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--enable-unsafe-swiftshader', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

/**
 * A browser context that records every request and aborts those that
 * leave the allowed origins (the armsflow server, and a test host page).
 */
export async function guardedContext(browser, allowedOrigins, opts = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, ...opts });
  ctx.setDefaultTimeout(WAIT_MS);
  const requests = [];
  const outside = [];
  await ctx.route('**/*', (route) => {
    const u = route.request().url();
    requests.push(u);
    let origin = '';
    try {
      origin = new URL(u).origin;
    } catch {
      // data:, blob:
    }
    if (u.startsWith('data:') || u.startsWith('blob:') || allowedOrigins.includes(origin)) return route.continue();
    outside.push(u);
    return route.abort('blockedbyclient');
  });
  // CSP violations and page errors, collected in the page.
  await ctx.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return { ctx, requests, outside };
}

/**
 * Waits until the map (in a page or a frame) has loaded its style and tiles
 * and drawn them: then for its 'idle' event after a fresh repaint, which
 * MapLibre fires only once no camera move, tile load, symbol fade or paint
 * transition is left, so a screenshot or pixel count sees the finished map
 * however slow the machine.
 */
export async function waitForMap(page, timeout = WAIT_MS) {
  await page.waitForFunction(() => document.body.dataset.mapReady === 'true', null, { timeout });
  await page.waitForFunction(() => {
    const m = window.armsflow?.map;
    return m && m.loaded() && m.areTilesLoaded() && !m.isMoving();
  }, null, { timeout, polling: 250 });
  await waitForIdle(page, timeout);
}

/** Waits for the map's next 'idle' event (a repaint is asked for, so one comes even on a still map). */
export async function waitForIdle(page, timeout = WAIT_MS) {
  const key = await page.evaluate(() => {
    const m = window.armsflow.map;
    window.__idleSeq = (window.__idleSeq || 0) + 1;
    const k = `__idle${window.__idleSeq}`;
    window[k] = false;
    m.once('idle', () => { window[k] = true; });
    m.triggerRepaint();
    return k;
  });
  await page.waitForFunction((k) => window[k] === true, key, { timeout, polling: 100 });
}

/** Saves a screenshot under the test output folder and returns the PNG. */
export async function screenshot(page, name) {
  mkdirSync(outDir, { recursive: true });
  const png = await page.screenshot({ path: join(outDir, `${name}.png`) });
  return png;
}

/**
 * Counts pixels of a PNG near each of some colours (Euclidean RGB
 * distance within tol), decoding it in a blank browser page.
 */
export async function colourCounts(browser, png, colours, tol = 28, clip = null) {
  const page = await browser.newPage();
  try {
    return await page.evaluate(async ({ b64, colours, tol, clip }) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      const r = clip || { x: 0, y: 0, width: img.width, height: img.height };
      const px = g.getImageData(r.x, r.y, r.width, r.height).data;
      const targets = colours.map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));
      const counts = new Array(colours.length).fill(0);
      const distinct = new Set();
      for (let i = 0; i < px.length; i += 4) {
        distinct.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
        targets.forEach((t, k) => {
          const d = Math.hypot(px[i] - t[0], px[i + 1] - t[1], px[i + 2] - t[2]);
          if (d <= tol) counts[k]++;
        });
      }
      return { counts, distinct: distinct.size, total: px.length / 4 };
    }, { b64: Buffer.from(png).toString('base64'), colours, tol, clip });
  } finally {
    await page.close();
  }
}

export function writeReport(name, obj) {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, name), JSON.stringify(obj, null, 2));
}

export const haveChromium = () => existsSync(CHROMIUM);
