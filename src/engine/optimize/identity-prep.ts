// The identity network's view of the generated image, as ONNX ops: the face's box (the manifest's
// identity.crop, FFHQ-aligned by default), resized to the net's input size and mapped to its input
// range. face-api's recognition net takes a 150 px face in [0, 1] and subtracts its mean itself.
import type { GraphBuilder } from '../onnx/builder.js';
import { FFHQ_IDENTITY_CROP, type Manifest } from '../models/manifest.js';
import { channelAffineOp, resizeOp } from './prep.js';

/** The identity crop in whole generator pixels: a square, or an error naming identity.crop. */
export function identityCropPixels(m: Manifest): { left: number; top: number; side: number } {
  const [height, width] = m.generator.imageSize;
  const [x, y, w, h] = m.identity?.crop ?? FFHQ_IDENTITY_CROP;
  const left = Math.round(x * width);
  const top = Math.round(y * height);
  const side = Math.round(w * width);
  const tall = Math.round(h * height);
  if (side !== tall || side < 1 || left + side > width || top + tall > height)
    throw new Error(
      `bundle "${m.name}": identity.crop [${[x, y, w, h].join(', ')}] is ${side}×${tall} pixels at (${left}, ${top}) of the ${width}×${height} image; it must be a square inside the image`,
    );
  return { left, top, side };
}

/** Crop → resize to `size` → the net's input range (default [−1, 1], as ArcFace), from the generator's raw image. */
export function identityPixelsOp(g: GraphBuilder, image: string, m: Manifest, size: number): string {
  const [height, width] = m.generator.imageSize;
  const { left, top, side } = identityCropPixels(m);
  const whole = left === 0 && top === 0 && side === width && side === height;
  const square = whole
    ? image
    : g.op('Slice', [image, g.ints([top, left]), g.ints([top + side, left + side]), g.ints([2, 3]), g.ints([1, 1])]);
  const [lo, hi] = m.identity?.inputRange ?? [-1, 1];
  const [glo, ghi] = m.generator.outputRange;
  const scale = (hi - lo) / (ghi - glo);
  return channelAffineOp(
    g,
    resizeOp(g, square, 3, side, size),
    [scale, scale, scale],
    [0, 1, 2].map(() => lo - glo * scale),
  );
}
