// share.js: the Share and Embed dialogs.
import { shareURL, iframeCode, EMBED_CONTROLS } from './state.js';
import { esc, label } from './format.js';

/** Copies text to the clipboard (or selects it in input for the reader to copy); true when copied. */
export async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    input?.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

const controlLabels = { zoom: 'Zoom buttons', legend: 'Legend', years: 'Year slider', layers: 'Layer switches', filters: 'Filters', share: 'Link to the full map' };

export class ShareDialogs {
  constructor(dialog, getState) {
    this.dialog = dialog;
    this.getState = getState;
    dialog.addEventListener('click', (e) => {
      if (e.target === dialog || e.target.closest('button.close')) dialog.close();
    });
  }

  /** Copies the share link and shows it. */
  async share() {
    const url = shareURL(location.origin, this.getState());
    this.dialog.innerHTML = `<form method="dialog" class="dialog-body">
      <div class="panel-head"><h2>Share this view</h2><button type="button" class="close" aria-label="Close">×</button></div>
      <p>The link restores the map exactly: camera, years, filters, layers, shading and selection.</p>
      <label for="share-url">Link</label>
      <div class="copy-row"><input id="share-url" type="text" readonly value="${esc(url)}"><button type="button" id="share-copy">Copy</button></div>
      <p id="share-status" class="muted" role="status"></p></form>`;
    const input = this.dialog.querySelector('#share-url');
    const status = this.dialog.querySelector('#share-status');
    const copy = async () => { status.textContent = (await copyText(url, input)) ? 'Link copied to the clipboard.' : 'Select the link and copy it.'; };
    this.dialog.querySelector('#share-copy').addEventListener('click', copy);
    this.dialog.showModal();
    input.focus();
    input.select();
    await copy();
    return url;
  }

  /** Shows the embed code builder. */
  embed() {
    const base = this.getState();
    const opts = { controls: ['zoom', 'legend', 'share'], title: '', fixedYear: false, width: 800, height: 500 };
    this.dialog.innerHTML = `<form method="dialog" class="dialog-body embed-form">
      <div class="panel-head"><h2>Embed this map</h2><button type="button" class="close" aria-label="Close">×</button></div>
      <p>Paste this code into a web page. The widget shows the current view; readers can pan and zoom.</p>
      <label for="embed-title">Title (optional)</label><input id="embed-title" type="text" maxlength="200">
      <fieldset><legend>Controls shown</legend>${EMBED_CONTROLS.map((c) => `<label><input type="checkbox" name="ctl" value="${c}"> ${esc(controlLabels[c] || label(c))}</label>`).join('')}</fieldset>
      <label><input type="checkbox" id="embed-fixed"> Fix the year to ${base.years[1]}</label>
      <div class="size-row"><label for="embed-w">Width</label><input id="embed-w" type="number" min="200" max="4000" value="800">
      <label for="embed-h">Height</label><input id="embed-h" type="number" min="200" max="4000" value="500"></div>
      <label for="embed-code">Code</label><textarea id="embed-code" rows="4" readonly></textarea>
      <div class="copy-row"><button type="button" id="embed-copy">Copy code</button><a id="embed-open" target="_blank" rel="noopener">Open the widget</a></div>
      <p id="embed-status" class="muted" role="status"></p></form>`;
    const $ = (s) => this.dialog.querySelector(s);
    const boxes = [...this.dialog.querySelectorAll('input[name=ctl]')];
    boxes.forEach((b) => { b.checked = opts.controls.includes(b.value); });
    const render = () => {
      const s = { ...base, controls: boxes.filter((b) => b.checked).map((b) => b.value), title: $('#embed-title').value.trim() };
      if ($('#embed-fixed').checked) {
        s.year = base.years[1];
        s.years = [s.year, s.year];
      } else {
        s.year = null;
      }
      const w = Math.min(4000, Math.max(200, Number($('#embed-w').value) || 800));
      const h = Math.min(4000, Math.max(200, Number($('#embed-h').value) || 500));
      $('#embed-code').value = iframeCode(location.origin, s, { width: w, height: h });
      $('#embed-open').href = shareURL(location.origin, s, { embed: true });
    };
    this.dialog.querySelector('form').addEventListener('input', render);
    $('#embed-copy').addEventListener('click', async () => {
      $('#embed-status').textContent = (await copyText($('#embed-code').value, $('#embed-code'))) ? 'Code copied to the clipboard.' : 'Select the code and copy it.';
    });
    render();
    this.dialog.showModal();
    $('#embed-title').focus();
  }
}
