// mapview.js: the MapLibre map, driven by the state. The style (layers,
// colours, scales) comes from the server's /style.json; this module only
// switches what the state changes: the tiles' filter, the shading, the
// overlays shown, the selection.
import { Map, NavigationControl, ScaleControl, AttributionControl } from 'maplibre-gl';
import { filterQuery } from './state.js';
import { api } from './api.js';

export const TILE_LAYERS = 'countries,flows,conflicts,events,labels';

/** Style layers per overlay. */
export const OVERLAY_LAYERS = {
  flows: ['flows-casing', 'flows', 'flows-selected', 'flows-arrows', 'live-glow', 'live-flow'],
  conflicts: ['conflict-areas', 'countries-conflict'],
  events: ['events'],
  labels: ['labels'],
};

/** Layers the pointer can pick, first wins. */
export const PICKABLE = ['events', 'flows', 'conflict-areas', 'countries-fill'];

const FILTER_DELAY_MS = 180;

/** Layers limited to the largest flows. */
const TOP_LAYERS = ['flows-casing', 'flows', 'flows-arrows'];

/** How long a flow a live event brought stays highlighted. */
export const HIGHLIGHT_MS = 8000;
const PULSE_MS = 700;

/** The TileJSON of a state's filter; version (the data version, see livedata.js) makes browsers fetch new tiles after a write. */
const tileJSONURL = (state, version = null) =>
  `${location.origin}/tiles/${TILE_LAYERS}.json?${filterQuery(state)}${version === null ? '' : `&v=${version}`}`;
const styleQuery = (state) => `mode=${state.mode}&measure=${state.measure}&${filterQuery(state)}`;

export class MapView {
  /**
   * @param {HTMLElement} container
   * @param {object} state the initial state
   * @param {{controls?: boolean, onMove?: Function, onLegend?: Function}} opts
   */
  constructor(container, state, opts = {}) {
    this.opts = opts;
    this.applied = null;
    this.styleCache = new globalThis.Map();
    this.legend = null;
    this.version = null; // the data version the tile URLs carry
    this.highlights = new globalThis.Map(); // "SUP>REC" -> {features, until}
    this.pulse = null;
    const v = state.view;
    this.map = new Map({
      container,
      style: `/style.json?${styleQuery(state)}`,
      center: [v.lng, v.lat],
      zoom: v.zoom,
      bearing: v.bearing,
      pitch: v.pitch,
      maxPitch: 60,
      attributionControl: false,
      renderWorldCopies: true,
      fadeDuration: 150,
    });
    this.map.getCanvas().setAttribute('aria-label', 'Map of arms transfers. Arrow keys pan, plus and minus zoom.');
    this.map.getCanvas().setAttribute('role', 'application');
    if (opts.controls !== false) {
      this.map.addControl(new NavigationControl({ visualizePitch: true }), 'top-right');
      this.map.addControl(new ScaleControl({ maxWidth: 120 }), 'bottom-right');
    }
    this.map.addControl(new AttributionControl({ compact: true }), 'bottom-right');
    this.ready = new Promise((resolve) => this.map.once('load', resolve));
    this.map.on('styledata', () => {
      const meta = this.map.getStyle()?.metadata?.['armsflow:legend'];
      if (meta && !this.legend) {
        this.legend = meta;
        opts.onLegend?.(meta);
      }
    });
    this.map.on('moveend', () => opts.onMove?.(this.camera()));
    this.map.on('move', () => opts.onMoving?.(this.camera()));
    // A camera move the reader made (drag, wheel, keys, buttons), not one made in code.
    this.map.on('movestart', (e) => { if (e.originalEvent) opts.onUserMove?.(); });
    this.ready.then(() => {
      this.addHatch();
      this.addHighlightLayers();
      // A data version learnt before the load: the first apply sets the tile URLs with it.
      this.applied = { filter: this.version === null ? filterQuery(state) : '', shadeKey: `${state.mode}/${state.measure}`, layers: null, sel: null };
      this.apply(state);
    });
  }

  /** Brings the map in line with a state (only what changed). */
  async apply(state) {
    if (!this.applied) return; // before load: the constructor applies on load
    const m = this.map;
    const fq = filterQuery(state);
    if (fq !== this.applied.filter) {
      // Debounced: dragging the year slider asks for one tile set, not dozens.
      this.applied.filter = fq;
      clearTimeout(this.filterTimer);
      const url = tileJSONURL(state, this.version);
      this.filterTimer = setTimeout(() => m.getSource('armsflow')?.setUrl(url), FILTER_DELAY_MS);
    }
    const layers = state.layers.join();
    if (layers !== this.applied.layers) {
      this.applied.layers = layers;
      for (const [overlay, ids] of Object.entries(OVERLAY_LAYERS)) {
        const vis = state.layers.includes(overlay) ? 'visible' : 'none';
        for (const id of ids) if (m.getLayer(id)) m.setLayoutProperty(id, 'visibility', vis);
      }
    }
    if (state.top !== this.applied.top) {
      this.applied.top = state.top;
      const f = state.top ? ['<=', ['coalesce', ['get', 'rank'], 1e9], state.top] : null;
      for (const id of TOP_LAYERS) if (m.getLayer(id)) m.setFilter(id, f);
    }
    const sel = JSON.stringify(state.sel);
    if (sel !== this.applied.sel) {
      this.applied.sel = sel;
      const s = state.sel;
      m.setFilter('countries-selected', ['==', ['get', 'iso3'], s?.type === 'country' ? s.iso3 : '']);
      m.setFilter('flows-selected', s?.type === 'flow'
        ? ['all', ['==', ['get', 'supplier'], s.supplier], ['==', ['get', 'recipient'], s.recipient]]
        : ['==', ['get', 'supplier'], '']);
    }
    const shadeKey = `${state.mode}/${state.measure}`;
    if (shadeKey !== this.applied.shadeKey) {
      this.applied.shadeKey = shadeKey;
      await this.applyShading(state);
    }
  }

  /**
   * Reloads the tiles at a new data version: the TileJSON and tile URLs
   * carry v=version, so the browser cannot answer them from its cache.
   */
  setVersion(version, state) {
    this.version = version;
    if (!this.applied) return; // before load: the first filter change or refresh carries it
    clearTimeout(this.filterTimer);
    this.applied.filter = filterQuery(state);
    this.map.getSource('armsflow')?.setUrl(tileJSONURL(state, version));
  }

  /** The tile URL template the map loads now (for tests and the console). */
  tilesURL() {
    return this.map.getSource('armsflow')?.tiles?.[0] || '';
  }

  /** Takes the countries' fill and the legend for the state's mode and measure from the server's style. */
  async applyShading(state) {
    const key = `${state.mode}/${state.measure}`;
    let style = this.styleCache.get(key);
    if (!style) {
      style = await api.style(styleQuery(state));
      this.styleCache.set(key, style);
    }
    if (this.applied.shadeKey !== key) return; // superseded while fetching
    const layer = style.layers.find((l) => l.id === 'countries-fill');
    if (layer) this.map.setPaintProperty('countries-fill', 'fill-color', layer.paint['fill-color']);
    this.legend = style.metadata?.['armsflow:legend'] || this.legend;
    this.opts.onLegend?.(this.legend);
  }

  /** Draws conflict areas hatched (a pattern made here, so the style needs no sprite). */
  addHatch() {
    const n = 12;
    const c = document.createElement('canvas');
    c.width = n;
    c.height = n;
    const g = c.getContext('2d');
    g.strokeStyle = this.legend?.conflict || '#c23b22';
    g.lineWidth = 1;
    g.beginPath();
    for (const o of [-n, 0, n]) {
      g.moveTo(o, n);
      g.lineTo(o + n, 0);
    }
    g.stroke();
    if (!this.map.hasImage('armsflow-hatch')) this.map.addImage('armsflow-hatch', g.getImageData(0, 0, n, n), { pixelRatio: 1 });
    if (this.map.getLayer('conflict-areas')) {
      this.map.setPaintProperty('conflict-areas', 'fill-pattern', 'armsflow-hatch');
      this.map.setPaintProperty('conflict-areas', 'fill-opacity', ['match', ['get', 'intensity'], 2, 0.6, 0.35]);
    }
  }

  /** Highlights the country under the pointer. */
  hover(iso3) {
    if (this.map.getLayer('countries-hover')) this.map.setFilter('countries-hover', ['==', ['get', 'iso3'], iso3 || '']);
  }

  /** The features under a screen point, best first. */
  pick(point) {
    const layers = PICKABLE.filter((id) => this.map.getLayer(id) && this.map.getLayoutProperty(id, 'visibility') !== 'none');
    const box = [[point.x - 3, point.y - 3], [point.x + 3, point.y + 3]];
    const feats = this.map.queryRenderedFeatures(box, { layers });
    feats.sort((a, b) => PICKABLE.indexOf(a.layer.id) - PICKABLE.indexOf(b.layer.id));
    return feats;
  }

  /** The camera as a state's view. */
  camera() {
    const c = this.map.getCenter();
    return { lng: c.lng, lat: c.lat, zoom: this.map.getZoom(), bearing: this.map.getBearing(), pitch: this.map.getPitch() };
  }

  /** Moves the camera to a state's view: a short ease, or a jump. */
  moveTo(v, { ease = true, duration = 300 } = {}) {
    const cam = { center: [v.lng, v.lat], zoom: v.zoom, bearing: v.bearing, pitch: v.pitch };
    if (ease) this.map.easeTo({ ...cam, duration, essential: true });
    else this.map.jumpTo(cam);
  }

  /** The layers that draw flows a live event brought, over the flows and under the labels. */
  addHighlightLayers() {
    const m = this.map;
    if (m.getSource('armsflow-live')) return;
    m.addSource('armsflow-live', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    const before = m.getLayer('labels') ? 'labels' : undefined;
    m.addLayer({
      id: 'live-glow', type: 'line', source: 'armsflow-live', layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': '#f59e0b', 'line-width': 16, 'line-blur': 7, 'line-opacity': 0.8, 'line-opacity-transition': { duration: PULSE_MS, delay: 0 } },
    }, before);
    m.addLayer({
      id: 'live-flow', type: 'line', source: 'armsflow-live', layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': '#9a3412', 'line-width': 4 },
    }, before);
  }

  /**
   * Highlights a flow for a while: the features of a /api/flows answer
   * (its great-circle arc) drawn over the map, pulsing.
   */
  highlight(key, features, ms = HIGHLIGHT_MS) {
    const feats = features.filter((f) => f?.geometry).map((f) => ({ ...f, properties: { ...f.properties, live: key } }));
    if (!feats.length) return false;
    this.highlights.set(key, { features: feats, until: Date.now() + ms });
    this.drawHighlights();
    setTimeout(() => this.drawHighlights(), ms + 20);
    return true;
  }

  drawHighlights() {
    const now = Date.now();
    for (const [k, h] of this.highlights) if (h.until <= now) this.highlights.delete(k);
    const features = [...this.highlights.values()].flatMap((h) => h.features);
    this.map.getSource('armsflow-live')?.setData({ type: 'FeatureCollection', features });
    if (features.length && !this.pulse) {
      let on = false;
      this.pulse = setInterval(() => {
        on = !on;
        if (this.map.getLayer('live-glow')) this.map.setPaintProperty('live-glow', 'line-opacity', on ? 0.3 : 0.8);
      }, PULSE_MS);
    } else if (!features.length && this.pulse) {
      clearInterval(this.pulse);
      this.pulse = null;
      if (this.map.getLayer('live-glow')) this.map.setPaintProperty('live-glow', 'line-opacity', 0.8);
    }
  }

  /** Fits the camera to some GeoJSON features. */
  fitFeatures(features) {
    let b = null;
    const add = ([x, y]) => {
      b = b ? [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)] : [x, y, x, y];
    };
    const walk = (c) => (typeof c[0] === 'number' ? add(c) : c.forEach(walk));
    features.forEach((f) => f.geometry && walk(f.geometry.coordinates));
    if (b) this.map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 80, maxZoom: 5, duration: 600 });
  }

  flyToPoint(lng, lat, zoom = 3.5) {
    this.map.flyTo({ center: [lng, lat], zoom: Math.max(this.map.getZoom(), zoom), essential: true });
  }
}
