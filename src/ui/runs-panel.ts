// <clip-pae-runs>: the queue (the running item with its progress, then what waits) and the history
// of finished runs (time, duration, status, thumbnails). It only reports what was clicked
// ('runs-action'); the app decides.
import { LitElement, css, html } from 'lit';
import type { QueueItem } from './run-queue.js';
import { entryImages, type HistoryEntry, type StoredImage } from './run-history.js';

export type RunsAction =
  | { action: 'remove'; id: number }
  | { action: 'cancel'; id: number }
  | { action: 'restore'; id: string }
  | { action: 'clear-history' };

const THUMBNAILS_PER_RUN = 4;
const thumbnailUrls = new WeakMap<StoredImage, string>();

/** A data: URL of a stored image, made once per image (entries are not edited once stored). */
function thumbnailUrl(image: StoredImage): string {
  const known = thumbnailUrls.get(image);
  if (known) return known;
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const rgba = new Uint8ClampedArray(image.width * image.height * 4);
  for (let i = 0; i < image.width * image.height; i++) {
    rgba[i * 4] = image.rgb[i * 3]!;
    rgba[i * 4 + 1] = image.rgb[i * 3 + 1]!;
    rgba[i * 4 + 2] = image.rgb[i * 3 + 2]!;
    rgba[i * 4 + 3] = 255;
  }
  canvas.getContext('2d')?.putImageData(new ImageData(rgba, image.width, image.height), 0, 0);
  const url = canvas.toDataURL('image/png');
  thumbnailUrls.set(image, url);
  return url;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function itemLabel(doc: { meta?: Record<string, unknown> }, targets: readonly string[] | undefined): string {
  const title = typeof doc.meta?.title === 'string' && doc.meta.title ? doc.meta.title : 'Graph';
  return targets?.length ? `${title} → ${targets.join(', ')}` : title;
}

export class RunsPanelElement extends LitElement {
  static override properties = {
    queue: { attribute: false },
    history: { attribute: false },
    historyProblem: { type: String },
  };
  declare queue: readonly QueueItem[];
  declare history: readonly HistoryEntry[];
  /** Why the history cannot be stored (IndexedDB refused), shown instead of failing quietly. */
  declare historyProblem: string;

  constructor() {
    super();
    this.queue = [];
    this.history = [];
    this.historyProblem = '';
  }

  static override styles = css`
    :host {
      display: flex;
      flex: none;
      flex-direction: column;
      gap: 4px;
      width: 250px;
      overflow-y: auto;
      background: #17191d;
      border-left: 1px solid #2c2f36;
      color: #e4e6eb;
      font: 12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
      padding: 8px;
      box-sizing: border-box;
    }
    h2 {
      font-size: 11px;
      text-transform: uppercase;
      letter-spacing: 0.06em;
      color: #9aa0ab;
      margin: 6px 0 2px;
      display: flex;
      align-items: center;
      justify-content: space-between;
    }
    .empty {
      color: #6b717c;
      font-style: italic;
    }
    .item {
      border: 1px solid #2f333b;
      border-radius: 6px;
      padding: 5px 6px;
      background: #1e2126;
      display: flex;
      flex-direction: column;
      gap: 3px;
    }
    .row {
      display: flex;
      align-items: center;
      gap: 6px;
    }
    .row .label {
      flex: 1;
      min-width: 0;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .bar {
      height: 4px;
      background: #2a2d34;
      border-radius: 2px;
      overflow: hidden;
    }
    .bar > div {
      height: 100%;
      background: #6ea8fe;
    }
    button {
      font: inherit;
      color: inherit;
      background: #24272e;
      border: 1px solid #363a43;
      border-radius: 5px;
      padding: 1px 7px;
      cursor: pointer;
    }
    button:hover {
      border-color: #6ea8fe;
    }
    .entry {
      cursor: pointer;
    }
    .entry:hover {
      border-color: #6ea8fe;
    }
    .status-ok {
      color: #5cc98b;
    }
    .status-failed,
    .status-invalid {
      color: #ff8a8a;
    }
    .status-cancelled {
      color: #9aa0ab;
    }
    .thumbs {
      display: flex;
      flex-wrap: wrap;
      gap: 3px;
    }
    .thumbs img {
      height: 40px;
      max-width: 52px;
      object-fit: cover;
      border-radius: 3px;
      background: #000;
    }
    .muted {
      color: #9aa0ab;
    }
    .problem {
      color: #ff8a8a;
    }
  `;

  private fire(detail: RunsAction): void {
    this.dispatchEvent(new CustomEvent<RunsAction>('runs-action', { detail, bubbles: true, composed: true }));
  }

  private renderItem(item: QueueItem) {
    const running = item.state === 'running';
    return html`<div class="item" data-testid="queue-item" data-state=${item.state} data-id=${item.id}>
      <div class="row">
        <span class="label" title=${itemLabel(item.doc, item.targets)}>#${item.id} ${itemLabel(item.doc, item.targets)}</span>
        ${
          running
            ? html`<button data-action="cancel" title="Cancel this run" @click=${() => this.fire({ action: 'cancel', id: item.id })}>
                Cancel
              </button>`
            : html`<button data-action="remove" title="Take this run out of the queue" @click=${() => this.fire({ action: 'remove', id: item.id })}>
                Remove
              </button>`
        }
      </div>
      ${
        running
          ? html`<div class="bar" data-testid="queue-progress"><div style="width:${Math.round(item.fraction * 100)}%"></div></div>
            <div class="muted">${Math.round(item.fraction * 100)}%${item.current ? ` · ${item.current}` : ''}</div>`
          : html`<div class="muted">waiting</div>`
      }
    </div>`;
  }

  private renderEntry(entry: HistoryEntry) {
    const when = new Date(entry.finishedAt).toLocaleTimeString();
    const images = entryImages(entry).slice(0, THUMBNAILS_PER_RUN);
    return html`<div
      class="item entry"
      data-testid="history-entry"
      data-id=${entry.id}
      data-status=${entry.status}
      title="Open this run's graph and outputs"
      @click=${() => this.fire({ action: 'restore', id: entry.id })}
    >
      <div class="row">
        <span class="label">${itemLabel(entry.doc, entry.targets)}</span>
        <span class="status-${entry.status}">${entry.status}</span>
      </div>
      <div class="muted">${when} · ${formatDuration(entry.ms)}</div>
      ${
        images.length
          ? html`<div class="thumbs">
            ${images.map((i) => html`<img src=${thumbnailUrl(i.image)} alt="${i.node} ${i.output}" data-testid="history-thumb" />`)}
          </div>`
          : null
      }
    </div>`;
  }

  override render() {
    return html`
      <h2>Queue</h2>
      ${this.queue.length ? this.queue.map((i) => this.renderItem(i)) : html`<div class="empty">Nothing queued</div>`}
      <h2>
        History
        <button data-action="clear-history" title="Forget every finished run" ?disabled=${this.history.length === 0} @click=${() => this.fire({ action: 'clear-history' })}>
          Clear
        </button>
      </h2>
      ${this.historyProblem ? html`<div class="problem">${this.historyProblem}</div>` : null}
      ${this.history.length ? this.history.map((e) => this.renderEntry(e)) : html`<div class="empty">No finished runs yet</div>`}
    `;
  }
}

if (!customElements.get('clip-pae-runs')) customElements.define('clip-pae-runs', RunsPanelElement);
