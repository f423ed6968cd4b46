// Browser tests of the map and the embed widget, in a real headless
// Chromium against a real `armsflow serve` on loopback:
//   node --test static/e2e/      (needs /usr/bin/chromium and Go)
// Screenshots go to $ARMSFLOW_TEST_OUT/browser (default ./test-output/browser).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import {
  startServer, launchBrowser, guardedContext, waitForMap, screenshot, colourCounts, writeReport, haveChromium, listenLoopback, outDir,
} from './harness.mjs';

const skip = haveChromium() ? false : 'no Chromium at /usr/bin/chromium (apt-get install chromium)';
let server, browser, style;

before(async () => {
  if (skip) return;
  server = await startServer();
  browser = await launchBrowser();
  style = await (await fetch(`${server.base}/style.json`)).json();
  console.log(`# armsflow at ${server.base}; screenshots in ${outDir}`);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const legend = () => style.metadata['armsflow:legend'];

/** The country with the most import deals in a window, with a place on the map. */
async function busiestImporter(years) {
  const res = await fetch(`${server.base}/api/flows?years=${years}`);
  const fc = await res.json();
  const deals = new Map();
  for (const f of fc.features || []) {
    const p = f.properties;
    if (!f.geometry || f.geometry.type === undefined) continue;
    deals.set(p.recipient, (deals.get(p.recipient) || 0) + p.deals);
  }
  const ranked = [...deals.entries()].sort((a, b) => b[1] - a[1]);
  for (const [iso3] of ranked) {
    const r = await fetch(`${server.base}/api/countries/${iso3}?years=${years}`);
    if (r.ok) return r.json();
  }
  throw new Error('no country with imports in the default data');
}

test('/style.json is a valid MapLibre style for every shading', { skip }, async () => {
  for (const qs of ['', 'mode=exports&measure=tiv&years=2020', 'measure=usd&supplier=USA&category=aircraft,missiles', 'measure=eur']) {
    const st = await (await fetch(`${server.base}/style.json?${qs}`)).json();
    assert.deepEqual(validateStyleMin(st).map((e) => e.message), [], `style.json?${qs}`);
    const url = new URL(st.sources.armsflow.url);
    assert.equal(url.origin, server.base, 'the source is the server itself');
    const tj = await fetch(url);
    assert.equal(tj.status, 200, `TileJSON ${url}`);
    const tilejson = await tj.json();
    assert.ok(tilejson.tiles.every((u) => u.startsWith(server.base)), 'tiles elsewhere');
    for (const l of st.layers.filter((x) => x['source-layer'])) {
      assert.ok(tilejson.vector_layers.some((v) => v.id === l['source-layer']), `layer ${l.id} reads ${l['source-layer']}, not in the TileJSON`);
    }
  }
});

test('the map draws countries, flows and labels, and nothing leaves the server', { skip }, async () => {
  const { ctx, requests, outside } = await guardedContext(browser, [server.base]);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${server.base}/`);
  await waitForMap(page);
  const png = await screenshot(page, 'map-default');

  const meta = legend();
  const box = await page.locator('#map').boundingBox();
  const clip = { x: Math.round(box.x), y: Math.round(box.y), width: Math.round(box.width), height: Math.round(box.height) };
  const cats = meta.categories.map((c) => c.colour);
  const fills = [meta.no_data, ...meta.ramp];
  const res = await colourCounts(browser, png, ['#f7f9fb', ...fills, ...cats], 22, clip);
  const water = res.counts[0];
  const land = res.counts.slice(1, 1 + fills.length).reduce((a, b) => a + b, 0);
  const shaded = res.counts.slice(2, 1 + fills.length).reduce((a, b) => a + b, 0);
  const arcs = res.counts.slice(1 + fills.length).reduce((a, b) => a + b, 0);
  writeReport('map-default-pixels.json', { water, land, shaded, arcs, distinct: res.distinct, total: res.total });
  assert.ok(res.distinct > 50, `the map is blank (${res.distinct} distinct colours)`);
  assert.ok(water > res.total * 0.15, `little water drawn: ${water} of ${res.total} pixels`);
  assert.ok(land > res.total * 0.1, `little land drawn: ${land} of ${res.total} pixels`);
  assert.ok(shaded > 500, `no country shaded by imports: ${shaded} pixels`);
  assert.ok(arcs > 300, `no flow arcs in category colours: ${arcs} pixels`);

  const labels = await page.evaluate(() => window.armsflow.map.queryRenderedFeatures({ layers: ['labels'] }).map((f) => f.properties.name));
  assert.ok(labels.length >= 5, `only ${labels.length} labels placed: ${labels.join(', ')}`);
  const arrows = await page.evaluate(() => window.armsflow.map.queryRenderedFeatures({ layers: ['flows-arrows'] }).length);
  assert.ok(arrows > 0, 'no direction arrows placed on the flows');
  assert.ok(requests.some((u) => /\/fonts\/DejaVu%20Sans\/0-255\.pbf$/.test(u)), 'the Latin glyph range was not requested');
  assert.ok(requests.some((u) => /\/tiles\/countries,flows,conflicts,events,labels\/\d+\/\d+\/\d+\.mvt\?/.test(u)), 'no tile requests');

  // Hover a flow: a tooltip names its ends. Click it: its deals, with sources.
  const pt = await page.evaluate(() => {
    const m = window.armsflow.map;
    const { width, height } = m.getCanvas().getBoundingClientRect();
    for (const f of m.queryRenderedFeatures({ layers: ['flows'] })) {
      const lines = f.geometry.type === 'LineString' ? [f.geometry.coordinates] : f.geometry.coordinates;
      for (const line of lines) {
        for (const c of line.slice(Math.floor(line.length / 3))) {
          const p = m.project(c);
          if (p.x < 340 || p.x > width - 60 || p.y < 60 || p.y > height - 60) continue; // clear of the legend and controls
          const top = window.armsflow.map.queryRenderedFeatures([p.x, p.y], { layers: ['flows', 'events'] })[0];
          if (top?.layer.id === 'flows') return { x: p.x, y: p.y, supplier: top.properties.supplier, recipient: top.properties.recipient };
        }
      }
    }
    return null;
  });
  assert.ok(pt, 'no clickable flow on the map');
  await page.mouse.move(box.x + pt.x, box.y + pt.y);
  await page.waitForSelector('#tooltip:not([hidden])');
  assert.match(await page.textContent('#tooltip'), /→/);
  await page.mouse.click(box.x + pt.x, box.y + pt.y);
  await page.waitForSelector('#panel ul.deals li.deal');
  // The URL follows the state a moment later (app.js writes it 250 ms after the last change).
  await page.waitForFunction((want) => new URLSearchParams(location.search).get('sel') === want, `${pt.supplier}>${pt.recipient}`)
    .catch(async (err) => { throw new Error(`the URL did not select the flow: ${await page.evaluate(() => location.search)}: ${err.message}`); });
  const api = await (await fetch(`${server.base}/api/transfers?supplier=${pt.supplier}&recipient=${pt.recipient}&years=2015-2024&limit=1`)).json();
  assert.match(await page.textContent('#panel .panel-head p'), new RegExp(`^${api.total} deals? `));
  assert.ok(await page.$$eval('#panel .deal .source', (els) => els.every((e) => e.textContent.trim().length > 'Source: '.length)), 'a deal without its source');
  await screenshot(page, 'flow-clicked');

  assert.deepEqual(outside, [], 'requests left the server');
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], 'CSP violations');
  // A server run without a live hub answers /ws with 404; the map carries on without live updates.
  assert.deepEqual(errors.filter((e) => !/WebSocket connection to .*\/ws' failed/.test(e)), [], 'page errors');
  await ctx.close();
});

test('the year slider and play button change the tiles and the URL', { skip }, async () => {
  const { ctx, requests, outside } = await guardedContext(browser, [server.base]);
  const page = await ctx.newPage();
  await page.goto(`${server.base}/?years=2015-2024`);
  await waitForMap(page);
  const before = requests.length;
  await page.focus('#year-from');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => location.search.includes('years=2017-2024'));
  await waitForMap(page);
  const tiles = requests.slice(before).filter((u) => /\/tiles\/.*\.mvt\?/.test(u));
  assert.ok(tiles.some((u) => u.includes('years=2017-2024')), `no tile requests for the new window: ${tiles.slice(0, 3)}`);
  assert.ok(!tiles.some((u) => u.includes('years=2015-2024')), 'tiles of the old window requested after the change');
  assert.equal(await page.textContent('#years-out'), '2017–2024');

  // Play steps through single years.
  const mark = requests.length;
  await page.click('#year-play');
  await page.waitForFunction(() => /years=2018(&|$)/.test(location.search));
  assert.equal(await page.getAttribute('#year-play', 'aria-pressed'), 'true');
  await page.click('#year-play'); // stop: back to the window
  await page.waitForFunction(() => location.search.includes('years=2017-2024'));
  const single = requests.slice(mark).filter((u) => /\/tiles\/.*years=2017(&|$)/.test(u) || /\/tiles\/.*years=2018(&|$)/.test(u));
  assert.ok(single.length > 0, 'playing did not request single-year tiles');
  assert.deepEqual(outside, []);
  await ctx.close();
});

test('clicking a country opens its panel with the totals the API gives', { skip }, async () => {
  const years = '2015-2024';
  const report = await busiestImporter(years);
  const { ctx, outside } = await guardedContext(browser, [server.base]);
  const page = await ctx.newPage();
  // Flows hidden so the click lands on the country, not on an arc.
  await page.goto(`${server.base}/?years=${years}&layers=labels&map=4/${report.anchor[1]}/${report.anchor[0]}`);
  await waitForMap(page);
  const pt = await page.evaluate((a) => window.armsflow.map.project(a), report.anchor);
  const box = await page.locator('#map').boundingBox();
  await page.mouse.click(box.x + pt.x, box.y + pt.y);
  await page.waitForSelector('#panel:not([hidden]) .total .big');
  const deals = await page.$$eval('#panel .total .big', (els) => els.map((e) => Number(e.dataset.deals)));
  assert.deepEqual(deals, [report.imports.deals, report.exports.deals], `panel totals for ${report.iso3}`);
  assert.equal(await page.textContent('#panel h2'), report.name);
  await page.waitForFunction((iso3) => new URLSearchParams(location.search).get('sel') === iso3, report.iso3)
    .catch(async (err) => { throw new Error(`the URL did not select ${report.iso3}: ${await page.evaluate(() => location.search)}: ${err.message}`); });
  const sources = await page.$$eval('#panel .sources li', (els) => els.length);
  assert.equal(sources, report.sources.length, 'sources listed');
  assert.ok(await page.$('#panel svg.chart'), 'no weapons-by-year chart');
  await screenshot(page, 'country-panel');

  // A partner button opens the flow and its deals.
  await page.click('#panel .partners button[data-sel]');
  await page.waitForSelector('#panel ul.deals li.deal');
  const rows = await page.$$eval('#panel ul.deals li.deal', (r) => r.length);
  assert.ok(rows > 0, 'the flow lists no deals');
  await page.waitForFunction(() => /sel=[A-Z0-9-]+%3E[A-Z0-9-]+/.test(location.search))
    .catch(async (err) => { throw new Error(`the URL did not select a flow: ${await page.evaluate(() => location.search)}: ${err.message}`); });
  await screenshot(page, 'flow-panel');
  assert.deepEqual(outside, []);
  await ctx.close();
});

test('every control has an accessible name, and the keyboard alone finds a country', { skip }, async () => {
  const { ctx, outside } = await guardedContext(browser, [server.base]);
  const page = await ctx.newPage();
  await page.goto(`${server.base}/`);
  await waitForMap(page);
  const unnamed = await page.evaluate(() => {
    const name = (el) => (el.getAttribute('aria-label') || (el.labels && [...el.labels].map((l) => l.textContent).join(' '))
      || (el.getAttribute('aria-labelledby') && document.getElementById(el.getAttribute('aria-labelledby'))?.textContent)
      || el.getAttribute('title') || el.textContent || '').trim();
    return [...document.querySelectorAll('button, input, select, textarea, a[href], [tabindex]:not([tabindex="-1"])')]
      .filter((el) => el.offsetParent !== null && !el.disabled)
      .filter((el) => !name(el))
      .map((el) => el.outerHTML.slice(0, 120));
  });
  assert.deepEqual(unnamed, [], 'controls without an accessible name');

  // Tab from the top reaches the search box, the buttons, the year slider and the map.
  const order = [];
  await page.evaluate(() => document.activeElement?.blur());
  for (let i = 0; i < 14; i++) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => document.activeElement.id || document.activeElement.className || document.activeElement.tagName));
  }
  for (const id of ['country-search', 'btn-table', 'btn-share', 'btn-embed', 'year-from', 'year-to', 'year-play']) {
    assert.ok(order.includes(id), `Tab never reached #${id}: ${order.join(' > ')}`);
  }
  assert.ok(order.indexOf('country-search') < order.indexOf('btn-table') && order.indexOf('btn-embed') < order.indexOf('year-from'), `focus order ${order}`);

  // Search by keyboard: the country's panel opens and the map flies there.
  const actors = await (await fetch(`${server.base}/api/actors`)).json();
  const list = actors.actors || actors.items || actors;
  const ukr = list.find((a) => a.id === 'UKR') || list.find((a) => a.kind === 'state');
  await page.focus('#country-search');
  await page.keyboard.type(ukr.name);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#panel:not([hidden]) .total .big');
  assert.equal(await page.textContent('#panel h2'), ukr.name);
  await page.keyboard.press('Escape'); // from the search box: nothing; Escape in the panel closes it
  await page.focus('#panel .close');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#panel').hidden);
  await page.waitForFunction(() => !new URLSearchParams(location.search).has('sel'));
  assert.deepEqual(outside, []);
  await ctx.close();
});

test('a share link reopened restores the same view', { skip }, async () => {
  const { ctx, outside } = await guardedContext(browser, [server.base]);
  const page = await ctx.newPage();
  await page.goto(`${server.base}/`);
  await waitForMap(page);
  // Change the view through the UI.
  await page.check('input[name=mode][value=exports]');
  await page.selectOption('#measure', 'tiv');
  await page.uncheck('input[name=overlay][value=events]');
  await page.check('input[name=category][value=aircraft]');
  await page.evaluate(() => window.armsflow.map.jumpTo({ center: [30.5, 48.2], zoom: 3.3, bearing: 12 }));
  await page.click('#btn-table');
  await page.waitForSelector('#table-view:not([hidden]) table.flows, #table-view:not([hidden]) p.muted');
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.base });
  await page.click('#btn-share');
  const url = await page.inputValue('#share-url');
  await waitForMap(page);
  // The page URL follows the state a moment after the last change (app.js writes it 250 ms later).
  await page.waitForFunction((u) => location.href === u, url)
    .catch(async (err) => { throw new Error(`the page URL ${await page.evaluate(() => location.href)} never became the share link ${url}: ${err.message}`); });
  const want = await page.evaluate(() => ({ state: window.armsflow.state(), href: location.href }));
  assert.equal(url, want.href, 'the share link is the page URL');
  assert.match(url, /mode=exports/);
  assert.match(url, /measure=tiv/);
  assert.match(url, /category=aircraft/);
  assert.match(url, /panel=table/);
  await screenshot(page, 'share-dialog');

  // The Embed button writes iframe code for the same view; oEmbed answers for the share link.
  await page.keyboard.press('Escape');
  await page.click('#btn-embed');
  await page.fill('#embed-title', 'Aircraft exports');
  const code = await page.inputValue('#embed-code');
  const src = /<iframe src="([^"]+)"/.exec(code)?.[1]?.replaceAll('&amp;', '&');
  assert.ok(src?.startsWith(`${server.base}/embed?`), `iframe code ${code}`);
  const embedQ = new URL(src).searchParams;
  const shareQ = new URL(url).searchParams;
  for (const k of ['map', 'mode', 'measure', 'category', 'layers']) assert.equal(embedQ.get(k), shareQ.get(k), `embed ${k}`);
  assert.equal(embedQ.get('title'), 'Aircraft exports');
  const oe = await fetch(`${server.base}/oembed?format=json&url=${encodeURIComponent(url)}`);
  assert.equal(oe.status, 200);
  assert.match((await oe.json()).html, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/embed\?/);
  await screenshot(page, 'embed-dialog');
  await page.keyboard.press('Escape');

  const page2 = await ctx.newPage();
  await page2.goto(url);
  await waitForMap(page2);
  const got = await page2.evaluate(() => {
    const m = window.armsflow.map;
    return { state: window.armsflow.state(), center: m.getCenter(), zoom: m.getZoom(), bearing: m.getBearing() };
  });
  for (const k of ['years', 'supplier', 'recipient', 'category', 'status', 'mode', 'measure', 'layers', 'sel', 'panel']) {
    assert.deepEqual(got.state[k], want.state[k], k);
  }
  assert.ok(Math.abs(got.center.lng - 30.5) < 0.01 && Math.abs(got.center.lat - 48.2) < 0.01, `center ${JSON.stringify(got.center)}`);
  assert.ok(Math.abs(got.zoom - 3.3) < 0.01 && Math.abs(got.bearing - 12) < 0.1, `zoom ${got.zoom} bearing ${got.bearing}`);
  assert.equal(await page2.isChecked('input[name=mode][value=exports]'), true);
  assert.equal(await page2.inputValue('#measure'), 'tiv');
  assert.equal(await page2.isVisible('#table-view'), true);
  const fill = await page2.evaluate(() => JSON.stringify(window.armsflow.map.getPaintProperty('countries-fill', 'fill-color')));
  assert.match(fill, /exports_tiv/, 'the shading was not restored');
  await screenshot(page2, 'share-reopened');
  assert.deepEqual(outside, []);
  await ctx.close();
});

test('a page on another origin embeds /embed and receives its height', { skip }, async () => {
  const embedURL = `${server.base}/embed?years=2020&controls=zoom,legend,years&title=Arms%20transfers%202020`;
  const host = createServer((req, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><title>host</title><h1>A news article</h1>
      <iframe id="w" src="${embedURL}" width="720" height="460" title="armsflow"></iframe>
      <iframe id="main" src="${server.base}/" width="300" height="200" title="not framable"></iframe>
      <script>window.heights = []; addEventListener('message', (e) => {
        if (e.origin === ${JSON.stringify(server.base)} && e.data && e.data.type === 'armsflow:height') window.heights.push(e.data.height);
      });</script>`);
  });
  const hostOrigin = `http://127.0.0.1:${await listenLoopback(host)}`; // a port the system picked: none to lose to another process
  try {
    const { ctx, outside } = await guardedContext(browser, [server.base, hostOrigin]);
    const page = await ctx.newPage();
    await page.goto(`${hostOrigin}/`);
    await page.waitForFunction(() => window.heights.length > 0);
    const heights = await page.evaluate(() => window.heights);
    assert.ok(heights.every((h) => h > 100 && h <= 2000), `heights ${heights}`);
    const frame = page.frame({ url: /\/embed\?/ });
    assert.ok(frame, 'the embed frame did not load');
    await waitForMap(frame);
    assert.equal(await frame.textContent('#embed-title'), 'Arms transfers 2020');
    assert.ok(await frame.$('#year-from'), 'the years control asked for is missing');
    assert.equal(await frame.$('#measure'), null, 'the embed shows controls not asked for');
    // The main map refuses to be framed by another origin.
    const main = page.frames().find((f) => f.url().startsWith(`${server.base}/`) && !f.url().includes('/embed'));
    const mainLoaded = main ? await main.evaluate(() => !!document.querySelector('#map')).catch(() => false) : false;
    assert.equal(mainLoaded, false, 'the main map page loaded inside a foreign frame');
    await screenshot(page, 'embed-host');
    assert.deepEqual(outside, []);
    await ctx.close();
  } finally {
    host.close();
  }
});
