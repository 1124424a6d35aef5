// What the app tells the user outside the nodes: a document's errors (each with its JSON path),
// and short-lived notes (a refused connection, a saved file).
import { LitElement, css, html } from 'lit';
import type { DocumentError } from '../engine/graph/validate.js';

interface Toast {
  id: number;
  text: string;
  kind: 'info' | 'error';
}

export class NoticesElement extends LitElement {
  static override properties = {
    problemTitle: { state: true },
    problems: { state: true },
    toasts: { state: true },
  };
  declare problemTitle: string;
  declare problems: DocumentError[];
  declare toasts: Toast[];
  private nextId = 1;

  constructor() {
    super();
    this.problemTitle = '';
    this.problems = [];
    this.toasts = [];
  }

  static override styles = css`
    :host {
      font: 13px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
      color: #e4e6eb;
    }
    .problems {
      position: absolute;
      top: 12px;
      left: 50%;
      transform: translateX(-50%);
      width: min(640px, calc(100% - 40px));
      max-height: 60%;
      overflow: auto;
      z-index: 10;
      background: #2a1c1f;
      border: 1px solid #ff6b6b;
      border-radius: 8px;
      box-shadow: 0 10px 30px rgba(0, 0, 0, 0.5);
      padding: 10px 14px;
    }
    .problems header {
      display: flex;
      justify-content: space-between;
      align-items: center;
      font-weight: 600;
      margin-bottom: 6px;
      gap: 10px;
    }
    .problems button {
      font: inherit;
      color: inherit;
      background: transparent;
      border: 1px solid #5a3a3f;
      border-radius: 5px;
      padding: 2px 8px;
      cursor: pointer;
    }
    ul {
      margin: 0;
      padding: 0;
      list-style: none;
    }
    li {
      padding: 3px 0;
      border-top: 1px solid #3d2a2e;
    }
    code {
      color: #ffb4b4;
      font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
      font-size: 12px;
      margin-right: 8px;
    }
    .note {
      margin-top: 6px;
      color: #b9a3a6;
      font-size: 12px;
    }
    .toasts {
      position: absolute;
      right: 14px;
      bottom: 14px;
      display: flex;
      flex-direction: column;
      gap: 6px;
      z-index: 10;
      max-width: 420px;
    }
    .toast {
      background: #24272e;
      border: 1px solid #3b3f49;
      border-left: 4px solid #6ea8fe;
      border-radius: 6px;
      padding: 7px 10px;
      box-shadow: 0 6px 18px rgba(0, 0, 0, 0.4);
    }
    .toast.error {
      border-left-color: #ff6b6b;
    }
  `;

  /** Shows why a document could not be opened; it stays until dismissed. */
  showProblems(title: string, problems: DocumentError[]): void {
    this.problemTitle = title;
    this.problems = problems;
  }

  clearProblems(): void {
    this.problemTitle = '';
    this.problems = [];
  }

  toast(text: string, kind: Toast['kind'] = 'info', ms = 4000): void {
    const toast = { id: this.nextId++, text, kind };
    this.toasts = [...this.toasts.filter((t) => t.text !== text), toast].slice(-4);
    setTimeout(() => (this.toasts = this.toasts.filter((t) => t !== toast)), ms);
  }

  override render() {
    return html`
      ${
        this.problemTitle
          ? html`<section class="problems" role="alert" data-testid="problems">
            <header>
              <span>${this.problemTitle}</span>
              <button data-action="dismiss" @click=${() => this.clearProblems()}>Dismiss</button>
            </header>
            <ul>
              ${this.problems.map((p) => html`<li data-testid="problem"><code>${p.path || '(document)'}</code>${p.message}</li>`)}
            </ul>
            <div class="note">The open graph was not changed.</div>
          </section>`
          : null
      }
      <div class="toasts">
        ${this.toasts.map((t) => html`<div class="toast ${t.kind}" data-testid="toast">${t.text}</div>`)}
      </div>
    `;
  }
}

if (!customElements.get('clip-pae-notices')) customElements.define('clip-pae-notices', NoticesElement);
