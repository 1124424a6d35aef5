// Images side by side on a light gap, each scaled to one common height (aspect kept): the picture
// that Compare and Alpha Sweep output.
import type { ImageValue } from '../../engine/graph/definition.js';
import { createImage, resizeBilinear } from '../../engine/tensor/image.js';

export function sideBySide(
  images: readonly ImageValue[],
  options: { gap?: number; maxHeight?: number } = {},
): ImageValue {
  if (images.length === 0) throw new Error('nothing to put side by side');
  const gap = options.gap ?? 4;
  const height = Math.min(options.maxHeight ?? 512, Math.max(...images.map((i) => i.height)));
  const scaled = images.map((i) =>
    i.height === height ? i : resizeBilinear(i, Math.max(1, Math.round((i.width * height) / i.height)), height),
  );
  const width = scaled.reduce((w, i) => w + i.width, 0) + gap * (scaled.length - 1);
  const out = createImage(width, height, new Float32Array(width * height * 3).fill(1));
  let x0 = 0;
  for (const img of scaled) {
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < height; y++) {
        const from = c * img.width * img.height + y * img.width;
        out.data.set(img.data.subarray(from, from + img.width), c * width * height + y * width + x0);
      }
    }
    x0 += img.width + gap;
  }
  return out;
}
