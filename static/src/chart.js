// chart.js: a small SVG bar chart of deals by year, stacked by category.
import { esc, label } from './format.js';

/**
 * @param {Array<{year:number, imports:object, exports:object}>} years CountryReport.years
 * @param {'imports'|'exports'} side
 * @param {Object<string,string>} colours category -> colour
 * @param {[number, number]} window the filter's year window
 */
export function yearsChart(years, side, colours, window) {
  const W = 320, H = 150, padL = 30, padB = 20, padT = 8, padR = 6;
  const [y0, y1] = window;
  const span = Math.max(1, y1 - y0 + 1);
  const byYear = new Map((years || []).map((y) => [y.year, y[side]]));
  let max = 0;
  for (const t of byYear.values()) max = Math.max(max, t?.deals || 0);
  if (max === 0) return `<p class="muted">No ${side} with a known year in ${y0}–${y1}.</p>`;
  const niceMax = niceCeil(max);
  const bw = (W - padL - padR) / span;
  const sy = (v) => (H - padB) - (v / niceMax) * (H - padB - padT);
  const bars = [];
  for (let y = y0; y <= y1; y++) {
    const t = byYear.get(y);
    if (!t?.deals) continue;
    const x = padL + (y - y0) * bw + bw * 0.1;
    let acc = 0;
    const cats = Object.entries(t.by_category || {}).sort((a, b) => a[0].localeCompare(b[0]));
    if (!cats.length) cats.push(['other', { deals: t.deals }]);
    for (const [cat, ct] of cats) {
      const d = ct.deals || 0;
      if (!d) continue;
      const top = sy(acc + d), bottom = sy(acc);
      bars.push(`<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${Math.max(1, bw * 0.8).toFixed(1)}" height="${(bottom - top).toFixed(1)}" fill="${esc(colours[cat] || '#999')}"><title>${y}: ${d} ${esc(label(cat).toLowerCase())} deal${d === 1 ? '' : 's'}</title></rect>`);
      acc += d;
    }
  }
  const ticks = [0, niceMax / 2, niceMax].map((v) => `<g><line x1="${padL}" x2="${W - padR}" y1="${sy(v)}" y2="${sy(v)}" class="grid"/><text x="${padL - 4}" y="${sy(v) + 3}" text-anchor="end">${v}</text></g>`);
  const step = span > 40 ? 10 : span > 16 ? 5 : span > 6 ? 2 : 1;
  const xt = [];
  for (let y = y0; y <= y1; y++) {
    if ((y - y0) % step === 0 || y === y1 && span <= 6) {
      xt.push(`<text x="${(padL + (y - y0 + 0.5) * bw).toFixed(1)}" y="${H - 6}" text-anchor="middle">${y}</text>`);
    }
  }
  const total = [...byYear.values()].reduce((s, t) => s + (t?.deals || 0), 0);
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(`${side} deals per year, ${y0} to ${y1}: ${total} in all, at most ${max} in one year`)}">
    ${ticks.join('')}${bars.join('')}${xt.join('')}</svg>`;
}

function niceCeil(v) {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
