// Draws an ImageValue (planar float RGB in [0, 1]) on a canvas, with the regions a node marked as
// clickable (ImageRegion) laid over it as buttons.
import { LitElement, css, html } from 'lit';
import type { ImageRegion, ImageValue } from '../../engine/graph/definition.js';

/** Fired (bubbling, composed) when the user clicks a region: the params the region sets. */
export const REGION_PICK_EVENT = 'region-pick';
export interface RegionPickDetail {
  params: Record<string, unknown>;
}

export function imageToImageData(image: ImageValue): ImageData {
  const { width, height, data } = image;
  const plane = width * height;
  if (data.length !== plane * 3) {
    throw new Error(`image data has ${data.length} values, expected ${plane * 3} for ${width}×${height} RGB`);
  }
  const rgba = new Uint8ClampedArray(plane * 4);
  for (let i = 0; i < plane; i++) {
    rgba[i * 4] = data[i]! * 255 + 0.5;
    rgba[i * 4 + 1] = data[plane + i]! * 255 + 0.5;
    rgba[i * 4 + 2] = data[2 * plane + i]! * 255 + 0.5;
    rgba[i * 4 + 3] = 255;
  }
  return new ImageData(rgba, width, height);
}

/** Fired (bubbling out of shadow roots) when an image is clicked, for a host to open it full size. */
export const IMAGE_OPEN_EVENT = 'clip-pae-image-open';
export interface ImageOpenDetail {
  image: ImageValue;
  /** The output (or shown key) the image stands for, from the element's data-output. */
  output: string | undefined;
}

export class ImageViewElement extends LitElement {
  static override properties = {
    image: { attribute: false },
    caption: { type: String },
    compact: { type: Boolean, reflect: true },
    regions: { attribute: false },
  };
  declare image: ImageValue | undefined;
  declare regions: ImageRegion[] | undefined;
  declare caption: string | undefined;
  /** A thumbnail (an output's summary) rather than the node's main picture. */
  declare compact: boolean;
  private drawn: ImageValue | undefined;

  static override styles = css`
    :host {
      display: block;
    }
    /* Hugs the canvas as drawn, so regions in fractions of the image land on their pixels. */
    .frame {
      position: relative;
      width: fit-content;
      max-width: 100%;
      margin: 0 auto;
    }
    :host([compact]) .frame {
      margin: 0;
    }
    .region {
      position: absolute;
      box-sizing: border-box;
      padding: 0;
      border: 1px solid transparent;
      border-radius: 2px;
      background: transparent;
      cursor: pointer;
    }
    .region:hover,
    .region:focus-visible {
      border-color: var(--cp-accent, #6ea8ff);
      background: rgba(110, 168, 255, 0.18);
      outline: none;
    }
    canvas {
      display: block;
      cursor: zoom-in;
      max-width: 100%;
      max-height: 180px;
      margin: 0 auto;
      border-radius: 4px;
      background: #000;
    }
    :host([compact]) canvas {
      max-height: 72px;
      margin: 0;
    }
    .caption {
      font-size: 10px;
      color: var(--cp-muted, #9aa0ab);
      margin-top: 2px;
    }
  `;

  override render() {
    const image = this.image;
    const regions = image ? (this.regions ?? []) : [];
    return html`<div class="frame">
        <canvas part="canvas" data-testid="image-view" @pointerdown=${this.pressed}></canvas>
        ${regions.map(
          (r, i) =>
            html`<button
              class="region"
              data-testid="region"
              data-region=${i}
              title=${r.label}
              aria-label=${r.label}
              style=${`left:${r.box[0] * 100}%;top:${r.box[1] * 100}%;width:${r.box[2] * 100}%;height:${r.box[3] * 100}%`}
              @pointerdown=${(e: Event) => e.stopPropagation()}
              @click=${(e: Event) => this.pick(e, r)}
            ></button>`,
        )}
      </div>
      ${image && this.caption ? html`<div class="caption">${this.caption}</div>` : null}`;
  }

  private pick(event: Event, region: ImageRegion): void {
    event.stopPropagation();
    const detail: RegionPickDetail = { params: region.params };
    this.dispatchEvent(new CustomEvent(REGION_PICK_EVENT, { detail, bubbles: true, composed: true }));
  }

  // A press that ends where it began opens the image. Not 'click': the area captures the pointer
  // to drag the node, so the click lands on the node's view instead of this canvas.
  private readonly pressed = (down: PointerEvent) => {
    if (down.button !== 0) return;
    window.addEventListener(
      'pointerup',
      (up) => {
        if (Math.hypot(up.clientX - down.clientX, up.clientY - down.clientY) < 4) this.open();
      },
      { once: true },
    );
  };

  private readonly open = () => {
    if (!this.image) return;
    const owner = this.closest<HTMLElement>('[data-output]');
    const detail: ImageOpenDetail = { image: this.image, output: owner?.dataset.output };
    this.dispatchEvent(new CustomEvent(IMAGE_OPEN_EVENT, { detail, bubbles: true, composed: true }));
  };

  override updated(): void {
    const image = this.image;
    if (!image || image === this.drawn) return;
    const canvas = this.renderRoot.querySelector('canvas');
    if (!canvas) return;
    canvas.width = image.width;
    canvas.height = image.height;
    canvas.getContext('2d')?.putImageData(imageToImageData(image), 0, 0);
    this.drawn = image;
  }
}

if (!customElements.get('clip-pae-image')) customElements.define('clip-pae-image', ImageViewElement);
