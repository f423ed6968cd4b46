// format.js: numbers, units and names as the map shows them.

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

/** A count (deals, quantity). */
export const fmtCount = (n) => (n === null || n === undefined ? '–' : whole.format(n));

/** A value in a unit: TIV in millions, USD and EUR in currency units. */
export function fmtValue(v, unit) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  switch (unit) {
    case 'TIV':
      return `${v >= 1000 ? compact.format(v) : oneDecimal.format(v)} TIV m`;
    case 'USD':
      return `US$${compact.format(v)}`;
    case 'EUR':
      return `€${compact.format(v)}`;
    default:
      return compact.format(v);
  }
}

/** All the values of a Totals ({values: {TIV: .., USD: ..}}), joined. */
export function fmtValues(values) {
  const parts = ['TIV', 'USD', 'EUR'].filter((u) => values && values[u]).map((u) => fmtValue(values[u], u));
  return parts.length ? parts.join(' · ') : 'value unknown';
}

/** A scale break for the legend. */
export function fmtBreak(b, unit) {
  if (unit === 'USD') return `$${compact.format(b)}`;
  if (unit === 'EUR') return `€${compact.format(b)}`;
  return compact.format(b);
}

const labels = {
  aircraft: 'Aircraft', 'air-defence': 'Air defence', 'armoured-vehicles': 'Armoured vehicles', artillery: 'Artillery',
  missiles: 'Missiles', naval: 'Naval', drones: 'Drones', 'small-arms': 'Small arms', ammunition: 'Ammunition',
  sensors: 'Sensors', engines: 'Engines', other: 'Other',
  notified: 'Notified', ordered: 'Ordered', delivered: 'Delivered', cancelled: 'Cancelled',
  deals: 'Number of deals', tiv: 'SIPRI TIV', usd: 'Value (US$)', eur: 'Value (€)',
  imports: 'Imports', exports: 'Exports',
  flows: 'Transfer flows', conflicts: 'Conflict areas', events: 'Conflict events', labels: 'Country names',
};

/** The display label of a code (category, status, measure, layer). */
export const label = (code) => labels[code] || code;

/** Escapes text for HTML. */
export function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** A source citation as HTML: publisher, title, date, link when certain. */
export function fmtSource(src) {
  if (!src) return '';
  const title = esc(src.title || 'untitled');
  const t = src.url && /^https?:\/\//.test(src.url)
    ? `<a href="${esc(src.url)}" target="_blank" rel="noopener noreferrer">${title}</a>` : title;
  const id = src.identifier ? ` <span class="muted">(${esc(src.identifier)})</span>` : '';
  return `${esc(src.publisher || '')}${src.publisher ? ', ' : ''}${t}${src.date ? `, ${esc(src.date)}` : ''}${id}`;
}
