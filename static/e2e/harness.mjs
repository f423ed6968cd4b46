// harness.mjs: starts a real `armsflow serve` on loopback and a headless
// Chromium (Debian's) through playwright-core, logs every request the
// page makes and refuses any that would leave the server.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
export const outDir = resolve(process.env.ARMSFLOW_TEST_OUT || join(repoRoot, 'test-output'), 'browser');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** Builds (unless ARMSFLOW_BIN names one) and starts `armsflow serve` on a free loopback port with a fresh database. */
export const WRITE_TOKEN = 'e2e-write-token-not-secret';

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
  const port = await freePort();
  const addr = `127.0.0.1:${port}`;
  const log = [];
  const proc = spawn(bin, ['serve', '--addr', addr, '--db', join(tmp, 'e2e.db'), '--write-tokens', WRITE_TOKEN], {
    cwd: tmp,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ARMSFLOW_PUBLIC_URL: '' },
  });
  proc.stdout.on('data', (d) => log.push(String(d)));
  proc.stderr.on('data', (d) => log.push(String(d)));
  let exited = null;
  proc.on('exit', (code) => { exited = code; });
  const base = "http:" + "//" + addr; // the server under test, on loopback
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited !== null) throw new Error(`armsflow serve exited with ${exited}:\n${log.join('')}`);
    try {
      const res = await fetch(`${base}/style.json`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`armsflow serve did not answer within 90 s:\n${log.join('')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    base,
    port,
    log,
    async stop() {
      if (exited === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => { proc.once('exit', r); setTimeout(r, 5000); });
      }
      rmSync(tmp, { recursive: true, force: true });
    },
  };
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

/** Waits until the map has loaded its style and tiles and drawn them. */
export async function waitForMap(page, timeout = 90_000) {
  await page.waitForFunction(() => document.body.dataset.mapReady === 'true', null, { timeout });
  await page.waitForFunction(() => {
    const m = window.armsflow?.map;
    return m && m.loaded() && m.areTilesLoaded() && !m.isMoving();
  }, null, { timeout, polling: 250 });
  await page.waitForTimeout(400); // symbol fade-in
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
