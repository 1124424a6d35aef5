// The control for a 'bundle' param: the manifest's URL or path as text, an Open folder button
// (<input webkitdirectory>, which every browser has) and a drop zone for a folder. An opened folder
// is copied into the browser's storage (bundle-folders.ts) and the param becomes
// `folder:<name>/manifest.json`, so the graph names it and a reload still finds it.
import { LitElement, css, html } from 'lit';
import { live } from 'lit/directives/live.js';
import { isFolderSource } from '../../engine/models/folders.js';
import { entriesFromDrop, entriesFromFileList, type FolderEntry, openBundleFolder } from '../bundle-folders.js';
import { fieldStyles } from './styles.js';
import { formatMb } from '../../engine/bytes.js';

export class BundlePickerElement extends LitElement {
  static override properties = {
    value: { type: String },
    dragging: { state: true },
    progress: { state: true },
    problem: { state: true },
  };
  declare value: string;
  declare dragging: boolean;
  /** What the copy of an opened folder has done so far; '' when none is under way. */
  declare progress: string;
  declare problem: string;

  constructor() {
    super();
    this.value = '';
    this.dragging = false;
    this.progress = '';
    this.problem = '';
  }

  static override styles = [
    fieldStyles,
    css`
      :host {
        display: block;
      }
      .zone {
        display: flex;
        flex-direction: column;
        gap: 4px;
        border: 1px dashed transparent;
        border-radius: 6px;
      }
      .zone.dragging {
        border-color: var(--cp-accent, #6ea8fe);
        background: #243042;
      }
      .row {
        display: flex;
        gap: 4px;
        align-items: center;
      }
      .row input[type='text'] {
        flex: 1;
        min-width: 0;
      }
      .hint {
        font-size: 10px;
        color: var(--cp-muted, #9aa0ab);
      }
      .problem {
        font-size: 10px;
        color: var(--cp-error, #ff6b6b);
        white-space: pre-wrap;
      }
      input[type='file'] {
        display: none;
      }
    `,
  ];

  /** `continuing`: one keystroke of typing (consecutive ones are one undo step). */
  private commit(value: string, continuing = false): void {
    this.problem = '';
    this.dispatchEvent(
      new CustomEvent('value-change', { detail: { value, continuing }, bubbles: true, composed: true }),
    );
  }

  /** Checks and keeps the folder; the param changes only once every file is copied. */
  private async open(entries: Promise<FolderEntry[]> | FolderEntry[]): Promise<void> {
    this.problem = '';
    this.progress = 'Reading the folder…';
    try {
      const { name, source } = await openBundleFolder(await entries, (written, total) => {
        this.progress = `Copying into the browser: ${formatMb(written)} of ${formatMb(total)}`;
      });
      this.progress = '';
      this.commit(source);
      this.dispatchEvent(new CustomEvent('bundle-kept', { detail: { name, source }, bubbles: true, composed: true }));
    } catch (e) {
      this.progress = '';
      this.problem = (e as Error).message;
    }
  }

  /**
   * Opens the folder a drop holds (here or anywhere on the node's card); false, and the event left
   * alone, for anything else (a graph file, an image), which the canvas handles.
   */
  takeDrop(event: DragEvent): boolean {
    const data = event.dataTransfer;
    const entries = data ? entriesFromDrop(data) : undefined;
    this.dragging = false;
    if (!entries) return false;
    event.preventDefault();
    event.stopPropagation();
    void this.open(entries);
    return true;
  }

  private onDrop(event: DragEvent): void {
    this.takeDrop(event);
  }

  private onDragOver(event: DragEvent): void {
    if (!event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    event.stopPropagation();
    this.dragging = true;
  }

  override render() {
    const kept = isFolderSource(this.value);
    return html`<div
      class="zone ${this.dragging ? 'dragging' : ''}"
      @dragover=${this.onDragOver}
      @dragleave=${() => (this.dragging = false)}
      @drop=${this.onDrop}
    >
      <div class="row">
        <input
          type="text"
          aria-label="bundle manifest"
          placeholder="models/…/manifest.json or https://…"
          .value=${live(this.value)}
          @input=${(e: Event) => this.commit((e.target as HTMLInputElement).value, true)}
        />
      </div>
      <div class="row">
        <button
          type="button"
          data-action="open-folder"
          title="Open a bundle folder (manifest.json and its model files); it is copied into this browser and kept"
          ?disabled=${this.progress !== ''}
          @click=${() => this.renderRoot.querySelector<HTMLInputElement>('input[type=file]')?.click()}
        >
          Open folder…
        </button>
        <input
          type="file"
          webkitdirectory
          data-testid="bundle-folder"
          @change=${(e: Event) => {
            const input = e.target as HTMLInputElement;
            const entries = entriesFromFileList(input.files ?? []);
            input.value = '';
            if (entries.length > 0) void this.open(entries);
          }}
        />
        <span class="hint">${kept ? 'kept in this browser' : 'or drop a folder here'}</span>
      </div>
      ${this.progress ? html`<div class="hint" data-testid="bundle-progress">${this.progress}</div>` : null}
      ${this.problem ? html`<div class="problem" data-testid="bundle-problem">${this.problem}</div>` : null}
    </div>`;
  }
}

if (!customElements.get('clip-pae-bundle-picker')) customElements.define('clip-pae-bundle-picker', BundlePickerElement);
