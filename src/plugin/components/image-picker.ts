// The control for an 'image' param: a file picker, a drop zone and a URL field. A picked or
// dropped file is stored as a data: URL, so the graph document carries the image itself.
import { LitElement, css, html } from 'lit';
import { live } from 'lit/directives/live.js';
import { defaultAppBase } from '../../engine/run/services-browser.js';
import { fieldStyles } from './styles.js';

/** Where the engine will read `value` from: relative paths resolve against the app, not the page. */
export function imageUrlForDisplay(value: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) return value;
  try {
    return new URL(value, defaultAppBase()).href;
  } catch {
    return value;
  }
}

export function readFileAsDataUrl(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
    reader.readAsDataURL(file);
  });
}

function formatKb(bytes: number): string {
  const kb = bytes / 1024;
  return kb < 10 ? `${kb.toFixed(1)} KB` : `${Math.round(kb)} KB`;
}

export class ImagePickerElement extends LitElement {
  static override properties = {
    value: { type: String },
    dragging: { state: true },
    problem: { state: true },
  };
  declare value: string;
  declare dragging: boolean;
  declare problem: string;

  constructor() {
    super();
    this.value = '';
    this.dragging = false;
    this.problem = '';
  }

  static override styles = [
    fieldStyles,
    css`
      :host {
        display: block;
      }
      .zone {
        border: 1px dashed var(--cp-field-border, #434855);
        border-radius: 6px;
        padding: 6px;
        display: flex;
        flex-direction: column;
        gap: 5px;
        background: var(--cp-field, #1b1d22);
      }
      .zone.dragging {
        border-color: var(--cp-accent, #6ea8fe);
        background: #243042;
      }
      .thumb {
        position: relative;
      }
      .thumb img {
        display: block;
        max-width: 100%;
        max-height: 120px;
        margin: 0 auto;
        border-radius: 4px;
      }
      .row {
        display: flex;
        gap: 4px;
        align-items: center;
      }
      .row input[type='url'] {
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
      }
      input[type='file'] {
        display: none;
      }
    `,
  ];

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('value')) this.problem = '';
  }

  private commit(value: string): void {
    this.problem = '';
    this.dispatchEvent(new CustomEvent('value-change', { detail: { value }, bubbles: true, composed: true }));
  }

  private async takeFile(file: File | undefined): Promise<void> {
    if (!file) return;
    if (file.type && !file.type.startsWith('image/')) {
      this.problem = `${file.name} is not an image (${file.type})`;
      return;
    }
    try {
      this.commit(await readFileAsDataUrl(file));
    } catch (e) {
      this.problem = `could not read ${file.name}: ${(e as Error).message}`;
    }
  }

  private onDrop(event: DragEvent): void {
    // The canvas opens dropped graphs; an image dropped here is this node's, not a graph to open.
    event.preventDefault();
    event.stopPropagation();
    this.dragging = false;
    const data = event.dataTransfer;
    if (!data) return;
    if (data.files.length > 0) {
      void this.takeFile(data.files[0]);
      return;
    }
    const url = (data.getData('text/uri-list') || data.getData('text/plain')).split('\n')[0]?.trim();
    if (url) this.commit(url);
  }

  private onDragOver(event: DragEvent): void {
    if (!event.dataTransfer?.types.some((t) => t === 'Files' || t === 'text/uri-list' || t === 'text/plain')) return;
    event.preventDefault();
    event.stopPropagation();
    this.dragging = true;
  }

  override render() {
    const value = this.value;
    const embedded = value.startsWith('data:');
    return html`
      <div
        class="zone ${this.dragging ? 'dragging' : ''}"
        @dragover=${this.onDragOver}
        @dragleave=${() => (this.dragging = false)}
        @drop=${this.onDrop}
      >
        ${
          value
            ? html`<div class="thumb"><img src=${imageUrlForDisplay(value)} alt="selected image" @error=${() => (this.problem = 'the image could not be loaded')} /></div>`
            : html`<div class="hint">Drop an image here, choose a file, or paste a URL.</div>`
        }
        <div class="row">
          <button type="button" @click=${() => this.renderRoot.querySelector<HTMLInputElement>('input[type=file]')?.click()}>
            Choose file…
          </button>
          ${value ? html`<button type="button" title="Remove the image" @click=${() => this.commit('')}>Clear</button>` : null}
          <input
            type="file"
            accept="image/*"
            data-testid="image-file"
            @change=${(e: Event) => {
              const input = e.target as HTMLInputElement;
              void this.takeFile(input.files?.[0]);
              input.value = '';
            }}
          />
        </div>
        <div class="row">
          <input
            type="url"
            placeholder=${embedded ? `embedded image (${formatKb((value.length * 3) / 4)})` : 'https://… or a path in public/'}
            .value=${live(embedded ? '' : value)}
            @change=${(e: Event) => this.commit((e.target as HTMLInputElement).value.trim())}
          />
        </div>
        ${this.problem ? html`<div class="problem">${this.problem}</div>` : null}
      </div>
    `;
  }
}

if (!customElements.get('clip-pae-image-picker')) customElements.define('clip-pae-image-picker', ImagePickerElement);
