// legend.js: the legend, drawn from the style's metadata (the server's
// colours and class breaks).
import { esc, fmtBreak, label } from './format.js';

/** Category colours from the legend metadata, as {category: colour}. */
export function categoryColours(meta) {
  const out = {};
  for (const c of meta?.categories || []) out[c.category] = c.colour;
  return out;
}

export function renderLegend(root, meta, state) {
  if (!meta) return;
  const sc = meta.scale || {};
  const breaks = sc.breaks || [];
  const ramp = meta.ramp || [];
  const classes = [`<li><span class="sw" data-c="${esc(meta.no_data)}"></span>none</li>`]
    .concat(breaks.map((b, i) => `<li><span class="sw" data-c="${esc(ramp[i])}"></span>${fmtBreak(b, sc.unit)}${i === breaks.length - 1 ? '+' : ''}</li>`));
  const cats = (meta.categories || []).map((c) => `<li><span class="sw line" data-c="${esc(c.colour)}"></span>${esc(label(c.category))}</li>`);
  const overlays = [];
  if (state.layers.includes('conflicts')) overlays.push(`<li><span class="sw dashed" data-c="${esc(meta.conflict)}"></span>Country or area in armed conflict</li>`);
  if (state.layers.includes('events')) overlays.push(`<li><span class="sw dot" data-c="${esc(meta.event)}"></span>Conflict event (size: deaths)</li>`);
  const wasOpen = root.querySelector('details')?.open ?? true;
  root.innerHTML = `<details ${wasOpen ? 'open' : ''}><summary>Legend</summary>
    <h2 class="legend-title">Countries: ${esc(label(meta.mode).toLowerCase())} ${state.years[0] === state.years[1] ? state.years[0] : `${state.years[0]}–${state.years[1]}`}, ${esc(sc.label || '')} <span class="muted">(from)</span>${sc.unit && sc.unit !== 'deals' ? ` <span class="muted">(${esc(sc.unit)})</span>` : ''}</h2>
    <ul class="legend-classes">${classes.join('')}</ul>
    ${state.layers.includes('flows') ? `<h2 class="legend-title legend-cats-title">Flows by main category <span class="muted">(width: value, ▶ direction)</span></h2>
    <ul class="legend-cats">${cats.join('')}</ul>` : ''}
    ${overlays.length ? `<ul class="legend-overlays">${overlays.join('')}</ul>` : ''}</details>`;
  root.querySelectorAll('.sw[data-c]').forEach((s) => {
    if (s.classList.contains('dashed')) s.style.borderColor = s.dataset.c;
    else s.style.backgroundColor = s.dataset.c;
  });
}
