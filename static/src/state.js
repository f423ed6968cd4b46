// state.js: the whole view of the map as a plain object, and its URL form.
// Everything a share link restores lives here; nothing here touches the
// DOM or the map, so node's test runner checks it directly.
//
// URL query parameters (all optional; defaults are left out of the URL):
//   map=ZOOM/LAT/LNG[/BEARING[/PITCH]]  camera, e.g. map=3.2/48.5/31.2/0/0
//   years=FROM-TO | YEAR                year window (as the data API's filter)
//   supplier=USA,GBR  recipient=UKR     actor ids (as the data API's filter)
//   category=aircraft,missiles          weapon categories
//   status=delivered,ordered            transfer statuses
//   mode=imports|exports                what the countries are shaded by
//   measure=deals|tiv|usd|eur           which figure shades them
//   layers=flows,conflicts,events,labels  the overlays shown ("none" for none)
//   top=25|50|100|250|all               how many of the largest flows are drawn (default 100)
//   sel=UKR | sel=USA>UKR               the selected country, or flow supplier>recipient
//   panel=table                         the flow table is open
// Embed widget only (/embed):
//   controls=zoom,legend,years,layers,filters,share   the controls shown (default zoom,legend,share;
//                                       share is the link to the full map)
//   title=TEXT                          a title over the map
//   year=2022                           a fixed year (no slider)

/** Weapon categories, in display order (data/model.go). */
export const CATEGORIES = ['aircraft', 'air-defence', 'armoured-vehicles', 'artillery', 'missiles', 'naval',
  'drones', 'small-arms', 'ammunition', 'sensors', 'engines', 'other'];
/** Transfer statuses (data/model.go). */
export const STATUSES = ['notified', 'ordered', 'delivered', 'cancelled'];
export const MODES = ['imports', 'exports'];
export const MEASURES = ['deals', 'tiv', 'usd', 'eur'];
export const OVERLAYS = ['flows', 'conflicts', 'events', 'labels'];
export const EMBED_CONTROLS = ['zoom', 'legend', 'years', 'layers', 'filters', 'share'];
export const YEAR_MIN = 1950;
export const YEAR_MAX = Math.max(2025, new Date().getUTCFullYear());
export const DEFAULT_YEARS = [2015, 2024];
export const DEFAULT_VIEW = { zoom: 0.95, lat: 22, lng: 10, bearing: 0, pitch: 0 };
/** Choices for how many of the largest flows are drawn (0 = all). */
export const TOP_CHOICES = [25, 50, 100, 250, 0];
export const DEFAULT_TOP = 100;
export const DEFAULT_EMBED_CONTROLS = ['zoom', 'legend', 'share'];

const ACTOR_RE = /^[A-Z0-9-]{2,40}$/;

/** The default state. */
export function defaultState() {
  return {
    view: { ...DEFAULT_VIEW },
    years: [...DEFAULT_YEARS],
    supplier: [],
    recipient: [],
    category: [],
    status: [],
    mode: 'imports',
    measure: 'deals',
    layers: [...OVERLAYS],
    top: DEFAULT_TOP,
    sel: null, // {type:'country', iso3} | {type:'flow', supplier, recipient}
    panel: '',
    // embed options
    controls: [...DEFAULT_EMBED_CONTROLS],
    title: '',
    year: null,
  };
}

const num = (s) => (typeof s === 'string' && s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : null);
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

function parseList(value, { upper = false, allowed = null } = {}) {
  if (!value) return [];
  const out = new Set();
  for (let p of value.split(',')) {
    p = p.trim();
    if (!p) continue;
    p = upper ? p.toUpperCase() : p.toLowerCase();
    if (allowed ? allowed.includes(p) : ACTOR_RE.test(p)) out.add(p);
  }
  const arr = [...out];
  return allowed ? allowed.filter((a) => out.has(a)) : arr.sort();
}

/** Parses a year window "2014-2024", "2020", "2014-" or "-2020"; null if malformed. */
export function parseYears(s) {
  if (!s) return null;
  const m = /^\s*(\d{4})?\s*(-)?\s*(\d{4})?\s*$/.exec(s);
  if (!m || (!m[1] && !m[3])) return null;
  let from = m[1] ? Number(m[1]) : YEAR_MIN;
  let to = m[3] ? Number(m[3]) : m[2] ? YEAR_MAX : from;
  from = clamp(from, YEAR_MIN, YEAR_MAX);
  to = clamp(to, YEAR_MIN, YEAR_MAX);
  if (from > to) return null;
  return [from, to];
}

const wrap180 = (x) => (x >= -180 && x <= 180 ? x : ((((x + 180) % 360) + 360) % 360) - 180);

function parseView(s) {
  if (!s) return null;
  const p = s.split('/').map(num);
  if (p.length < 3 || p.slice(0, 3).some((v) => v === null)) return null;
  const [zoom, lat, lng, bearing = 0, pitch = 0] = p;
  return {
    zoom: clamp(zoom, 0, 22),
    lat: clamp(lat, -85.05, 85.05),
    lng: wrap180(lng),
    bearing: bearing === null ? 0 : wrap180(bearing),
    pitch: pitch === null ? 0 : clamp(pitch, 0, 85),
  };
}

function parseSel(s) {
  if (!s) return null;
  const [a, b, extra] = s.toUpperCase().split('>');
  if (extra !== undefined) return null;
  if (b === undefined) return ACTOR_RE.test(a) ? { type: 'country', iso3: a } : null;
  return ACTOR_RE.test(a) && ACTOR_RE.test(b) && a !== b ? { type: 'flow', supplier: a, recipient: b } : null;
}

/**
 * Reads a state from a query string ("?a=b&..." or "a=b&..."). Anything
 * malformed is ignored and falls back to the default.
 */
export function parseState(search) {
  const q = new URLSearchParams(search);
  const s = defaultState();
  const view = parseView(q.get('map'));
  if (view) s.view = view;
  const years = parseYears(q.get('years'));
  if (years) s.years = years;
  s.supplier = parseList(q.get('supplier'), { upper: true });
  s.recipient = parseList(q.get('recipient'), { upper: true });
  s.category = parseList(q.get('category'), { allowed: CATEGORIES });
  s.status = parseList(q.get('status'), { allowed: STATUSES });
  if (MODES.includes(q.get('mode'))) s.mode = q.get('mode');
  if (MEASURES.includes(q.get('measure'))) s.measure = q.get('measure');
  if (q.has('layers')) s.layers = q.get('layers') === 'none' ? [] : parseList(q.get('layers'), { allowed: OVERLAYS });
  const top = q.get('top') === 'all' ? 0 : num(q.get('top'));
  if (TOP_CHOICES.includes(top)) s.top = top;
  s.sel = parseSel(q.get('sel'));
  if (q.get('panel') === 'table') s.panel = 'table';
  if (q.has('controls')) s.controls = q.get('controls') === 'none' ? [] : parseList(q.get('controls'), { allowed: EMBED_CONTROLS });
  s.title = (q.get('title') || '').trim().slice(0, 200);
  const year = num(q.get('year'));
  if (year !== null && Number.isInteger(year) && year >= YEAR_MIN && year <= YEAR_MAX) {
    s.year = year;
    s.years = [year, year];
  }
  return s;
}

/** Rounds a camera for the URL: precision grows with zoom. */
export function roundView(v) {
  const digits = clamp(Math.ceil(Math.log10(Math.pow(2, v.zoom))) + 1, 2, 6);
  const r = (x, d) => Number(x.toFixed(d));
  return { zoom: r(v.zoom, 2), lat: r(v.lat, digits), lng: r(v.lng, digits), bearing: r(v.bearing, 1), pitch: r(v.pitch, 1) };
}

function yearsString([from, to]) {
  return from === to ? String(from) : `${from}-${to}`;
}

/** The data API filter of a state, as query parameters (years, supplier, recipient, category, status). */
export function filterParams(s) {
  const q = new URLSearchParams();
  q.set('years', yearsString(s.years));
  if (s.supplier.length) q.set('supplier', s.supplier.join(','));
  if (s.recipient.length) q.set('recipient', s.recipient.join(','));
  if (s.category.length) q.set('category', s.category.join(','));
  if (s.status.length) q.set('status', s.status.join(','));
  return q;
}

/** The filter as a query string with readable commas. */
export function filterQuery(s) {
  return filterParams(s).toString().replaceAll('%2C', ',');
}

/**
 * Writes a state as a query string (without "?"), canonical: fixed order,
 * defaults left out. embed adds the embed widget's options.
 */
export function serializeState(s, { embed = false } = {}) {
  const d = defaultState();
  const q = new URLSearchParams();
  const v = roundView(s.view);
  const dv = roundView(d.view);
  if (JSON.stringify(v) !== JSON.stringify(dv)) {
    const parts = [v.zoom, v.lat, v.lng];
    if (v.bearing || v.pitch) parts.push(v.bearing);
    if (v.pitch) parts.push(v.pitch);
    q.set('map', parts.join('/'));
  }
  if (embed && s.year !== null) {
    q.set('year', String(s.year));
  } else if (s.years[0] !== d.years[0] || s.years[1] !== d.years[1]) {
    q.set('years', yearsString(s.years));
  }
  for (const k of ['supplier', 'recipient', 'category', 'status']) {
    if (s[k].length) q.set(k, s[k].join(','));
  }
  if (s.mode !== d.mode) q.set('mode', s.mode);
  if (s.measure !== d.measure) q.set('measure', s.measure);
  const layers = OVERLAYS.filter((l) => s.layers.includes(l));
  if (layers.join() !== d.layers.join()) q.set('layers', layers.length ? layers.join(',') : 'none');
  if (s.top !== d.top) q.set('top', s.top === 0 ? 'all' : String(s.top));
  if (s.sel?.type === 'country') q.set('sel', s.sel.iso3);
  if (s.sel?.type === 'flow') q.set('sel', `${s.sel.supplier}>${s.sel.recipient}`);
  if (s.panel === 'table' && !embed) q.set('panel', 'table');
  if (embed) {
    const controls = EMBED_CONTROLS.filter((c) => s.controls.includes(c));
    if (controls.join() !== DEFAULT_EMBED_CONTROLS.join()) q.set('controls', controls.length ? controls.join(',') : 'none');
    if (s.title) q.set('title', s.title);
  }
  return q.toString().replaceAll('%2C', ',').replaceAll('%2F', '/');
}

/** The share URL of a state: origin + path + canonical query. */
export function shareURL(origin, s, { embed = false } = {}) {
  const qs = serializeState(s, { embed });
  return `${origin}${embed ? '/embed' : '/'}${qs ? `?${qs}` : ''}`;
}

/** The iframe code embedding a state. */
export function iframeCode(origin, s, { width = 800, height = 500 } = {}) {
  const esc = (x) => String(x).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const title = s.title || 'armsflow: arms transfers map';
  return `<iframe src="${esc(shareURL(origin, s, { embed: true }))}" width="${width}" height="${height}" title="${esc(title)}" loading="lazy" style="border:0" allow="fullscreen"></iframe>`;
}

/** Whether two states show the same view (what a share link must restore). */
export function sameView(a, b) {
  return serializeState(a, { embed: true }) === serializeState(b, { embed: true }) && a.panel === b.panel;
}

// --- Presenter rooms: the state a presenter sends its viewers is the view
// in its URL form (exactly what a share link carries) and a caption, so a
// viewer applies it with parseState, like a link.

/** The longest caption a presenter may show. */
export const CAPTION_MAX = 280;

const cleanCaption = (c) => (typeof c === 'string' ? c.replace(/\s+/g, ' ').trim().slice(0, CAPTION_MAX) : '');

/** The room state of a view: {state: its canonical query, caption}. */
export function roomPayload(s, caption = '') {
  return { state: serializeState(s), caption: cleanCaption(caption) };
}

/**
 * Reads a room state sent by a presenter (anything may arrive): the state
 * and caption, or null when it is not a room state. Malformed parameters
 * fall back to the defaults, as in a link.
 */
export function parseRoomPayload(data) {
  if (!data || typeof data !== 'object' || Array.isArray(data) || typeof data.state !== 'string' || data.state.length > 8192) return null;
  return { state: parseState(data.state), caption: cleanCaption(data.caption) };
}
