// table.js: the flows of the current filter as a table, with CSV download.
import { api, asList, flowsCSV } from './api.js';
import { esc, fmtCount, fmtValues, label } from './format.js';
import { filterQuery } from './state.js';

const MAX_ROWS = 500;

export class FlowTable {
  constructor(root, { onSelect, onClose, actors }) {
    this.root = root;
    this.opts = { onSelect, onClose, actors };
    this.key = '';
    root.addEventListener('click', (e) => {
      const b = e.target.closest('button[data-sel]');
      if (b) {
        const [s, r] = b.dataset.sel.split('>');
        onSelect({ type: 'flow', supplier: s, recipient: r });
      }
      if (e.target.closest('button.close')) onClose();
    });
  }

  async update(state) {
    const open = state.panel === 'table';
    this.root.hidden = !open;
    if (!open) {
      this.key = '';
      return;
    }
    const fq = filterQuery(state);
    if (fq === this.key) return;
    this.key = fq;
    this.abort?.abort();
    this.abort = new AbortController();
    const head = `<div class="panel-head"><h2 id="table-title" tabindex="-1">Flows ${esc(state.years[0] === state.years[1] ? state.years[0] : `${state.years[0]}–${state.years[1]}`)}</h2>
      <div><a class="button" href="${esc(flowsCSV(fq))}" download>Download CSV</a>
      <button type="button" class="close" aria-label="Close the table">×</button></div></div>`;
    this.root.innerHTML = `${head}<p class="muted">Loading…</p>`;
    try {
      const fc = await api.flows(fq, { signal: this.abort.signal });
      const flows = asList(fc, 'flows').map((f) => f.properties || f);
      const rows = flows.slice(0, MAX_ROWS).map((p, i) => {
        const values = p.values || (p.value !== undefined && p.unit ? { [p.unit]: p.value } : null);
        return `<tr><td class="num">${i + 1}</td>
        <td>${esc(this.opts.actors.name(p.supplier))}</td><td>${esc(this.opts.actors.name(p.recipient))}</td>
        <td class="num">${fmtCount(p.deals)}</td><td>${fmtValues(values)}</td><td>${esc(label(p.top_category || ''))}</td>
        <td><button type="button" class="link-button" data-sel="${esc(`${p.supplier}>${p.recipient}`)}"
          aria-label="Deals from ${esc(this.opts.actors.name(p.supplier))} to ${esc(this.opts.actors.name(p.recipient))}">Deals</button></td></tr>`;
      });
      this.root.innerHTML = `${head}
        <p class="muted">${flows.length} flow${flows.length === 1 ? '' : 's'} (supplier → recipient) in this filter${flows.length > MAX_ROWS ? `, the first ${MAX_ROWS} shown; the CSV has all` : ''}.</p>
        <div class="table-wrap"><table class="flows"><caption class="sr-only">Flows in the current filter</caption>
        <thead><tr><th scope="col">#</th><th scope="col">Supplier</th><th scope="col">Recipient</th><th scope="col">Deals</th><th scope="col">Value</th><th scope="col">Main category</th><th scope="col"><span class="sr-only">Details</span></th></tr></thead>
        <tbody>${rows.join('')}</tbody></table></div>`;
    } catch (err) {
      if (!this.abort.signal.aborted) this.root.innerHTML = `${head}<p class="error">${esc(err.message)}</p>`;
    }
  }

  focus() {
    this.root.querySelector('#table-title')?.focus();
  }
}
