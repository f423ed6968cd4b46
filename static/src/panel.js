// panel.js: the details panel for a selected country or flow.
import { api, transfersCSV } from './api.js';
import { esc, fmtCount, fmtValues, fmtValue, fmtSource, label } from './format.js';
import { filterParams } from './state.js';
import { yearsChart } from './chart.js';

const MAX_PARTNERS = 8;
const FLOW_PAGE = 100;

export class Panel {
  /**
   * @param {HTMLElement} root
   * @param {{onSelect: Function, onClose: Function, actors: object, colours: () => object}} opts
   */
  constructor(root, opts) {
    this.root = root;
    this.opts = opts;
    this.key = '';
    this.abort = null;
    root.addEventListener('click', (e) => {
      const b = e.target.closest('button[data-sel]');
      if (b) {
        const [a, c] = b.dataset.sel.split('>');
        opts.onSelect(c ? { type: 'flow', supplier: a, recipient: c } : { type: 'country', iso3: a });
      }
      if (e.target.closest('button.close')) opts.onClose();
    });
  }

  /** Shows the selection of a state (fetching only when selection or filter changed). */
  async update(state) {
    const fq = filterParams(state).toString();
    const key = JSON.stringify([state.sel, fq, state.mode]);
    if (key === this.key) return;
    this.key = key;
    this.abort?.abort();
    if (!state.sel) {
      this.root.hidden = true;
      this.root.innerHTML = '';
      return;
    }
    this.abort = new AbortController();
    const signal = this.abort.signal;
    this.root.hidden = false;
    this.root.setAttribute('aria-busy', 'true');
    try {
      if (state.sel.type === 'country') await this.showCountry(state, signal);
      else await this.showFlow(state, signal);
    } catch (err) {
      if (signal.aborted) return;
      this.root.innerHTML = `${this.header('Not available')}<p class="error">${esc(err.message)}</p>`;
    } finally {
      if (!signal.aborted) this.root.setAttribute('aria-busy', 'false');
    }
  }

  header(title, sub = '') {
    return `<div class="panel-head"><div><h2 id="panel-title" tabindex="-1">${esc(title)}</h2>${sub ? `<p class="muted">${sub}</p>` : ''}</div>
      <button type="button" class="close" aria-label="Close details">×</button></div>`;
  }

  async showCountry(state, signal) {
    const iso3 = state.sel.iso3;
    this.root.innerHTML = `${this.header(this.opts.actors.name(iso3))}<p class="muted">Loading…</p>`;
    const r = await api.country(iso3, filterParams(state).toString(), { signal });
    const colours = this.opts.colours();
    const totals = (t, what) => `<div class="total"><h3>${what}</h3>
      <p class="big" data-deals="${t?.deals ?? 0}">${fmtCount(t?.deals ?? 0)} <span>deal${t?.deals === 1 ? '' : 's'}</span></p>
      <p>${t?.deals ? fmtValues(t?.values) : 'no transfers'}</p>${t?.quantity ? `<p class="muted">${fmtCount(t.quantity)} items where known</p>` : ''}</div>`;
    const partners = (list, dir) => {
      if (!list?.length) return '<p class="muted">None in this filter.</p>';
      const rows = list.slice(0, MAX_PARTNERS).map((p) => {
        const sel = dir === 'from' ? `${p.id}>${r.iso3}` : `${r.iso3}>${p.id}`;
        return `<li><button type="button" class="link-button" data-sel="${esc(sel)}">${esc(p.name || p.id)}</button>
          <span class="muted">${fmtCount(p.deals)} deal${p.deals === 1 ? '' : 's'} · ${fmtValues(p.values)}</span></li>`;
      });
      const more = list.length > MAX_PARTNERS ? `<li class="muted">and ${list.length - MAX_PARTNERS} more</li>` : '';
      return `<ol class="partners">${rows.join('')}${more}</ol>`;
    };
    const conflicts = (r.conflicts || []).map((c) => `<li><strong>${esc(c.name)}</strong>
      <span class="muted">${esc(c.type || '')}, ${c.start_year || '?'}–${c.end_year || 'ongoing'}${c.intensity === 2 ? ', war (1,000+ deaths a year)' : ''}</span>
      ${c.source ? `<br><span class="small">${fmtSource(c.source)}</span>` : ''}</li>`).join('');
    const sources = (r.sources || []).map((s) => `<li>${fmtSource(s)}</li>`).join('');
    const [y0, y1] = state.years;
    const side = state.mode;
    const csvQS = new URLSearchParams(filterParams(state));
    csvQS.set(side === 'imports' ? 'recipient' : 'supplier', r.iso3);
    csvQS.delete(side === 'imports' ? 'supplier' : 'recipient');
    this.root.innerHTML = `${this.header(r.name || iso3, `${esc(r.subregion || r.region || '')} · ${y0 === y1 ? y0 : `${y0}–${y1}`}${r.in_conflict ? ' · <span class="badge">in armed conflict</span>' : ''}`)}
      <section class="totals" aria-label="Totals">${totals(r.imports, 'Imports')}${totals(r.exports, 'Exports')}</section>
      <section><h3>${side === 'imports' ? 'Imports' : 'Exports'} by year</h3>${yearsChart(r.years, side, colours, [y0, y1])}</section>
      <section><h3>Top suppliers</h3>${partners(r.suppliers, 'from')}</section>
      <section><h3>Top recipients</h3>${partners(r.recipients, 'to')}</section>
      <section><h3>Armed conflicts</h3>${conflicts ? `<ul class="conflicts">${conflicts}</ul>` : '<p class="muted">None active in this window.</p>'}</section>
      <section><h3>Sources</h3>${sources ? `<ul class="sources">${sources}</ul>` : '<p class="muted">No transfers, so no sources.</p>'}
        <p><a href="${esc(transfersCSV(csvQS.toString()))}" download>Download the ${side} as CSV</a></p></section>`;
  }

  async showFlow(state, signal) {
    const { supplier, recipient } = state.sel;
    const names = `${this.opts.actors.name(supplier)} → ${this.opts.actors.name(recipient)}`;
    this.root.innerHTML = `${this.header(names)}<p class="muted">Loading…</p>`;
    const qs = filterParams(state);
    qs.set('supplier', supplier);
    qs.set('recipient', recipient);
    const page = new URLSearchParams(qs);
    page.set('limit', String(FLOW_PAGE));
    const res = await api.transfers(page.toString(), { signal });
    const items = res.transfers || res.items || [];
    const total = res.total ?? items.length;
    const [y0, y1] = state.years;
    const rows = items.map((t) => {
      const when = [t.order_year ? `ordered ${t.order_year}` : 'order year unknown',
        t.delivery_years?.length ? `delivered ${yearsText(t.delivery_years)}` : ''].filter(Boolean).join(', ');
      const figures = [t.quantity !== null && t.quantity !== undefined ? `${fmtCount(t.quantity)} units` : 'quantity unknown',
        t.value !== null && t.value !== undefined ? fmtValue(t.value, t.unit) : 'value unknown'].join(' · ');
      return `<li class="deal">
        <div class="deal-head"><strong>${esc(t.weapon || t.description || 'unnamed')}</strong>
          <span class="status status-${esc(t.status)}">${esc(label(t.status))}</span></div>
        ${t.weapon && t.description ? `<div class="muted small">${esc(t.description)}</div>` : ''}
        <div class="small"><span class="swatch" data-cat="${esc(t.category)}" aria-hidden="true"></span> ${esc(label(t.category))} · ${esc(when)} · ${figures}</div>
        <div class="small source">Source: ${fmtSource(t.source)}</div></li>`;
    }).join('');
    this.root.innerHTML = `${this.header(names, `${total} deal${total === 1 ? '' : 's'} · ${y0 === y1 ? y0 : `${y0}–${y1}`}`)}
      <p><button type="button" class="link-button" data-sel="${esc(supplier)}">${esc(this.opts.actors.name(supplier))}</button> →
         <button type="button" class="link-button" data-sel="${esc(recipient)}">${esc(this.opts.actors.name(recipient))}</button></p>
      ${items.length ? `<ul class="deals" aria-label="Deals behind the flow">${rows}</ul>` : '<p class="muted">No deals in this filter.</p>'}
      ${total > items.length ? `<p class="muted">Showing the first ${items.length} of ${total}.</p>` : ''}
      <p><a href="${esc(transfersCSV(qs.toString()))}" download>Download these deals as CSV</a></p>`;
    const colours = this.opts.colours();
    this.root.querySelectorAll('.swatch[data-cat]').forEach((s) => { s.style.backgroundColor = colours[s.dataset.cat] || '#999'; });
  }

  focus() {
    this.root.querySelector('#panel-title')?.focus();
  }
}

function yearsText(ys) {
  const s = [...new Set(ys)].sort((a, b) => a - b);
  return s.length > 3 ? `${s[0]}–${s[s.length - 1]}` : s.join(', ');
}
