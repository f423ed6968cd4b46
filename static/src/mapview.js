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
  flows: ['flows-casing', 'flows', 'flows-selected', 'flows-arrows'],
  conflicts: ['conflict-areas', 'countries-conflict'],
  events: ['events'],
  labels: ['labels'],
};

/** Layers the pointer can pick, first wins. */
export const PICKABLE = ['events', 'flows', 'conflict-areas', 'countries-fill'];

const FILTER_DELAY_MS = 180;

/** Layers limited to the largest flows. */
const TOP_LAYERS = ['flows-casing', 'flows', 'flows-arrows'];

const tileJSONURL = (state) => `${location.origin}/tiles/${TILE_LAYERS}.json?${filterQuery(state)}`;
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
    this.map.on('moveend', () => {
      const c = this.map.getCenter();
      opts.onMove?.({ lng: c.lng, lat: c.lat, zoom: this.map.getZoom(), bearing: this.map.getBearing(), pitch: this.map.getPitch() });
    });
    this.ready.then(() => {
      this.addHatch();
      this.applied = { filter: filterQuery(state), shadeKey: `${state.mode}/${state.measure}`, layers: null, sel: null };
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
      const url = tileJSONURL(state);
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

  /** Reloads the tiles (the data changed on the server). */
  refresh(state) {
    this.map.getSource('armsflow')?.setUrl(tileJSONURL(state));
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

  /** Moves the camera to a state's view. */
  jumpTo(v) {
    this.map.jumpTo({ center: [v.lng, v.lat], zoom: v.zoom, bearing: v.bearing, pitch: v.pitch });
  }

  flyToPoint(lng, lat, zoom = 3.5) {
    this.map.flyTo({ center: [lng, lat], zoom: Math.max(this.map.getZoom(), zoom), essential: true });
  }
}
