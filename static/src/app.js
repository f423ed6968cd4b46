// app.js: the map page and the embed widget. The state (state.js) is the
// single source of truth: every control changes it through set(), and
// render() brings the map, the controls, the panels and the URL in line.
import { parseState, serializeState, roomPayload, OVERLAYS } from './state.js';
import { api } from './api.js';
import { MapView } from './mapview.js';
import { yearsControl, shadingControl, layersControl, filtersControl, Actors } from './controls.js';
import { Panel } from './panel.js';
import { FlowTable } from './table.js';
import { ShareDialogs } from './share.js';
import { renderLegend, categoryColours } from './legend.js';
import { esc, fmtCount, fmtValue, fmtValues, label } from './format.js';
import { LiveClient } from './live.js';
import { watchLiveData } from './livemap.js';
import { Toaster } from './toast.js';
import { RoomUI } from './roomui.js';

const URL_DELAY_MS = 250;

/**
 * Starts the app in the page.
 * @param {{embed: boolean}} opts
 */
export async function start({ embed = false } = {}) {
  const $ = (sel) => document.querySelector(sel);
  let state = parseState(location.search);
  let legendMeta = null;
  let colours = {};
  let actors = new Actors();
  let flyOnLoad = null;
  let rooms = null; // presenter rooms (main map only)
  let roomParam = null; // ?room=ID kept in the URL while following a presenter
  const live = new LiveClient();
  const show = (what) => !embed || state.controls.includes(what);

  // --- URL: replaced (not pushed) as the view changes; a share link is just the URL.
  let urlTimer = null;
  const writeURL = () => {
    clearTimeout(urlTimer);
    urlTimer = setTimeout(() => {
      const qs = [roomParam ? `room=${encodeURIComponent(roomParam)}` : '', serializeState(state, { embed })].filter(Boolean).join('&');
      const next = `${location.pathname}${qs ? `?${qs}` : ''}`;
      if (next !== location.pathname + location.search) history.replaceState(null, '', next);
    }, URL_DELAY_MS);
  };

  const parts = [];
  /** A change the reader made (a viewer following a presenter stops following). */
  function set(patch) {
    rooms?.userChanged();
    state = { ...state, ...patch };
    render();
  }
  /** Applies a presenter's state: the same state object a link restores, camera eased. */
  function applyRemote(next, { ease }) {
    state = { ...next, controls: state.controls, title: state.title, year: state.year };
    view.moveTo(next.view, { ease });
    render();
  }
  function render() {
    for (const p of parts) p.update(state);
    view.apply(state);
    if (legendMeta) renderLegend($('#legend'), legendMeta, state);
    document.body.dataset.selection = state.sel ? (state.sel.type === 'country' ? state.sel.iso3 : `${state.sel.supplier}>${state.sel.recipient}`) : '';
    writeURL();
    rooms?.changed();
  }

  // --- The map.
  const view = new MapView($('#map'), state, {
    controls: show('zoom'),
    onMove: (v) => {
      state = { ...state, view: v };
      writeURL();
      rooms?.changed(); // the final camera of a move
    },
    onMoving: () => { if (rooms?.presenting) rooms.changed(); },
    onUserMove: () => rooms?.userChanged(),
    onLegend: (meta) => {
      legendMeta = meta;
      colours = categoryColours(meta);
      filters?.colour(colours);
      renderLegend($('#legend'), meta, state);
    },
  });
  // For tests and the console.
  window.armsflow = { map: view.map, state: () => state, set, live, tilesURL: () => view.tilesURL(), rooms: () => rooms };

  // --- Controls (all on the main map; those asked for in the embed).
  let filters = null;
  if ($('#years') && show('years')) parts.push(yearsControl($('#years'), { onChange: set, fixed: embed && state.year !== null }));
  if ($('#shading') && !embed) parts.push(shadingControl($('#shading'), { onChange: set }));
  if ($('#layers') && show('layers')) parts.push(layersControl($('#layers'), { onChange: set, overlays: OVERLAYS }));
  const actorsReady = api.actors().then((list) => { actors = new Actors(list); }).catch((err) => {
    console.warn('actors not available:', err.message);
  });
  const actorsProxy = { name: (id) => actors.name(id), resolve: (t) => actors.resolve(t) };
  if ($('#filters') && show('filters')) {
    filters = filtersControl($('#filters'), { onChange: set, actors: actorsProxy });
    parts.push(filters);
  }
  if ($('#legend') && !show('legend')) $('#legend').hidden = true;

  // --- Panels.
  const panelRoot = $('#panel');
  if (panelRoot) {
    const panel = new Panel(panelRoot, {
      actors: actorsProxy,
      colours: () => colours,
      onSelect: (sel) => { set({ sel }); panel.focus(); },
      onClose: () => { set({ sel: null }); view.map.getCanvas().focus(); },
    });
    parts.push({ update: (s) => panel.update(s), invalidate: () => { panel.key = ''; } });
    panelRoot.addEventListener('keydown', (e) => { if (e.key === 'Escape') set({ sel: null }); });
  }
  const tableRoot = $('#table-view');
  if (tableRoot) {
    const table = new FlowTable(tableRoot, {
      actors: actorsProxy,
      onSelect: (sel) => set({ sel }),
      onClose: () => { set({ panel: '' }); $('#btn-table')?.focus(); },
    });
    parts.push({
      update: (s) => { table.update(s); $('#btn-table')?.setAttribute('aria-pressed', String(s.panel === 'table')); },
      invalidate: () => { table.key = ''; },
    });
    $('#btn-table')?.addEventListener('click', () => {
      set({ panel: state.panel === 'table' ? '' : 'table' });
      if (state.panel === 'table') table.focus();
    });
  }
  const dialogs = $('#dialog') ? new ShareDialogs($('#dialog'), () => state) : null;
  $('#btn-share')?.addEventListener('click', () => dialogs.share());
  $('#btn-embed')?.addEventListener('click', () => dialogs.embed());

  // --- Country search.
  const search = $('#country-search');
  if (search) {
    const go = () => {
      const id = actors.resolve(search.value);
      search.setCustomValidity(id || !search.value ? '' : 'No such country');
      search.reportValidity();
      if (!id) return;
      flyOnLoad = id;
      search.value = '';
      set({ sel: { type: 'country', iso3: id } });
      api.country(id, 'years=' + state.years.join('-')).then((r) => {
        if (flyOnLoad === id && Array.isArray(r.anchor)) view.flyToPoint(r.anchor[0], r.anchor[1], 3);
      }).catch(() => {});
    };
    search.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); go(); } });
    search.addEventListener('change', () => { if (actors.resolve(search.value)) go(); });
  }

  // --- Hover and click on the map.
  const tip = $('#tooltip');
  const map = view.map;
  map.on('mousemove', (e) => {
    const f = view.pick(e.point)[0];
    map.getCanvas().style.cursor = f ? 'pointer' : '';
    view.hover(f?.layer.id === 'countries-fill' ? f.properties.iso3 : '');
    if (!tip) return;
    if (!f) {
      tip.hidden = true;
      return;
    }
    tip.innerHTML = tooltipHTML(f, state, actorsProxy);
    tip.hidden = false;
    const r = map.getContainer().getBoundingClientRect();
    const x = Math.min(e.point.x + 14, r.width - tip.offsetWidth - 8);
    const y = e.point.y + 14 + tip.offsetHeight > r.height ? e.point.y - tip.offsetHeight - 10 : e.point.y + 14;
    tip.style.transform = `translate(${Math.max(4, x)}px, ${Math.max(4, y)}px)`;
  });
  map.on('mouseout', () => { if (tip) tip.hidden = true; view.hover(''); });
  map.on('click', (e) => {
    const f = view.pick(e.point).find((x) => x.layer.id !== 'events' && x.layer.id !== 'conflict-areas');
    if (embed && !panelRoot) return;
    if (!f) {
      set({ sel: null });
      return;
    }
    if (f.layer.id === 'flows') set({ sel: { type: 'flow', supplier: f.properties.supplier, recipient: f.properties.recipient } });
    else if (f.layer.id === 'countries-fill') set({ sel: { type: 'country', iso3: f.properties.iso3 } });
  });

  // --- Embed: title, "open in armsflow", height to the parent page.
  if (embed) setupEmbed(state, () => state);

  // --- Live: new tiles, details and a highlight when the data change on the server.
  const mapArea = $('.map-area') || $('.map-wrap');
  const toaster = mapArea ? new Toaster(mapArea) : null;
  watchLiveData({
    live,
    view,
    getState: () => state,
    reload: () => {
      for (const p of parts) p.invalidate?.();
      render();
    },
    toaster,
    select: (sel) => set({ sel }),
  });

  // --- Presenter rooms: present (Present button), or follow a presenter (?room=ID).
  if (!embed && mapArea && $('#dialog')) {
    rooms = new RoomUI({
      live,
      dialog: $('#dialog'),
      toaster,
      mapArea,
      actions: $('.actions'),
      payload: (caption) => roomPayload({ ...state, view: view.camera() }, caption),
      applyRemote,
      setURLRoom: (id) => {
        roomParam = id;
        writeURL();
      },
    });
    await rooms.init(location.search);
  }
  live.start();

  await actorsReady;
  const dl = $('#actor-list');
  if (dl) actors.fill(dl);
  const cl = $('#country-list');
  if (cl) actors.fill(cl, { statesOnly: true });
  render();
  await view.ready;
  render(); // what changed before the map loaded (a presenter's first state)
  document.body.dataset.mapReady = 'true';
}

function tooltipHTML(f, state, actors) {
  const p = f.properties;
  switch (f.layer.id) {
    case 'flows': {
      const val = p.value !== undefined && p.unit ? fmtValue(p.value, p.unit) : 'value unknown';
      return `<strong>${esc(actors.name(p.supplier))} → ${esc(actors.name(p.recipient))}</strong><br>
        ${fmtCount(p.deals)} deal${p.deals === 1 ? '' : 's'} · ${esc(val)}<br><span class="muted">mainly ${esc(label(p.top_category))}</span>`;
    }
    case 'countries-fill': {
      const side = state.mode;
      const values = { TIV: p[`${side}_tiv`], USD: p[`${side}_usd`], EUR: p[`${side}_eur`] };
      const deals = p[`${side}_deals`] || 0;
      return `<strong>${esc(p.name || p.iso3)}</strong>${p.in_conflict ? ' <span class="badge">conflict</span>' : ''}<br>
        ${esc(label(side))}: ${fmtCount(deals)} deal${deals === 1 ? '' : 's'}${deals ? ` · ${fmtValues(values)}` : ''}`;
    }
    case 'events':
      return `<strong>Conflict event</strong> ${esc(p.date || '')}<br>${fmtCount(p.deaths)} death${p.deaths === 1 ? '' : 's'}${p.count > 1 ? ` in ${fmtCount(p.count)} events` : ''}`;
    case 'conflict-areas':
      return `<strong>${esc(p.name || 'Armed conflict')}</strong><br><span class="muted">${esc(p.type || '')} ${p.start || ''}–${p.end || 'ongoing'}</span>`;
    default:
      return '';
  }
}

function setupEmbed(initial, getState) {
  const title = document.querySelector('#embed-title');
  if (title) {
    title.textContent = initial.title;
    title.hidden = !initial.title;
  }
  const open = document.querySelector('#open-full');
  if (open && !initial.controls.includes('share')) open.hidden = true;
  if (open && !open.hidden) {
    const update = () => { open.href = `/?${serializeState(getState())}`; };
    update();
    open.addEventListener('focus', update);
    open.addEventListener('mouseenter', update);
  }
  if (window.parent === window) return;
  let last = 0;
  const post = () => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: 'armsflow:height', height }, '*');
  };
  new ResizeObserver(post).observe(document.documentElement);
  post();
}
