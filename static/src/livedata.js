// livedata.js: what the map makes of the live data events: the data
// version its tile URLs carry (so browsers fetch new tiles after a write
// instead of reusing cached ones), the words of the toast that names a new
// deal, and the query that finds a new flow's arc in the current filter.
// No DOM or map here: node's test runner checks it.
import { filterParams } from './state.js';
import { label, fmtCount } from './format.js';

/**
 * The data version the map's tiles are at. Versions come from live events
 * (each one is a write after the page subscribed) and from API responses
 * (the first one is the version the page loaded with).
 */
export class DataVersion {
  constructor() {
    this.latest = null; // highest version seen
    this.tiles = null; // version the tile URLs carry (null: none, as loaded)
  }

  /**
   * Notes a version; true when the tiles should be fetched again with it
   * (then tiles is that version).
   * @param {number} v
   * @param {{event?: boolean}} opts event: it came with a live event
   */
  observe(v, { event = false } = {}) {
    if (!Number.isSafeInteger(v) || v < 0) return false;
    const newer = event ? this.tiles === null || v > this.tiles : this.latest !== null && v > this.latest;
    this.latest = this.latest === null ? v : Math.max(this.latest, v);
    if (!newer || (this.tiles !== null && v <= this.tiles)) return false;
    this.tiles = v;
    return true;
  }
}

/** The version a live message carries, or null. */
export function eventVersion(msg) {
  const v = msg?.data?.version;
  return Number.isSafeInteger(v) && v >= 0 ? v : null;
}

const plural = (n, one, many = `${one}s`) => `${fmtCount(n)} ${n === 1 ? one : many}`;

/**
 * The toast of a data event: {kind, title, line, detail, source,
 * supplier, recipient}, or null for events that need none.
 */
export function describeEvent(msg) {
  const d = msg?.data;
  if (!d) return null;
  switch (msg.type) {
    case 'transfer.added':
    case 'transfer.updated':
    case 'transfer.deleted': {
      const t = d.transfer;
      if (!t?.supplier || !t?.recipient) return null;
      const kind = msg.type.slice('transfer.'.length);
      const title = { added: 'New deal', updated: 'Deal updated', deleted: 'Deal removed' }[kind];
      const detail = [
        t.weapon || t.description || '',
        t.category ? label(t.category) : '',
        Number.isFinite(t.quantity) ? plural(t.quantity, 'unit') : '',
        [t.status ? label(t.status) : '', t.order_year ? `order year ${t.order_year}` : ''].filter(Boolean).join(', '),
      ].filter(Boolean).join(' · ');
      return {
        kind,
        title,
        line: `${t.supplier_name || t.supplier} → ${t.recipient_name || t.recipient}`,
        detail,
        source: t.source || null,
        supplier: t.supplier,
        recipient: t.recipient,
      };
    }
    case 'data.changed': {
      const c = d.change || {};
      const n = (m) => m?.transfers || 0;
      const parts = [];
      if (n(c.inserted)) parts.push(`${plural(n(c.inserted), 'transfer')} added`);
      if (n(c.updated)) parts.push(`${plural(n(c.updated), 'transfer')} updated`);
      if (n(c.deleted)) parts.push(`${plural(n(c.deleted), 'transfer')} removed`);
      if (!parts.length) parts.push('the map data changed');
      return { kind: 'changed', title: 'Data updated', line: parts.join(', '), detail: '', source: null };
    }
    default:
      return null;
  }
}

/**
 * The /api/flows query for one supplier→recipient flow within a state's
 * filter, or null when the pair is outside the filter's actors (then the
 * map does not show it).
 */
export function flowQuery(state, supplier, recipient) {
  if (state.supplier.length && !state.supplier.includes(supplier)) return null;
  if (state.recipient.length && !state.recipient.includes(recipient)) return null;
  const q = filterParams(state);
  q.set('supplier', supplier);
  q.set('recipient', recipient);
  return q.toString().replaceAll('%2C', ',');
}
