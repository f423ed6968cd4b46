// controls.js: the side panel's controls (years and play, shading,
// overlays, filters) and the country search. Native inputs throughout, so
// every control works from the keyboard and has a label.
import { CATEGORIES, STATUSES, MEASURES, OVERLAYS, TOP_CHOICES, YEAR_MIN, YEAR_MAX } from './state.js';
import { esc, label } from './format.js';

const PLAY_STEP_MS = 1400;

/** Years slider with a play button. */
export function yearsControl(root, { onChange, fixed = false }) {
  if (fixed) {
    root.innerHTML = '<p class="fixed-year">Year <output id="years-out"></output></p>';
    const out = root.querySelector('#years-out');
    return { update: (state) => { out.textContent = String(state.years[0]); }, playing: () => false, stop() {} };
  }
  root.innerHTML = `
    <fieldset class="years">
      <legend>Years <output id="years-out" aria-live="polite"></output></legend>
      <div class="years-row">
        <div class="years-track" aria-hidden="true"><div class="years-fill"></div></div>
        <label class="sr-only" for="year-from">From year</label>
        <input type="range" id="year-from" min="${YEAR_MIN}" max="${YEAR_MAX}" step="1">
        <label class="sr-only" for="year-to">To year</label>
        <input type="range" id="year-to" min="${YEAR_MIN}" max="${YEAR_MAX}" step="1">
      </div>
      <div class="years-buttons">
        <button type="button" id="year-play" aria-pressed="false"
          title="Step through the years of the window one at a time">▶ Play</button>
        <span class="muted small" id="years-hint">${YEAR_MIN}–${YEAR_MAX}</span>
      </div>
    </fieldset>`;
  const from = root.querySelector('#year-from');
  const to = root.querySelector('#year-to');
  const out = root.querySelector('#years-out');
  const play = root.querySelector('#year-play');
  const fill = root.querySelector('.years-fill');
  let timer = null;
  let window0 = null;
  let current = [0, 0];

  const emit = (years) => onChange({ years });
  const onInput = (which) => {
    let a = Number(from.value);
    let b = Number(to.value);
    if (a > b) {
      if (which === 'from') b = a;
      else a = b;
    }
    stop(false);
    emit([a, b]);
  };
  from.addEventListener('input', () => onInput('from'));
  to.addEventListener('input', () => onInput('to'));

  function stop(restore) {
    if (!timer) return;
    clearInterval(timer);
    timer = null;
    play.textContent = '▶ Play';
    play.setAttribute('aria-pressed', 'false');
    if (restore && window0) emit(window0);
    window0 = null;
  }
  play.addEventListener('click', () => {
    if (timer) {
      stop(true);
      return;
    }
    window0 = [...current];
    const [a, b] = window0;
    let y = a === b ? YEAR_MIN : a;
    const end = a === b ? YEAR_MAX : b;
    play.textContent = '❚❚ Pause';
    play.setAttribute('aria-pressed', 'true');
    emit([y, y]);
    timer = setInterval(() => {
      y++;
      if (y > end) {
        stop(true);
        return;
      }
      emit([y, y]);
    }, PLAY_STEP_MS);
  });

  return {
    update(state) {
      current = state.years;
      from.value = String(state.years[0]);
      to.value = String(state.years[1]);
      from.setAttribute('aria-valuetext', `from ${state.years[0]}`);
      to.setAttribute('aria-valuetext', `to ${state.years[1]}`);
      out.textContent = state.years[0] === state.years[1] ? `${state.years[0]}` : `${state.years[0]}–${state.years[1]}`;
      const pos = (y) => ((y - YEAR_MIN) / (YEAR_MAX - YEAR_MIN)) * 100;
      fill.style.left = `${pos(state.years[0])}%`;
      fill.style.width = `${Math.max(0.8, pos(state.years[1]) - pos(state.years[0]))}%`;
      // Both thumbs at the top end: keep "from" grabbable.
      from.style.zIndex = pos(state.years[0]) > 90 ? '3' : '';
    },
    playing: () => timer !== null,
    stop: () => stop(true),
  };
}

/** Shading mode and measure. */
export function shadingControl(root, { onChange }) {
  root.innerHTML = `
    <fieldset class="shading">
      <legend>Shade countries by</legend>
      <div class="segmented" role="radiogroup" aria-label="Imports or exports">
        <label><input type="radio" name="mode" value="imports"> Imports</label>
        <label><input type="radio" name="mode" value="exports"> Exports</label>
      </div>
      <label for="measure">Measure</label>
      <select id="measure">${MEASURES.map((m) => `<option value="${m}">${esc(label(m))}</option>`).join('')}</select>
    </fieldset>`;
  root.querySelectorAll('input[name=mode]').forEach((r) => r.addEventListener('change', () => onChange({ mode: r.value })));
  const measure = root.querySelector('#measure');
  measure.addEventListener('change', () => onChange({ measure: measure.value }));
  return {
    update(state) {
      root.querySelectorAll('input[name=mode]').forEach((r) => { r.checked = r.value === state.mode; });
      measure.value = state.measure;
    },
  };
}

/** Overlay switches and how many flows are drawn. */
export function layersControl(root, { onChange, overlays = OVERLAYS }) {
  root.innerHTML = `
    <fieldset class="layers">
      <legend>Show</legend>
      ${overlays.map((o) => `<label><input type="checkbox" name="overlay" value="${o}"> ${esc(label(o))}${o === 'flows' ? `
        <select id="top-flows" aria-label="How many of the largest flows to draw">${TOP_CHOICES.map((n) => `<option value="${n}">${n ? `top ${n}` : 'all'}</option>`).join('')}</select>` : ''}</label>`).join('')}
    </fieldset>`;
  const boxes = [...root.querySelectorAll('input[name=overlay]')];
  boxes.forEach((b) => b.addEventListener('change', () => {
    onChange({ layers: OVERLAYS.filter((o) => boxes.find((x) => x.value === o)?.checked) });
  }));
  const top = root.querySelector('#top-flows');
  top?.addEventListener('change', () => onChange({ top: Number(top.value) }));
  return {
    update(state) {
      boxes.forEach((b) => { b.checked = state.layers.includes(b.value); });
      if (top) {
        top.value = String(state.top);
        top.disabled = !state.layers.includes('flows');
      }
    },
  };
}

/**
 * A token input for actor ids: type a name or code, Enter adds it; each
 * chosen actor is a button that removes it.
 */
function tokenInput(root, { id, text, key, actors, onChange }) {
  root.insertAdjacentHTML('beforeend', `
    <div class="tokens-field">
      <label for="${id}">${esc(text)}</label>
      <div class="tokens" id="${id}-tokens" aria-live="polite"></div>
      <input id="${id}" type="text" list="actor-list" autocomplete="off" placeholder="Name or code, then Enter"
        aria-describedby="${id}-help">
      <span id="${id}-help" class="sr-only">Type a country or group and press Enter to add it to the filter.</span>
    </div>`);
  const input = root.querySelector(`#${id}`);
  const tokens = root.querySelector(`#${id}-tokens`);
  let value = [];
  const add = () => {
    const idv = actors.resolve(input.value);
    if (!idv) {
      input.setCustomValidity(input.value ? 'Unknown country or group' : '');
      input.reportValidity();
      return;
    }
    input.setCustomValidity('');
    input.value = '';
    if (!value.includes(idv)) onChange({ [key]: [...value, idv].sort() });
  };
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      add();
    }
  });
  input.addEventListener('change', () => {
    if (actors.resolve(input.value)) add();
  });
  tokens.addEventListener('click', (e) => {
    const b = e.target.closest('button[data-id]');
    if (b) onChange({ [key]: value.filter((v) => v !== b.dataset.id) });
  });
  return {
    update(state) {
      value = state[key];
      tokens.innerHTML = value.map((v) => `<button type="button" class="token" data-id="${esc(v)}"
        aria-label="Remove ${esc(actors.name(v))} from ${esc(text)}">${esc(actors.name(v))} <span aria-hidden="true">×</span></button>`).join('');
    },
  };
}

function checkGroup(root, { legend, name, values, onChange, columns = 2 }) {
  root.insertAdjacentHTML('beforeend', `
    <fieldset class="checks cols-${columns}">
      <legend>${esc(legend)}</legend>
      ${values.map((v) => `<label><input type="checkbox" name="${name}" value="${v}"><span class="swatch-slot"></span>${esc(label(v))}</label>`).join('')}
    </fieldset>`);
  const boxes = [...root.querySelectorAll(`input[name=${name}]`)];
  boxes.forEach((b) => b.addEventListener('change', () => onChange({ [name]: values.filter((v) => boxes.find((x) => x.value === v).checked) })));
  return {
    update(state) {
      boxes.forEach((b) => { b.checked = state[name].includes(b.value); });
    },
  };
}

/** Supplier, recipient, category and status filters. */
export function filtersControl(root, { onChange, actors }) {
  root.innerHTML = '<div class="filters"></div>';
  const box = root.firstElementChild;
  const parts = [
    tokenInput(box, { id: 'f-supplier', text: 'Suppliers', key: 'supplier', actors, onChange }),
    tokenInput(box, { id: 'f-recipient', text: 'Recipients', key: 'recipient', actors, onChange }),
    checkGroup(box, { legend: 'Categories (flow colours)', name: 'category', values: CATEGORIES, onChange, columns: 1 }),
    checkGroup(box, { legend: 'Status', name: 'status', values: STATUSES, onChange }),
  ];
  box.insertAdjacentHTML('beforeend', '<button type="button" id="f-reset" class="link-button">Clear filters</button>');
  box.querySelector('#f-reset').addEventListener('click', () => onChange({ supplier: [], recipient: [], category: [], status: [] }));
  return {
    update(state) {
      parts.forEach((p) => p.update(state));
    },
    colour(colours) {
      box.querySelectorAll('input[name=category]').forEach((b) => {
        const c = colours[b.value];
        const slot = b.parentElement.querySelector('.swatch-slot');
        if (!c || !slot) return;
        slot.className = 'swatch';
        slot.setAttribute('aria-hidden', 'true');
        slot.style.backgroundColor = c;
      });
    },
  };
}

/** The actors (countries, former states, groups): names, lookup by name or code. */
export class Actors {
  constructor(list = []) {
    this.byID = new globalThis.Map();
    this.byName = new globalThis.Map();
    for (const a of list) {
      if (!a?.id) continue;
      this.byID.set(a.id, a);
      if (a.name) this.byName.set(a.name.toLowerCase(), a.id);
    }
  }

  name(id) {
    return this.byID.get(id)?.name || id;
  }

  /** Finds an actor by code or exact name (any case); the datalist's "Name (CODE)" too. */
  resolve(text) {
    const t = String(text || '').trim();
    if (!t) return null;
    const m = /\(([A-Za-z0-9-]{2,40})\)\s*$/.exec(t);
    if (m && this.byID.has(m[1].toUpperCase())) return m[1].toUpperCase();
    if (this.byID.has(t.toUpperCase())) return t.toUpperCase();
    return this.byName.get(t.toLowerCase()) || null;
  }

  /** Fills a <datalist> with "Name (CODE)" options; states only when statesOnly. */
  fill(datalist, { statesOnly = false } = {}) {
    const opts = [...this.byID.values()]
      .filter((a) => !statesOnly || a.kind === 'state' || !a.kind)
      .sort((a, b) => (a.name || a.id).localeCompare(b.name || b.id))
      .map((a) => `<option value="${esc(`${a.name || a.id} (${a.id})`)}"></option>`);
    datalist.innerHTML = opts.join('');
  }
}
