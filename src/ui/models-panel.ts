// The models panel: every bundle the app knows (the built-in demo and face bundles, those the
// graph's nodes name, those earlier graphs named, folders the user opened) with its size, licence
// and how much of it sits in Cache Storage, a button to clear that, and one to open a bundle folder.
import { LitElement, css, html } from 'lit';
import {
  type BundleInfo,
  type CacheState,
  cacheState,
  clearBundleCache,
  formatBytes,
  readBundle,
  readPickedBundle,
} from './bundles.js';

type Row = { info: BundleInfo; cache: CacheState | undefined; picked: boolean };

export class ModelsPanelElement extends LitElement {
  static override properties = { rows: { state: true }, loading: { state: true }, message: { state: true } };
  declare rows: Row[];
  declare loading: boolean;
  declare message: string;
  private picked: BundleInfo[] = [];

  constructor() {
    super();
    this.rows = [];
    this.loading = false;
    this.message = '';
  }

  static override styles = css`
    :host {
      position: absolute;
      top: 10px;
      right: 10px;
      z-index: 30;
      width: 380px;
      max-height: calc(100% - 20px);
      overflow-y: auto;
      background: #1c1f24;
      border: 1px solid #363a43;
      border-radius: 8px;
      box-shadow: 0 8px 24px rgba(0, 0, 0, 0.5);
      color: #e4e6eb;
      font: 12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    }
    header {
      display: flex;
      align-items: center;
      gap: 6px;
      padding: 8px 10px;
      border-bottom: 1px solid #2c2f36;
    }
    h2 {
      flex: 1;
      font-size: 13px;
      margin: 0;
    }
    button {
      font: inherit;
      color: inherit;
      background: #24272e;
      border: 1px solid #363a43;
      border-radius: 5px;
      padding: 3px 8px;
      cursor: pointer;
    }
    button:hover:not(:disabled) {
      border-color: #6ea8fe;
    }
    button:disabled {
      opacity: 0.45;
      cursor: default;
    }
    .bundle {
      padding: 8px 10px;
      border-bottom: 1px solid #2c2f36;
    }
    .name {
      font-weight: 600;
    }
    .where,
    .muted {
      color: #9aa0ab;
      word-break: break-all;
    }
    .facts {
      display: grid;
      grid-template-columns: 60px 1fr;
      gap: 2px 8px;
      margin: 4px 0;
    }
    .problem {
      color: #ff8a8a;
    }
    a {
      color: #6ea8fe;
    }
  `;

  /** Lists `sources` (manifest paths or URLs) and the folders opened here, reading each afresh. */
  async show(sources: readonly string[]): Promise<void> {
    this.loading = true;
    const infos = await Promise.all([...new Set(sources)].map((s) => readBundle(s)));
    const rows: Row[] = [];
    for (const info of infos)
      rows.push({ info, cache: info.problem ? undefined : await cacheState(info.where), picked: false });
    for (const info of this.picked) rows.push({ info, cache: undefined, picked: true });
    this.rows = rows;
    this.loading = false;
  }

  private async clear(row: Row): Promise<void> {
    const removed = await clearBundleCache(row.info.where);
    this.message = `Removed ${removed} cached file${removed === 1 ? '' : 's'} of ${row.info.name}`;
    row.cache = await cacheState(row.info.where);
    this.rows = [...this.rows];
  }

  private async openFolder(): Promise<void> {
    const picker = (window as unknown as { showDirectoryPicker?: () => Promise<FileSystemDirectoryHandle> })
      .showDirectoryPicker;
    if (!picker) {
      this.message =
        'This browser cannot open folders (showDirectoryPicker); serve the bundle and name its URL in Load Models.';
      return;
    }
    let folder: FileSystemDirectoryHandle;
    try {
      folder = await picker.call(window);
    } catch {
      return; // cancelled
    }
    const info = await readPickedBundle(folder);
    this.picked = [...this.picked.filter((p) => p.where !== info.where), info];
    this.rows = [...this.rows.filter((r) => r.info.where !== info.where), { info, cache: undefined, picked: true }];
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent('close', { bubbles: true, composed: true }));
  }

  override render() {
    const canPick = 'showDirectoryPicker' in window;
    return html`<header>
        <h2>Models</h2>
        <button data-action="open-folder" ?disabled=${!canPick} title=${canPick ? 'Open a bundle folder (its manifest.json and model files)' : 'This browser cannot open folders'} @click=${() => void this.openFolder()}>Open folder…</button>
        <button data-action="close" title="Close" @click=${() => this.close()}>✕</button>
      </header>
      ${this.loading ? html`<div class="bundle muted">Reading the bundles…</div>` : null}
      ${this.message ? html`<div class="bundle muted" data-testid="models-message">${this.message}</div>` : null}
      ${this.rows.map((row) => this.renderRow(row))}`;
  }

  private renderRow(row: Row) {
    const { info, cache, picked } = row;
    const known = info.files.filter((f) => f.bytes !== undefined).length;
    return html`<div class="bundle" data-testid="bundle" data-source=${info.source}>
      <div class="name">${info.name}</div>
      <div class="where">${info.where}</div>
      ${
        info.problem
          ? html`<div class="problem">${info.problem}</div>`
          : html`<div class="facts">
              <span class="muted">Size</span><span data-testid="bundle-size">${formatBytes(info.bytes)} in ${info.files.length} files${known < info.files.length ? ` (${info.files.length - known} not found)` : ''}</span>
              <span class="muted">Licence</span><span data-testid="bundle-license">${info.license}${info.modelCard ? html` · <a href=${info.modelCard} target="_blank" rel="noopener">model card</a>` : null}</span>
              <span class="muted">Cache</span><span data-testid="bundle-cache">${picked ? 'local folder, not cached' : cache === undefined ? 'Cache Storage unavailable' : cache.entries === 0 ? 'not cached' : `${cache.entries} files, ${formatBytes(cache.bytes)}`}</span>
            </div>
            ${picked ? null : html`<button data-action="clear-cache" ?disabled=${!cache?.entries} @click=${() => void this.clear(row)}>Clear cache</button>`}`
      }
    </div>`;
  }
}

if (!customElements.get('clip-pae-models')) customElements.define('clip-pae-models', ModelsPanelElement);
