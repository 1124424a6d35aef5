// <clip-pae-shortcuts>: every keyboard shortcut of the editor on one sheet — the plugin's (nodes,
// selection, undo) and the app's own (this sheet, the image viewer). Shown on '?'.
import { LitElement, css, html } from 'lit';
import { EDITOR_SHORTCUTS, type Shortcut } from '../plugin/index.js';

export const APP_SHORTCUTS: readonly Shortcut[] = [
  { keys: '?', does: 'Show or hide this sheet' },
  { keys: 'Esc', does: 'Close this sheet or the image viewer' },
  { keys: 'Click an image', does: 'Open it full size' },
  { keys: 'Wheel / + / −', does: 'Zoom the image viewer' },
  { keys: 'Drag', does: 'Pan the image viewer' },
];

export class ShortcutsSheetElement extends LitElement {
  static override styles = css`
    :host {
      position: fixed;
      inset: 0;
      z-index: 1100;
      display: flex;
      align-items: center;
      justify-content: center;
      background: rgba(8, 9, 11, 0.6);
      font: 13px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    }
    .sheet {
      background: #17191d;
      color: #e4e6eb;
      border: 1px solid #2c2f36;
      border-radius: 10px;
      padding: 16px 20px;
      max-height: 80vh;
      overflow-y: auto;
      min-width: 420px;
    }
    h2 {
      margin: 0 0 10px;
      font-size: 15px;
    }
    h3 {
      margin: 12px 0 4px;
      font-size: 11px;
      text-transform: uppercase;
      letter-spacing: 0.06em;
      color: #9aa0ab;
    }
    table {
      border-collapse: collapse;
      width: 100%;
    }
    td {
      padding: 3px 8px 3px 0;
      vertical-align: top;
    }
    kbd {
      font: 12px ui-monospace, monospace;
      background: #24272e;
      border: 1px solid #363a43;
      border-radius: 4px;
      padding: 1px 6px;
      white-space: nowrap;
    }
  `;

  private table(shortcuts: readonly Shortcut[]) {
    return html`<table>
      ${shortcuts.map((s) => html`<tr data-testid="shortcut"><td><kbd>${s.keys}</kbd></td><td>${s.does}</td></tr>`)}
    </table>`;
  }

  override render() {
    return html`<div class="sheet" role="dialog" aria-label="Keyboard shortcuts" @click=${(e: Event) => e.stopPropagation()}>
      <h2>Keyboard shortcuts</h2>
      <h3>Graph</h3>
      ${this.table(EDITOR_SHORTCUTS)}
      <h3>Editor</h3>
      ${this.table(APP_SHORTCUTS)}
    </div>`;
  }
}

if (!customElements.get('clip-pae-shortcuts')) customElements.define('clip-pae-shortcuts', ShortcutsSheetElement);

const TEXT_ENTRY = ['INPUT', 'TEXTAREA', 'SELECT'];

/** '?' shows the sheet (and hides it again), Escape or a click beside it hides it. Returns the unbinding. */
export function bindShortcutsSheet(target: Document, host: HTMLElement = document.body): () => void {
  let sheet: ShortcutsSheetElement | undefined;
  const hide = () => {
    sheet?.remove();
    sheet = undefined;
  };
  const onKey = (event: Event) => {
    const e = event as KeyboardEvent;
    const origin = e.composedPath()[0];
    if (origin instanceof HTMLElement && (origin.isContentEditable || TEXT_ENTRY.includes(origin.tagName))) return;
    if (e.key === 'Escape' && sheet) {
      e.preventDefault();
      hide();
    } else if (e.key === '?' && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      if (sheet) return hide();
      sheet = document.createElement('clip-pae-shortcuts') as ShortcutsSheetElement;
      sheet.addEventListener('click', hide);
      host.appendChild(sheet);
    }
  };
  target.addEventListener('keydown', onKey);
  return () => {
    target.removeEventListener('keydown', onKey);
    hide();
  };
}
