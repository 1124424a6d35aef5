// The app's toolbar. It only reports what was clicked ('toolbar-action'); the app decides.
import { LitElement, css, html } from 'lit';
import { live } from 'lit/directives/live.js';

export type ToolbarAction =
  | { action: 'new' }
  | { action: 'open' }
  | { action: 'save' }
  | { action: 'example'; name: string }
  | { action: 'undo' }
  | { action: 'redo' }
  | { action: 'run' }
  | { action: 'cancel' }
  | { action: 'auto-run'; enabled: boolean }
  | { action: 'fit' }
  | { action: 'arrange' }
  | { action: 'frame' }
  | { action: 'comment' }
  | { action: 'models' };

export class ToolbarElement extends LitElement {
  static override properties = {
    running: { type: Boolean },
    autoRun: { type: Boolean },
    examples: { attribute: false },
    status: { type: String },
    statusKind: { type: String },
    runtime: { type: String },
    graphTitle: { type: String },
  };
  declare running: boolean;
  declare autoRun: boolean;
  declare examples: string[];
  declare status: string;
  declare statusKind: 'info' | 'ok' | 'error';
  declare runtime: string;
  declare graphTitle: string;

  constructor() {
    super();
    this.running = false;
    this.autoRun = false;
    this.examples = [];
    this.status = '';
    this.statusKind = 'info';
    this.runtime = '';
    this.graphTitle = '';
  }

  static override styles = css`
    :host {
      display: flex;
      align-items: center;
      gap: 6px;
      padding: 0 10px;
      height: 44px;
      background: #17191d;
      border-bottom: 1px solid #2c2f36;
      color: #e4e6eb;
      font: 13px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    }
    .brand {
      font-weight: 700;
      letter-spacing: 0.02em;
      margin-right: 8px;
      white-space: nowrap;
    }
    .brand small {
      font-weight: 400;
      color: #9aa0ab;
      margin-left: 6px;
    }
    .sep {
      width: 1px;
      height: 22px;
      background: #2f333b;
      margin: 0 4px;
    }
    button,
    select {
      font: inherit;
      color: inherit;
      background: #24272e;
      border: 1px solid #363a43;
      border-radius: 6px;
      padding: 4px 10px;
      cursor: pointer;
      height: 28px;
    }
    button:hover:not(:disabled),
    select:hover {
      border-color: #6ea8fe;
    }
    button:disabled {
      opacity: 0.45;
      cursor: default;
    }
    button.primary {
      background: #2f6fde;
      border-color: #2f6fde;
      color: #fff;
      font-weight: 600;
    }
    button.primary:hover:not(:disabled) {
      background: #3b7cf0;
    }
    label {
      display: flex;
      align-items: center;
      gap: 5px;
      cursor: pointer;
      white-space: nowrap;
    }
    input[type='checkbox'] {
      accent-color: #6ea8fe;
    }
    .status {
      flex: 1;
      min-width: 0;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      color: #9aa0ab;
      padding-left: 6px;
    }
    .status.ok {
      color: #5cc98b;
    }
    .status.error {
      color: #ff8a8a;
    }
    .runtime {
      font-size: 11px;
      padding: 2px 8px;
      border-radius: 10px;
      border: 1px solid #363a43;
      color: #9aa0ab;
      white-space: nowrap;
    }
    .runtime:empty {
      display: none;
    }
  `;

  private fire(detail: ToolbarAction): void {
    this.dispatchEvent(new CustomEvent<ToolbarAction>('toolbar-action', { detail, bubbles: true, composed: true }));
  }

  override render() {
    return html`
      <span class="brand">rete-clip-pae${this.graphTitle ? html`<small>${this.graphTitle}</small>` : null}</span>
      <button data-action="new" title="Start an empty graph" @click=${() => this.fire({ action: 'new' })}>New</button>
      <button data-action="open" title="Open a graph (.json) or a PNG saved by Save Image; or drop one on the canvas" @click=${() => this.fire({ action: 'open' })}>
        Open…
      </button>
      <button data-action="save" title="Download the graph as JSON" @click=${() => this.fire({ action: 'save' })}>Save</button>
      <select
        data-action="examples"
        aria-label="Examples"
        .value=${live('')}
        @change=${(e: Event) => {
          const select = e.target as HTMLSelectElement;
          if (select.value) this.fire({ action: 'example', name: select.value });
          select.value = '';
        }}
      >
        <option value="">Examples…</option>
        ${this.examples.map((name) => html`<option value=${name}>${name}</option>`)}
      </select>
      <span class="sep"></span>
      <button data-action="undo" title="Undo (Ctrl+Z)" @click=${() => this.fire({ action: 'undo' })}>↶</button>
      <button data-action="redo" title="Redo (Ctrl+Shift+Z)" @click=${() => this.fire({ action: 'redo' })}>↷</button>
      <button data-action="fit" title="Zoom to fit the graph" @click=${() => this.fire({ action: 'fit' })}>Fit</button>
      <button data-action="arrange" title="Lay the graph out left to right" @click=${() => this.fire({ action: 'arrange' })}>Arrange</button>
      <button data-action="frame" title="Put a frame around the selected nodes (right-click it to name it)" @click=${() => this.fire({ action: 'frame' })}>Frame</button>
      <button data-action="comment" title="Add a note (right-click it to edit)" @click=${() => this.fire({ action: 'comment' })}>Note</button>
      <button data-action="models" title="Model bundles: size, licence, cache" @click=${() => this.fire({ action: 'models' })}>Models</button>
      <span class="sep"></span>
      <button class="primary" data-action="run" title="Run the graph" @click=${() => this.fire({ action: 'run' })}>▶ Run</button>
      <button data-action="cancel" title="Cancel the run" ?disabled=${!this.running} @click=${() => this.fire({ action: 'cancel' })}>■ Cancel</button>
      <label title="Run again shortly after each change">
        <input
          type="checkbox"
          data-action="auto-run"
          .checked=${live(this.autoRun)}
          @change=${(e: Event) => this.fire({ action: 'auto-run', enabled: (e.target as HTMLInputElement).checked })}
        />Auto-run
      </label>
      <span class="status ${this.statusKind}" data-testid="status" title=${this.status}>${this.status}</span>
      <span class="runtime" data-testid="runtime" title="Where the models run">${this.runtime}</span>
    `;
  }
}

if (!customElements.get('clip-pae-toolbar')) customElements.define('clip-pae-toolbar', ToolbarElement);
