// <clip-pae-viewer>: an image at full size over the page — zoom (wheel or buttons), pan (drag),
// a before/after slider when it is given two images (Compare), and Download as PNG. Escape or the
// close button closes it ('viewer-close').
import { LitElement, css, html } from 'lit';
import type { ImageValue } from '../engine/graph/definition.js';
import { imageToImageData } from '../plugin/components/image-view.js';

const MIN_ZOOM = 0.05;
const MAX_ZOOM = 32;
const ZOOM_STEP = 1.25;

export interface ViewerContent {
  /** What is shown (and downloaded); for a comparison, the side-by-side picture. */
  image: ImageValue;
  /** Both present: the slider view over before (left of the handle) and after. */
  before?: ImageValue;
  after?: ImageValue;
  title: string;
  /** File name for Download, without extension. */
  fileName: string;
  /** Set when the worker no longer had the full-size result and a smaller copy is shown. */
  note?: string;
}

function drawOn(canvas: HTMLCanvasElement, image: ImageValue): void {
  canvas.width = image.width;
  canvas.height = image.height;
  canvas.getContext('2d')?.putImageData(imageToImageData(image), 0, 0);
}

export class ImageViewerElement extends LitElement {
  static override properties = {
    content: { attribute: false },
    zoom: { state: true },
    panX: { state: true },
    panY: { state: true },
    split: { state: true },
    slider: { state: true },
  };
  declare content: ViewerContent | undefined;
  declare zoom: number;
  declare panX: number;
  declare panY: number;
  /** Where the before/after handle sits, as a share of the width. */
  declare split: number;
  /** Slider view (true) or the whole picture (false), when there is a before and after. */
  declare slider: boolean;
  private drawn: ViewerContent | undefined;
  private drag: { x: number; y: number; panX: number; panY: number } | undefined;

  constructor() {
    super();
    this.zoom = 1;
    this.panX = 0;
    this.panY = 0;
    this.split = 0.5;
    this.slider = true;
  }

  static override styles = css`
    :host {
      position: fixed;
      inset: 0;
      z-index: 1000;
      display: flex;
      flex-direction: column;
      background: rgba(8, 9, 11, 0.92);
      color: #e4e6eb;
      font: 13px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    }
    .bar {
      display: flex;
      align-items: center;
      gap: 6px;
      padding: 8px 12px;
      background: #17191d;
      border-bottom: 1px solid #2c2f36;
    }
    .title {
      flex: 1;
      min-width: 0;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .note {
      color: #e0b25c;
      font-size: 12px;
    }
    button {
      font: inherit;
      color: inherit;
      background: #24272e;
      border: 1px solid #363a43;
      border-radius: 6px;
      padding: 3px 10px;
      cursor: pointer;
    }
    button:hover {
      border-color: #6ea8fe;
    }
    .stage {
      flex: 1;
      position: relative;
      overflow: hidden;
      cursor: grab;
      touch-action: none;
    }
    .stage.dragging {
      cursor: grabbing;
    }
    .frame {
      position: absolute;
      left: 50%;
      top: 50%;
      transform-origin: 0 0;
    }
    canvas {
      display: block;
      image-rendering: pixelated;
    }
    .after {
      position: absolute;
      inset: 0;
    }
    .handle {
      position: absolute;
      top: 0;
      bottom: 0;
      width: 2px;
      background: #6ea8fe;
      pointer-events: none;
    }
    .tag {
      position: absolute;
      top: 4px;
      font-size: 10px;
      padding: 1px 5px;
      border-radius: 3px;
      background: rgba(0, 0, 0, 0.6);
      pointer-events: none;
      transform-origin: 0 0;
    }
    input[type='range'] {
      width: 160px;
      accent-color: #6ea8fe;
    }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.onKey);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('keydown', this.onKey);
    super.disconnectedCallback();
  }

  private readonly onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      this.close();
    } else if (e.key === '+' || e.key === '=') this.zoomBy(ZOOM_STEP);
    else if (e.key === '-') this.zoomBy(1 / ZOOM_STEP);
  };

  private get comparing(): boolean {
    return Boolean(this.content?.before && this.content.after && this.slider);
  }

  /** The picture the stage shows: the after image under the slider, else the whole one. */
  private get shown(): ImageValue | undefined {
    return this.comparing ? this.content!.after : this.content?.image;
  }

  close(): void {
    this.dispatchEvent(new CustomEvent('viewer-close', { bubbles: true, composed: true }));
  }

  /** Scale that fits the picture in the stage (never above 1: small images open at 1:1). */
  fit(): void {
    const stage = this.renderRoot.querySelector<HTMLElement>('.stage');
    const image = this.shown;
    if (!stage || !image) return;
    const scale = Math.min(1, (stage.clientWidth - 20) / image.width, (stage.clientHeight - 20) / image.height);
    this.zoom = Math.max(MIN_ZOOM, scale);
    this.panX = 0;
    this.panY = 0;
  }

  zoomBy(factor: number): void {
    this.zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, this.zoom * factor));
  }

  /** Downloads the whole picture as PNG. */
  async download(): Promise<void> {
    const content = this.content;
    if (!content) return;
    const canvas = document.createElement('canvas');
    drawOn(canvas, content.image);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('the browser could not encode the image as PNG');
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `${content.fileName}.png`;
    this.renderRoot.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    this.zoomBy(e.deltaY < 0 ? ZOOM_STEP : 1 / ZOOM_STEP);
  }

  private onPointerDown(e: PointerEvent): void {
    this.drag = { x: e.clientX, y: e.clientY, panX: this.panX, panY: this.panY };
    (e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId);
    this.requestUpdate();
  }

  private onPointerMove(e: PointerEvent): void {
    if (!this.drag) return;
    this.panX = this.drag.panX + e.clientX - this.drag.x;
    this.panY = this.drag.panY + e.clientY - this.drag.y;
  }

  private onPointerUp(): void {
    this.drag = undefined;
    this.requestUpdate();
  }

  override render() {
    const content = this.content;
    const image = this.shown;
    if (!content || !image) return null;
    const transform = `translate(${this.panX}px, ${this.panY}px) scale(${this.zoom}) translate(${-image.width / 2}px, ${-image.height / 2}px)`;
    const hasPair = Boolean(content.before && content.after);
    return html`
      <div class="bar">
        <span class="title" data-testid="viewer-title">${content.title} · ${content.image.width} × ${content.image.height}</span>
        ${content.note ? html`<span class="note">${content.note}</span>` : null}
        ${
          hasPair
            ? html`<button data-action="mode" @click=${() => {
                this.slider = !this.slider;
                this.updateComplete.then(() => this.fit());
              }}>${this.slider ? 'Side by side' : 'Slider'}</button>`
            : null
        }
        ${
          this.comparing
            ? html`<input
                type="range"
                min="0"
                max="1"
                step="0.001"
                aria-label="Before / after"
                data-testid="viewer-split"
                .value=${String(this.split)}
                @input=${(e: Event) => (this.split = Number((e.target as HTMLInputElement).value))}
              />`
            : null
        }
        <button data-action="zoom-out" title="Zoom out (-)" @click=${() => this.zoomBy(1 / ZOOM_STEP)}>−</button>
        <span data-testid="viewer-zoom">${Math.round(this.zoom * 100)}%</span>
        <button data-action="zoom-in" title="Zoom in (+)" @click=${() => this.zoomBy(ZOOM_STEP)}>+</button>
        <button data-action="actual" title="Actual size" @click=${() => {
          this.zoom = 1;
          this.panX = 0;
          this.panY = 0;
        }}>1:1</button>
        <button data-action="fit" title="Fit to the window" @click=${() => this.fit()}>Fit</button>
        <button data-action="download" title="Download as PNG" @click=${() => void this.download()}>⬇ Download</button>
        <button data-action="close" title="Close (Esc)" @click=${() => this.close()}>✕</button>
      </div>
      <div
        class="stage ${this.drag ? 'dragging' : ''}"
        data-testid="viewer-stage"
        @wheel=${this.onWheel}
        @pointerdown=${this.onPointerDown}
        @pointermove=${this.onPointerMove}
        @pointerup=${this.onPointerUp}
        @pointercancel=${this.onPointerUp}
      >
        <div class="frame" style="transform:${transform}">
          ${
            this.comparing
              ? html`<canvas class="before" data-testid="viewer-before"></canvas>
                <canvas
                  class="after"
                  data-testid="viewer-after"
                  style="clip-path: inset(0 0 0 ${(this.split * 100).toFixed(2)}%)"
                ></canvas>
                <div class="handle" style="left:${(this.split * 100).toFixed(2)}%"></div>
                <span class="tag" style="left:4px">Before</span>
                <span class="tag" style="right:4px">After</span>`
              : html`<canvas class="whole" data-testid="viewer-image"></canvas>`
          }
        </div>
      </div>
    `;
  }

  override updated(changed: Map<string, unknown>): void {
    const content = this.content;
    if (!content) return;
    const whole = this.renderRoot.querySelector<HTMLCanvasElement>('canvas.whole');
    if (whole && whole.dataset.drawn !== 'image') {
      drawOn(whole, content.image);
      whole.dataset.drawn = 'image';
    }
    const before = this.renderRoot.querySelector<HTMLCanvasElement>('canvas.before');
    const after = this.renderRoot.querySelector<HTMLCanvasElement>('canvas.after');
    if (before && after && content.before && content.after && before.dataset.drawn !== 'yes') {
      // Both at the after image's size, so the slider lines them up even when the sizes differ.
      drawOn(after, content.after);
      drawOn(before, content.before);
      before.style.width = `${content.after.width}px`;
      before.style.height = `${content.after.height}px`;
      before.dataset.drawn = 'yes';
    }
    if (changed.has('content') && content !== this.drawn) {
      this.drawn = content;
      this.fit();
    }
  }
}

if (!customElements.get('clip-pae-viewer')) customElements.define('clip-pae-viewer', ImageViewerElement);
