// livemap.js: the map's side of the live data events. A write on the
// server (transfer.added/updated/deleted, data.changed, tiles.invalidated)
// makes the map fetch its tiles again at the new data version and reload
// the panel and table; a new or changed flow is highlighted over the map
// for a few seconds and a toast names it with its source.
import { api, versionListeners } from './api.js';
import { DATA_EVENTS } from './live.js';
import { DataVersion, eventVersion, describeEvent, flowQuery } from './livedata.js';
import { Throttle } from './throttle.js';
import { esc, fmtSource } from './format.js';

/** Tiles are fetched again at most this often while writes keep coming. */
const TILES_MS = 250;
/** The panel and table are reloaded at most this often. */
const RELOAD_MS = 500;

/**
 * @param {{live: object, view: object, getState: () => object, reload: () => void,
 *   toaster: object|null, select: (sel: object) => void}} opts
 */
export function watchLiveData({ live, view, getState, reload, toaster, select }) {
  const version = new DataVersion();
  const tiles = new Throttle((v) => view.setVersion(v, getState()), TILES_MS);
  const reloads = new Throttle(() => reload(), RELOAD_MS);
  versionListeners.add((v) => { if (version.observe(v)) tiles.push(v); });

  const onEvent = (msg) => {
    const v = eventVersion(msg);
    if (v !== null && version.observe(v, { event: true })) tiles.push(v);
    if (msg.type !== 'tiles.invalidated') reloads.push();
    const what = describeEvent(msg);
    if (what) announce(what, msg).catch((err) => console.warn('live update:', err.message));
  };
  for (const type of DATA_EVENTS) live.on(type, onEvent);
  // Events sent while the socket was down are not replayed: reload what is shown
  // (its answers carry the data version, which refreshes the tiles if newer).
  live.on('open', (m) => { if (m.reconnect) reloads.push(); });
  live.subscribe('data');

  async function announce(what, msg) {
    const state = getState();
    let features = [];
    let note = '';
    if ((what.kind === 'added' || what.kind === 'updated') && msg.data.flow) {
      const q = flowQuery(state, what.supplier, what.recipient);
      if (!state.layers.includes('flows')) note = 'Flows are hidden on this map.';
      else if (!q) note = 'Outside the current filter.';
      else {
        const fc = await api.flows(q);
        features = (fc?.features || []).filter((f) => f.geometry);
        if (features.length) view.highlight(`${what.supplier}>${what.recipient}`, features);
        else note = 'Outside the current filter.';
      }
    }
    if (!toaster) return;
    const html = `<p class="toast-line">${esc(what.line)}</p>
      ${what.detail ? `<p class="small">${esc(what.detail)}</p>` : ''}
      ${what.source ? `<p class="small muted">Source: ${fmtSource(what.source)}</p>` : ''}
      ${note ? `<p class="small muted">${esc(note)}</p>` : ''}`;
    const actions = features.length ? [{
      label: 'Show on map',
      onClick: () => {
        select({ type: 'flow', supplier: what.supplier, recipient: what.recipient });
        view.fitFeatures(features);
      },
    }] : [];
    toaster.show({ title: what.title, html, kind: what.kind, actions });
  }

  return { version };
}
