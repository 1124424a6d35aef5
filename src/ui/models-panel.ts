// The models panel: every bundle the app knows (the built-in demo and face bundles, those the
// graph's nodes name, those earlier graphs named, the folders kept in this browser) with its size,
// licence and how much of it sits in Cache Storage, a button to clear that, and Open folder, which
// keeps a bundle folder in the browser the way Load Models' own Open folder does. A kept folder
// can be put into a Load Models node or removed.
import { LitElement, css, html } from 'lit';
import { formatBytes } from '../engine/bytes.js';
import { isFolderSource, parseFolderUrl } from '../engine/models/folders.js';
import { listKeptFolders, removeKeptFolder } from '../engine/models/kept-folders.js';
import {
  entriesFromFileList,
  entriesFromHandle,
  type FolderEntry,
  openBundleFolder,
} from '../plugin/bundle-folders.js';
import {
  type BundleInfo,
  type CacheState,
  cacheState,
  clearBundleCache,
  missingKeptBundle,
  readBundle,
  readKeptBundle,
} from './bundles.js';

type Row = { info: BundleInfo; cache: CacheState | undefined; kept: boolean };

/** What "Use in Load Models" does: the app sets the bundle param and says what it did (or why not). */
export type UseBundle = (source: string) => Promise<string>;

export class ModelsPanelElement extends LitElement {
  static override properties = { rows: { state: true }, loading: { state: true }, message: { state: true } };
  declare rows: Row[];
  declare loading: boolean;
  declare message: string;
  /** Set by the app; without it the kept folders have no "Use in Load Models" button. */
  useBundle: UseBundle | undefined;
  private sources: readonly string[] = [];

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

  /** Lists `sources` (manifest paths or URLs) and the folders kept in this browser, reading each afresh. */
  async show(sources: readonly string[]): Promise<void> {
    this.sources = sources;
    this.loading = true;
    const unique = [...new Set(sources)];
    const infos = await Promise.all(unique.filter((s) => !isFolderSource(s)).map((s) => readBundle(s)));
    const rows: Row[] = [];
    for (const info of infos)
      rows.push({ info, cache: info.problem ? undefined : await cacheState(info.where), kept: false });
    let kept: BundleInfo[] = [];
    try {
      kept = (await listKeptFolders()).map(readKeptBundle);
    } catch (e) {
      this.message = `The kept folders cannot be listed: ${(e as Error).message}`;
    }
    for (const info of kept) rows.push({ info, cache: undefined, kept: true });
    // A folder a graph names that is not kept here (any more): say so, with what to do.
    for (const source of unique.filter(isFolderSource))
      if (!kept.some((k) => k.source === source))
        rows.push({ info: missingKeptBundle(source), cache: undefined, kept: false });
    this.rows = rows;
    this.loading = false;
  }

  private async clear(row: Row): Promise<void> {
    const removed = await clearBundleCache(row.info.where);
    this.message = `Removed ${removed} cached file${removed === 1 ? '' : 's'} of ${row.info.name}`;
    row.cache = await cacheState(row.info.where);
    this.rows = [...this.rows];
  }

  /** showDirectoryPicker where the browser has it, else the folder input every browser has. */
  private async openFolder(): Promise<void> {
    const picker = (window as unknown as { showDirectoryPicker?: () => Promise<FileSystemDirectoryHandle> })
      .showDirectoryPicker;
    if (!picker) {
      this.renderRoot.querySelector<HTMLInputElement>('input[data-testid="models-folder"]')?.click();
      return;
    }
    let folder: FileSystemDirectoryHandle;
    try {
      folder = await picker.call(window);
    } catch {
      return; // cancelled
    }
    await this.keep(entriesFromHandle(folder));
  }

  private async keep(entries: Promise<FolderEntry[]> | FolderEntry[]): Promise<void> {
    this.message = 'Reading the folder…';
    try {
      const { name } = await openBundleFolder(await entries, (written, total) => {
        this.message = `Copying into the browser: ${formatBytes(written)} of ${formatBytes(total)}`;
      });
      this.message = `Kept ${name} in this browser`;
    } catch (e) {
      this.message = (e as Error).message;
    }
    await this.show(this.sources);
  }

  private async removeFolder(row: Row): Promise<void> {
    // The folder's name, not the manifest's (a bundle named "demo" may be kept as any folder).
    const name = parseFolderUrl(row.info.source).folder;
    try {
      const removed = await removeKeptFolder(name);
      this.message = removed ? `Removed ${name} from this browser` : `${name} was not kept in this browser`;
    } catch (e) {
      this.message = `Could not remove ${name}: ${(e as Error).message}`;
    }
    await this.show(this.sources);
  }

  private async use(row: Row): Promise<void> {
    if (!this.useBundle) return;
    this.message = await this.useBundle(row.info.source);
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent('close', { bubbles: true, composed: true }));
  }

  override render() {
    return html`<header>
        <h2>Models</h2>
        <button data-action="open-folder" title="Open a bundle folder (its manifest.json and model files) and keep it in this browser" @click=${() => void this.openFolder()}>Open folder…</button>
        <input
          type="file"
          webkitdirectory
          hidden
          data-testid="models-folder"
          @change=${(e: Event) => {
            const input = e.target as HTMLInputElement;
            const entries = entriesFromFileList(input.files ?? []);
            input.value = '';
            if (entries.length > 0) void this.keep(entries);
          }}
        />
        <button data-action="close" title="Close" @click=${() => this.close()}>✕</button>
      </header>
      ${this.loading ? html`<div class="bundle muted">Reading the bundles…</div>` : null}
      ${this.message ? html`<div class="bundle muted" data-testid="models-message">${this.message}</div>` : null}
      ${this.rows.map((row) => this.renderRow(row))}`;
  }

  private renderRow(row: Row) {
    const { info, cache, kept } = row;
    const known = info.files.filter((f) => f.bytes !== undefined).length;
    const card = info.modelCard
      ? kept
        ? html` · model card (${info.modelCard})`
        : html` · <a href=${info.modelCard} target="_blank" rel="noopener">model card</a>`
      : null;
    const keptActions = kept
      ? html`${this.useBundle && !info.problem ? html`<button data-action="use-bundle" @click=${() => void this.use(row)}>Use in Load Models</button>` : null}
          <button data-action="remove-folder" title="Delete the copy kept in this browser (the folder on disk stays)" @click=${() => void this.removeFolder(row)}>Remove</button>`
      : null;
    return html`<div class="bundle" data-testid="bundle" data-source=${info.source} data-kept=${kept ? 'true' : 'false'}>
      <div class="name">${info.name}</div>
      <div class="where">${info.where}</div>
      ${
        info.problem
          ? html`<div class="problem">${info.problem}</div>${keptActions}`
          : html`<div class="facts">
              <span class="muted">Size</span><span data-testid="bundle-size">${formatBytes(info.bytes)} in ${info.files.length} files${known < info.files.length ? ` (${info.files.length - known} not found)` : ''}</span>
              <span class="muted">Licence</span><span data-testid="bundle-license">${info.license}${card}</span>
              <span class="muted">Cache</span><span data-testid="bundle-cache">${kept ? 'kept in this browser, not cached' : cache === undefined ? 'Cache Storage unavailable' : cache.entries === 0 ? 'not cached' : `${cache.entries} files, ${formatBytes(cache.bytes)}`}</span>
            </div>
            ${kept ? keptActions : html`<button data-action="clear-cache" ?disabled=${!cache?.entries} @click=${() => void this.clear(row)}>Clear cache</button>`}`
      }
    </div>`;
  }
}

if (!customElements.get('clip-pae-models')) customElements.define('clip-pae-models', ModelsPanelElement);
