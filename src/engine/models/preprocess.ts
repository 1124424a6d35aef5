// Getting an image into a model's input: centre square crop, resize, per-channel normalization.
// Downscaling averages the covered source area; for a ratio k/u this is exactly StyleCLIP's
// "upsample ×u (nearest) then average-pool by k", so an embedding computed here matches the one the
// optimization graph computes for the same image.
import type { ImageValue } from '../graph/definition.js';

/** For each output index, the source indices and their weights along one axis. */
function axisWeights(inSize: number, outSize: number): { index: Int32Array; weight: Float32Array; start: Int32Array } {
  const entries: [number, number][][] = [];
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const taps: [number, number][] = [];
    if (scale >= 1) {
      const lo = o * scale;
      const hi = (o + 1) * scale;
      for (let i = Math.floor(lo); i < Math.min(inSize, Math.ceil(hi)); i++) {
        const w = Math.min(hi, i + 1) - Math.max(lo, i);
        if (w > 1e-9) taps.push([i, w / scale]);
      }
    } else {
      // Bilinear with pixel centres at half-integers (align_corners = false), clamped at the edges.
      const x = Math.min(Math.max((o + 0.5) * scale - 0.5, 0), inSize - 1);
      const i0 = Math.floor(x);
      const i1 = Math.min(i0 + 1, inSize - 1);
      const f = x - i0;
      taps.push([i0, 1 - f]);
      if (f > 0) taps.push([i1, f]);
    }
    entries.push(taps);
  }
  const start = new Int32Array(outSize + 1);
  for (const [o, t] of entries.entries()) start[o + 1] = start[o]! + t.length;
  const index = new Int32Array(start[outSize]!);
  const weight = new Float32Array(start[outSize]!);
  entries.flat().forEach(([i, w], k) => {
    index[k] = i;
    weight[k] = w;
  });
  return { index, weight, start };
}

/** Resizes a planar image (any channel count) to width × height. */
export function resizeImage(image: ImageValue, width: number, height: number): ImageValue {
  checkImage(image);
  if (image.width === width && image.height === height)
    return { kind: 'image', width, height, data: image.data.slice() };
  const channels = image.data.length / (image.width * image.height);
  const xs = axisWeights(image.width, width);
  const ys = axisWeights(image.height, height);
  const rows = new Float32Array(channels * image.height * width);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < image.height; y++) {
      const src = (c * image.height + y) * image.width;
      const dst = (c * image.height + y) * width;
      for (let x = 0; x < width; x++) {
        let s = 0;
        for (let k = xs.start[x]!; k < xs.start[x + 1]!; k++) s += xs.weight[k]! * image.data[src + xs.index[k]!]!;
        rows[dst + x] = s;
      }
    }
  }
  const out = new Float32Array(channels * height * width);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < height; y++) {
      const dst = (c * height + y) * width;
      for (let k = ys.start[y]!; k < ys.start[y + 1]!; k++) {
        const src = (c * image.height + ys.index[k]!) * width;
        const w = ys.weight[k]!;
        for (let x = 0; x < width; x++) out[dst + x]! += w * rows[src + x]!;
      }
    }
  }
  return { kind: 'image', width, height, data: out };
}

/** The centred square of side min(width, height). */
export function centreSquare(image: ImageValue): ImageValue {
  checkImage(image);
  const side = Math.min(image.width, image.height);
  if (image.width === side && image.height === side) return image;
  const channels = image.data.length / (image.width * image.height);
  const x0 = Math.floor((image.width - side) / 2);
  const y0 = Math.floor((image.height - side) / 2);
  const out = new Float32Array(channels * side * side);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < side; y++) {
      const src = (c * image.height + y0 + y) * image.width + x0;
      out.set(image.data.subarray(src, src + side), (c * side + y) * side);
    }
  }
  return { kind: 'image', width: side, height: side, data: out };
}

/** A [1, 3, size, size] model input: centre square, resized, then mapped per channel. */
export function imageToInput(
  image: ImageValue,
  size: number,
  map: (value: number, channel: number) => number,
): Float32Array {
  const square = resizeImage(centreSquare(image), size, size);
  const plane = size * size;
  if (square.data.length !== 3 * plane)
    throw new Error(`expected an RGB image (3 channels), got ${square.data.length / plane} channels`);
  const out = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) for (let i = 0; i < plane; i++) out[c * plane + i] = map(square.data[c * plane + i]!, c);
  return out;
}

function checkImage(image: ImageValue): void {
  const { width, height, data } = image;
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) {
    throw new Error(`an image needs a positive whole width and height, got ${width}×${height}`);
  }
  if (data.length === 0 || data.length % (width * height) !== 0) {
    throw new Error(
      `a ${width}×${height} image needs a whole number of planes of ${width * height} values, got ${data.length} values`,
    );
  }
}
