// roomui.js: presenter rooms on the map page. The Present button asks for a
// write token (kept in this tab's sessionStorage only), creates a room and
// shows the viewers' link; while presenting, a bar over the map holds a
// caption box, the link and "Stop presenting". A page opened with ?room=ID
// follows the presenter, with Detach and Rejoin, and a caption banner.
import { createRoom, RoomPresenter, RoomViewer, validRoomID } from './room.js';
import { CAPTION_MAX } from './state.js';
import { esc } from './format.js';
import { copyText } from './share.js';

/** sessionStorage keys: the write token, and the room this tab presents (so a reload carries on). */
const TOKEN_KEY = 'armsflow.writeToken';
const ROOM_KEY = 'armsflow.presenting';

const session = {
  get: (k) => { try { return sessionStorage.getItem(k); } catch { return null; } },
  set: (k, v) => { try { sessionStorage.setItem(k, v); } catch { /* storage off: the token is asked again */ } },
  del: (k) => { try { sessionStorage.removeItem(k); } catch { /* nothing kept */ } },
};

export class RoomUI {
  /**
   * @param {{live: object, dialog: HTMLDialogElement, toaster: object, mapArea: HTMLElement, actions: HTMLElement|null,
   *   payload: (caption: string) => object, applyRemote: (state: object, opts: {ease: boolean}) => void,
   *   setURLRoom: (id: string|null) => void}} opts
   */
  constructor(opts) {
    this.opts = opts;
    this.live = opts.live;
    this.presenter = null;
    this.viewer = null;
    this.caption = '';
    this.detachReason = '';

    const top = document.createElement('div');
    top.className = 'room-top';
    top.innerHTML = `<section id="room-bar" class="room-bar" aria-label="Presentation" hidden>
        <span class="room-dot" aria-hidden="true"></span>
        <span id="room-status" class="room-status" role="status" aria-live="polite"></span>
        <span class="room-controls"></span>
      </section>
      <p id="room-caption" class="room-caption" aria-live="polite" hidden></p>`;
    opts.mapArea.append(top);
    this.bar = top.querySelector('#room-bar');
    this.statusEl = top.querySelector('#room-status');
    this.controls = top.querySelector('.room-controls');
    this.captionEl = top.querySelector('#room-caption');

    if (opts.actions) {
      opts.actions.insertAdjacentHTML('beforeend',
        '<button type="button" id="btn-present" aria-haspopup="dialog" aria-pressed="false" title="Let others follow your map live">Present</button>');
      this.button = opts.actions.querySelector('#btn-present');
      this.button.addEventListener('click', () => (this.presenter ? this.linkDialog() : this.startDialog()));
    }
  }

  /** Starts the mode the page was opened in: viewer of ?room=ID, or presenter of the room this tab was presenting. */
  async init(search) {
    const id = new URLSearchParams(search).get('room');
    if (id !== null) {
      this.follow(id);
      return;
    }
    const saved = session.get(ROOM_KEY);
    if (!saved) return;
    try {
      const room = JSON.parse(saved);
      const res = await fetch(`/api/rooms/${encodeURIComponent(room.id)}`, { headers: { Accept: 'application/json' } });
      if (!res.ok) throw new Error(`room ${room.id}: ${res.status}`);
      this.caption = room.caption || '';
      this.present(room);
    } catch {
      session.del(ROOM_KEY);
    }
  }

  // --- Presenter.

  /** The dialog asking for a write token. */
  startDialog() {
    const d = this.opts.dialog;
    d.innerHTML = `<form class="dialog-body" id="present-form">
      <div class="panel-head"><h2 id="present-title">Present this map</h2><button type="button" class="close" aria-label="Close">×</button></div>
      <p>People who open the viewer link follow your map live: camera, years, filters, layers, selection and a caption.</p>
      <label for="present-token">Write token</label>
      <input id="present-token" type="password" autocomplete="off" spellcheck="false" required aria-describedby="present-token-help">
      <p id="present-token-help" class="small muted">Creating a room takes a write token of this server. It is kept in this tab only (session storage).</p>
      <div class="copy-row"><button type="submit" id="present-start">Start presenting</button></div>
      <p id="present-status" class="muted" role="alert"></p></form>`;
    this.label(d);
    const form = d.querySelector('form');
    const token = d.querySelector('#present-token');
    const status = d.querySelector('#present-status');
    token.value = session.get(TOKEN_KEY) || '';
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const tok = token.value.trim();
      if (!tok) return;
      const start = d.querySelector('#present-start');
      start.disabled = true;
      status.textContent = 'Opening the room…';
      try {
        const room = await createRoom(tok, this.opts.payload(this.caption));
        session.set(TOKEN_KEY, tok);
        this.present(room);
        this.linkDialog();
      } catch (err) {
        status.textContent = err.status === 401 || err.status === 403 ? 'The server refused this write token.'
          : `Could not open a room: ${err.message}`;
        start.disabled = false;
        token.focus();
        token.select();
      }
    });
    if (!d.open) d.showModal();
    token.focus();
  }

  /** The dialog with the viewers' link. */
  linkDialog() {
    const room = this.presenter?.room;
    if (!room) return;
    const d = this.opts.dialog;
    d.innerHTML = `<form method="dialog" class="dialog-body">
      <div class="panel-head"><h2 id="present-title">You are presenting</h2><button type="button" class="close" aria-label="Close">×</button></div>
      <p>Send this link to your viewers. Their maps follow yours until you stop presenting.</p>
      <label for="present-url">Viewer link</label>
      <div class="copy-row"><input id="present-url" type="text" readonly value="${esc(room.viewer_url)}"><button type="button" id="present-copy">Copy</button></div>
      <p id="present-copied" class="muted" role="status"></p>
      <div class="copy-row"><button type="submit">Done</button><button type="button" id="present-stop">Stop presenting</button></div></form>`;
    this.label(d);
    const input = d.querySelector('#present-url');
    d.querySelector('#present-copy').addEventListener('click', async () => {
      d.querySelector('#present-copied').textContent = (await copyText(room.viewer_url, input)) ? 'Link copied to the clipboard.' : 'Select the link and copy it.';
    });
    d.querySelector('#present-stop').addEventListener('click', () => { d.close(); this.stopPresenting(); });
    if (!d.open) d.showModal();
    input.focus();
    input.select();
  }

  /** Names the shared dialog by its heading while it shows a room dialog. */
  label(d) {
    d.setAttribute('aria-labelledby', 'present-title');
    d.addEventListener('close', () => d.removeAttribute('aria-labelledby'), { once: true });
  }

  present(room) {
    session.set(ROOM_KEY, JSON.stringify({ id: room.id, presenter_token: room.presenter_token, viewer_url: room.viewer_url, caption: this.caption }));
    this.presenter = new RoomPresenter(room, { live: this.live, onEnded: (reason) => this.presenterEnded(reason) });
    this.live.start();
    this.button?.setAttribute('aria-pressed', 'true');
    if (this.button) this.button.textContent = 'Presenting';
    this.controls.innerHTML = `<label class="sr-only" for="room-caption-input">Caption for viewers</label>
      <input id="room-caption-input" type="text" maxlength="${CAPTION_MAX}" placeholder="Caption for viewers (optional)">
      <button type="button" id="room-link">Viewer link</button>
      <button type="button" id="room-stop">Stop presenting</button>`;
    const input = this.controls.querySelector('#room-caption-input');
    input.value = this.caption;
    input.addEventListener('input', () => {
      this.caption = input.value;
      this.changed();
      this.remember();
    });
    this.controls.querySelector('#room-link').addEventListener('click', () => this.linkDialog());
    this.controls.querySelector('#room-stop').addEventListener('click', () => this.stopPresenting());
    this.showBar('presenting', 'Presenting');
    this.changed();
  }

  remember() {
    const r = this.presenter?.room;
    if (r) session.set(ROOM_KEY, JSON.stringify({ id: r.id, presenter_token: r.presenter_token, viewer_url: r.viewer_url, caption: this.caption }));
  }

  /** The view changed: a presenter sends it (throttled). */
  changed() {
    this.presenter?.push(this.opts.payload(this.caption));
  }

  get presenting() {
    return !!this.presenter;
  }

  async stopPresenting() {
    const p = this.presenter;
    if (!p) return;
    try {
      await p.stop();
    } catch (err) {
      this.opts.toaster.show({ title: 'Could not close the room', html: `<p class="small">${esc(err.message)}</p>` });
    }
  }

  presenterEnded(reason) {
    this.presenter = null;
    session.del(ROOM_KEY);
    this.button?.setAttribute('aria-pressed', 'false');
    if (this.button) this.button.textContent = 'Present';
    this.hideBar();
    const why = { stopped: 'Your viewers see “Presentation ended”.', unauthorized: 'The server no longer accepts this room’s token.',
      not_found: 'The room expired or the server restarted.', idle: 'The room was idle too long.' }[reason] || '';
    this.opts.toaster.show({ title: 'Presentation ended', html: why ? `<p class="small">${esc(why)}</p>` : '' });
    this.button?.focus();
  }

  // --- Viewer.

  follow(id) {
    if (!validRoomID(id)) {
      this.showBar('ended', 'No such presentation');
      this.controls.innerHTML = '<button type="button" id="room-dismiss">Close</button>';
      this.controls.querySelector('#room-dismiss').addEventListener('click', () => this.leave());
      return;
    }
    if (this.button) this.button.hidden = true;
    this.opts.setURLRoom(id);
    this.viewer = new RoomViewer(id, {
      live: this.live,
      apply: (p, { first }) => {
        this.showCaption(p.caption);
        this.opts.applyRemote(p.state, { ease: !first });
      },
      onStatus: (status, reason) => this.viewerStatus(status, reason),
    });
    this.viewer.start();
    this.live.start();
  }

  viewerStatus(status, reason) {
    const hadFocus = this.bar.contains(document.activeElement);
    const button = (id, text) => `<button type="button" id="${id}">${text}</button>`;
    switch (status) {
      case 'connecting':
        this.showBar(status, 'Joining the presentation…');
        this.controls.innerHTML = button('room-detach', 'Detach');
        break;
      case 'following':
        this.showBar(status, 'Following presenter');
        this.controls.innerHTML = button('room-detach', 'Detach');
        break;
      case 'detached':
        this.showBar(status, this.detachReason || 'Detached: the map is yours');
        this.controls.innerHTML = button('room-rejoin', 'Rejoin');
        this.detachReason = '';
        break;
      case 'ended':
        this.showBar(status, reason === 'not_found' ? 'Presentation ended (or never existed)' : 'Presentation ended');
        this.controls.innerHTML = button('room-dismiss', 'Close');
        this.showCaption('');
        this.opts.setURLRoom(null);
        if (this.button) this.button.hidden = false;
        break;
      default:
    }
    this.controls.querySelector('#room-detach')?.addEventListener('click', () => this.viewer?.detach());
    this.controls.querySelector('#room-rejoin')?.addEventListener('click', () => this.viewer?.rejoin());
    this.controls.querySelector('#room-dismiss')?.addEventListener('click', () => this.leave());
    if (hadFocus) this.controls.querySelector('button')?.focus();
  }

  /** The reader moved the map or changed the view: a viewer stops following. */
  userChanged() {
    if (this.viewer?.status === 'following') {
      this.detachReason = 'Detached: you moved the map';
      this.viewer.detach();
    }
  }

  get following() {
    return this.viewer?.status === 'following';
  }

  leave() {
    this.viewer?.stop();
    this.viewer = null;
    this.hideBar();
    this.opts.setURLRoom(null);
    document.querySelector('#map canvas')?.focus();
  }

  showCaption(text) {
    this.captionEl.textContent = text;
    this.captionEl.hidden = !text;
  }

  showBar(mode, status) {
    this.bar.hidden = false;
    this.bar.dataset.mode = mode;
    this.statusEl.textContent = status;
    document.body.dataset.room = mode;
  }

  hideBar() {
    this.bar.hidden = true;
    this.controls.innerHTML = '';
    delete document.body.dataset.room;
  }
}
