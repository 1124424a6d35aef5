// Getting a photo or a face crop into a face network: integer crop, zero padding to a square, and
// TensorFlow's bilinear resize (align_corners = false, half_pixel_centers = false). The face networks
// were trained and are scored on exactly this preparation (face-api's), which is not the
// area-averaging resize of src/engine/models/preprocess.ts, so it lives here.
import type { ImageValue } from '../graph/definition.js';

/** A box in whole pixels. */
export interface PixelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function checkImage(image: ImageValue, what = 'image'): void {
  if (
    image?.kind !== 'image' ||
    !(image.data instanceof Float32Array) ||
    !(image.width > 0) ||
    !(image.height > 0) ||
    image.data.length !== 3 * image.width * image.height
  ) {
    const dims =
      image && typeof image === 'object'
        ? `${image.width}×${image.height}, ${image.data?.length} values`
        : typeof image;
    throw new Error(`${what} must be an RGB image (3 planes of width × height values in [0, 1]); got ${dims}`);
  }
}

/**
 * face-api's crop of a box: clipped to the image, then floored (x, y, width and height each), as
 * its `clipAtImageBorders` does. Returns undefined when nothing of the box is inside.
 */
export function clipBox(
  box: readonly [number, number, number, number],
  width: number,
  height: number,
): PixelBox | undefined {
  const [bx, by, bw, bh] = box;
  const x = Math.max(bx, 0);
  const y = Math.max(by, 0);
  const w = Math.min(bx + bw - x, width - x);
  const h = Math.min(by + bh - y, height - y);
  const out = { x: Math.floor(x), y: Math.floor(y), width: Math.floor(w), height: Math.floor(h) };
  return out.width > 0 && out.height > 0 ? out : undefined;
}

export function cropImage(image: ImageValue, box: PixelBox): ImageValue {
  const { x, y, width, height } = box;
  if (x < 0 || y < 0 || x + width > image.width || y + height > image.height)
    throw new Error(`crop ${width}×${height} at (${x}, ${y}) is outside the ${image.width}×${image.height} image`);
  const data = new Float32Array(3 * width * height);
  for (let c = 0; c < 3; c++)
    for (let r = 0; r < height; r++) {
      const src = (c * image.height + y + r) * image.width + x;
      data.set(image.data.subarray(src, src + width), (c * height + r) * width);
    }
  return { kind: 'image', width, height, data };
}

/** Where the image sits in its zero-padded square: face-api pads after (detector) or around (face nets). */
export function squarePadding(
  width: number,
  height: number,
  centred: boolean,
): { side: number; left: number; top: number } {
  const side = Math.max(width, height);
  const diff = side - Math.min(width, height);
  // Centred: face-api appends round(diff / 2) and prepends the rest.
  const before = centred ? diff - Math.round(diff / 2) : 0;
  return { side, left: width < height ? before : 0, top: height < width ? before : 0 };
}

/**
 * The image padded with zeros to a square and resized to size × size, planar RGB [3, size, size].
 * The padding is virtual (pixels outside the image read as 0), so a large photo is never copied.
 */
export function squareInput(image: ImageValue, size: number, centred: boolean): Float32Array {
  checkImage(image);
  const { side, left, top } = squarePadding(image.width, image.height, centred);
  const out = new Float32Array(3 * size * size);
  const ratio = side / size;
  const taps = (n: number) => {
    const lo = new Int32Array(n);
    const hi = new Int32Array(n);
    const frac = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const s = ratio * i;
      lo[i] = Math.max(0, Math.floor(s));
      hi[i] = Math.min(side - 1, Math.ceil(s));
      frac[i] = s - lo[i]!;
    }
    return { lo, hi, frac };
  };
  const t = taps(size);
  const { width, height, data } = image;
  const at = (plane: number, row: number, col: number) => {
    const r = row - top;
    const c = col - left;
    return r < 0 || c < 0 || r >= height || c >= width ? 0 : data[plane + r * width + c]!;
  };
  for (let ch = 0; ch < 3; ch++) {
    const plane = ch * width * height;
    for (let y = 0; y < size; y++) {
      const r0 = t.lo[y]!;
      const r1 = t.hi[y]!;
      const fy = t.frac[y]!;
      for (let x = 0; x < size; x++) {
        const c0 = t.lo[x]!;
        const c1 = t.hi[x]!;
        const fx = t.frac[x]!;
        const tl = at(plane, r0, c0);
        const tr = at(plane, r0, c1);
        const bl = at(plane, r1, c0);
        const br = at(plane, r1, c1);
        const topRow = tl + (tr - tl) * fx;
        const bottomRow = bl + (br - bl) * fx;
        out[(ch * size + y) * size + x] = topRow + (bottomRow - topRow) * fy;
      }
    }
  }
  return out;
}
