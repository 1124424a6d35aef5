// Helpers on ImageValue (planar RGB floats in [0, 1]): conversion from and to 8-bit RGBA pixels,
// resizing, cropping and previews. Decoding files lives in image-file.ts, PNG in png.ts.
import type { ImageValue } from '../graph/definition.js';

export function isImageValue(value: unknown): value is ImageValue {
  const v = value as ImageValue;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.kind === 'image' &&
    v.data instanceof Float32Array &&
    Number.isInteger(v.width) &&
    Number.isInteger(v.height) &&
    v.data.length === v.width * v.height * 3
  );
}

export function createImage(width: number, height: number, data?: Float32Array): ImageValue {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`an image needs a whole positive size, got ${width}×${height}`);
  }
  const size = width * height * 3;
  if (data && data.length !== size)
    throw new Error(`a ${width}×${height} RGB image has ${size} values, got ${data.length}`);
  return { kind: 'image', width, height, data: data ?? new Float32Array(size) };
}

/**
 * Reads interleaved pixels (1 = gray, 2 = gray + alpha, 3 = RGB, 4 = RGBA) with values up to
 * `maxValue`. Transparent pixels are composited over `background` (white by default): a cut-out
 * face then sits on a plain light backdrop instead of whatever colour hid under the alpha.
 */
export function imageFromPixels(
  pixels: ArrayLike<number>,
  width: number,
  height: number,
  channels: 1 | 2 | 3 | 4,
  options: { maxValue?: number; background?: [number, number, number] } = {},
): ImageValue {
  const max = options.maxValue ?? 255;
  const [br, bg, bb] = options.background ?? [1, 1, 1];
  const image = createImage(width, height);
  const plane = width * height;
  if (pixels.length < plane * channels) {
    throw new Error(
      `expected ${plane * channels} values for ${width}×${height} pixels with ${channels} channels, got ${pixels.length}`,
    );
  }
  const d = image.data;
  const hasAlpha = channels === 2 || channels === 4;
  const colour = channels >= 3;
  for (let i = 0; i < plane; i++) {
    const o = i * channels;
    let r = pixels[o]! / max;
    let g = colour ? pixels[o + 1]! / max : r;
    let b = colour ? pixels[o + 2]! / max : r;
    if (hasAlpha) {
      const a = pixels[o + channels - 1]! / max;
      r = r * a + br * (1 - a);
      g = g * a + bg * (1 - a);
      b = b * a + bb * (1 - a);
    }
    d[i] = r;
    d[plane + i] = g;
    d[2 * plane + i] = b;
  }
  return image;
}

export function imageFromRgba(rgba: ArrayLike<number>, width: number, height: number): ImageValue {
  return imageFromPixels(rgba, width, height, 4);
}

/** Opaque 8-bit RGBA pixels, e.g. for a canvas ImageData; values are clamped and rounded. */
export function imageToRgba(image: ImageValue): Uint8ClampedArray {
  const plane = image.width * image.height;
  const out = new Uint8ClampedArray(plane * 4);
  const d = image.data;
  for (let i = 0; i < plane; i++) {
    // Uint8ClampedArray rounds and clamps on assignment.
    out[i * 4] = d[i]! * 255;
    out[i * 4 + 1] = d[plane + i]! * 255;
    out[i * 4 + 2] = d[2 * plane + i]! * 255;
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** 8-bit interleaved RGB, clamped and rounded (what PNG encoding wants). */
export function imageToRgb(image: ImageValue): Uint8Array {
  const plane = image.width * image.height;
  const out = new Uint8Array(plane * 3);
  const d = image.data;
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      const v = d[c * plane + i]!;
      out[i * 3 + c] = v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255);
    }
  }
  return out;
}

/**
 * Bilinear resize with half-pixel centres (as PyTorch's align_corners=False). When shrinking,
 * the triangle filter widens with the scale (as Pillow's BILINEAR does), so every source pixel
 * contributes and a downscaled face does not alias; `antialias: false` gives the plain 2×2 tap.
 */
export function resizeBilinear(
  image: ImageValue,
  width: number,
  height: number,
  options: { antialias?: boolean } = {},
): ImageValue {
  const antialias = options.antialias ?? true;
  if (width === image.width && height === image.height) return createImage(width, height, image.data.slice());
  const out = createImage(width, height);
  const xs = filterTaps(image.width, width, antialias);
  const ys = filterTaps(image.height, height, antialias);
  const tmp = new Float32Array(image.height * width);
  for (let c = 0; c < 3; c++) {
    const src = image.data.subarray(c * image.width * image.height, (c + 1) * image.width * image.height);
    for (let y = 0; y < image.height; y++) {
      const row = y * image.width;
      for (let x = 0; x < width; x++) {
        const t = xs[x]!;
        let s = 0;
        for (let k = 0; k < t.weights.length; k++) s += src[row + t.start + k]! * t.weights[k]!;
        tmp[y * width + x] = s;
      }
    }
    const dst = out.data.subarray(c * width * height, (c + 1) * width * height);
    for (let y = 0; y < height; y++) {
      const t = ys[y]!;
      for (let x = 0; x < width; x++) {
        let s = 0;
        for (let k = 0; k < t.weights.length; k++) s += tmp[(t.start + k) * width + x]! * t.weights[k]!;
        dst[y * width + x] = s;
      }
    }
  }
  return out;
}

interface Taps {
  start: number;
  weights: Float32Array;
}

function filterTaps(inSize: number, outSize: number, antialias: boolean): Taps[] {
  const scale = inSize / outSize;
  const support = antialias && scale > 1 ? scale : 1;
  const taps: Taps[] = [];
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale - 0.5;
    const lo = Math.max(0, Math.ceil(centre - support));
    const hi = Math.min(inSize - 1, Math.floor(centre + support));
    let weights: number[] = [];
    for (let i = lo; i <= hi; i++) weights.push(Math.max(0, 1 - Math.abs(i - centre) / support));
    let start = lo;
    let total = weights.reduce((a, b) => a + b, 0);
    if (total === 0) {
      // Upscaling past the edge: the nearest edge pixel carries the whole weight (clamped border).
      start = Math.min(inSize - 1, Math.max(0, Math.round(centre)));
      weights = [1];
      total = 1;
    }
    taps.push({ start, weights: Float32Array.from(weights, (w) => w / total) });
  }
  return taps;
}

/** The `width`×`height` window at (x, y); it must lie inside the image. */
export function cropImage(image: ImageValue, x: number, y: number, width: number, height: number): ImageValue {
  if (x < 0 || y < 0 || x + width > image.width || y + height > image.height || width < 1 || height < 1) {
    throw new Error(`crop ${width}×${height} at (${x}, ${y}) does not fit in a ${image.width}×${image.height} image`);
  }
  const out = createImage(width, height);
  const inPlane = image.width * image.height;
  for (let c = 0; c < 3; c++) {
    for (let r = 0; r < height; r++) {
      const from = c * inPlane + (y + r) * image.width + x;
      out.data.set(image.data.subarray(from, from + width), c * width * height + r * width);
    }
  }
  return out;
}

/** The central `width`×`height` window (no scaling); it must fit in the image. */
export function centerCrop(image: ImageValue, width: number, height: number): ImageValue {
  return cropImage(
    image,
    Math.floor((image.width - width) / 2),
    Math.floor((image.height - height) / 2),
    width,
    height,
  );
}

/**
 * Scales the image to cover `width`×`height` and cuts away what sticks out, keeping the centre:
 * the aspect ratio is kept, nothing is stretched (the "resize shorter side, then centre-crop"
 * step of CLIP-style preprocessing).
 */
export function resizeCover(image: ImageValue, width: number, height: number): ImageValue {
  const target = width / height;
  let cropW = image.width;
  let cropH = image.height;
  if (image.width / image.height > target)
    cropW = Math.max(1, Math.min(image.width, Math.round(image.height * target)));
  else cropH = Math.max(1, Math.min(image.height, Math.round(image.width / target)));
  return resizeBilinear(centerCrop(image, cropW, cropH), width, height);
}

/** A copy no larger than `maxSide` on its longer side, for previews on nodes (always a copy). */
export function downscaleForPreview(image: ImageValue, maxSide = 256): ImageValue {
  const scale = Math.min(1, maxSide / Math.max(image.width, image.height));
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  return resizeBilinear(image, width, height);
}
