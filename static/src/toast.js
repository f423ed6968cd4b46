// toast.js: short notes over the map (a new deal arrived, a presentation
// ended), read out by screen readers through a polite live region. A note
// stays while the pointer or the focus is on it.
import { esc } from './format.js';

const MAX_TOASTS = 4;
export const TOAST_MS = 10_000;

export class Toaster {
  /** @param {HTMLElement} parent where the toasts' region goes */
  constructor(parent) {
    this.root = document.createElement('div');
    this.root.id = 'toasts';
    this.root.className = 'toasts';
    this.root.setAttribute('role', 'status');
    this.root.setAttribute('aria-live', 'polite');
    this.root.setAttribute('aria-label', 'Live updates');
    parent.append(this.root);
  }

  /**
   * Shows a toast. html: its body (already escaped); actions: buttons
   * [{label, onClick}]. Returns the element.
   */
  show({ title, html = '', kind = '', actions = [], ms = TOAST_MS }) {
    const el = document.createElement('div');
    el.className = `toast ${kind ? `toast-${kind}` : ''}`;
    el.innerHTML = `<div class="toast-head"><strong>${esc(title)}</strong>
      <button type="button" class="close" aria-label="Dismiss: ${esc(title)}">×</button></div>${html}
      ${actions.length ? `<div class="toast-actions">${actions.map((a, i) => `<button type="button" data-action="${i}">${esc(a.label)}</button>`).join('')}</div>` : ''}`;
    el.querySelector('button.close').addEventListener('click', () => this.remove(el));
    el.querySelectorAll('button[data-action]').forEach((b) => b.addEventListener('click', () => {
      actions[Number(b.dataset.action)].onClick();
      this.remove(el);
    }));
    let timer = null;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.remove(el), ms);
    };
    const hold = () => clearTimeout(timer);
    el.addEventListener('mouseenter', hold);
    el.addEventListener('focusin', hold);
    el.addEventListener('mouseleave', () => { if (!el.contains(document.activeElement)) arm(); });
    el.addEventListener('focusout', (e) => { if (!el.contains(e.relatedTarget)) arm(); });
    this.root.prepend(el);
    while (this.root.children.length > MAX_TOASTS) this.root.lastElementChild.remove();
    arm();
    return el;
  }

  remove(el) {
    if (!el.isConnected) return;
    const focused = el.contains(document.activeElement);
    el.remove();
    if (focused) document.querySelector('#map canvas')?.focus();
  }
}
