// Sampling an image under an affine map, averaged over each output pixel's footprint. Aligning
// shrinks a face from a full-resolution photo (a 1920 px photo's face to 256 px) and pasting
// back may shrink a 1024 px generator output into a small face: a plain bilinear tap would
// alias there, so each output pixel averages a grid of bilinear taps at least as dense as the
// source pixels it covers (a box filter over the footprint). Borders mirror, as FFHQ's
// alignment pads its photos by reflection.
import type { ImageValue } from '../graph/definition.js';

/** x = a·u + b·v + c, y = d·u + e·v + f: output pixel (u, v) to source pixel (x, y), pixel centres at whole numbers. */
export type Affine = readonly [a: number, b: number, c: number, d: number, e: number, f: number];

export function invertAffine([a, b, c, d, e, f]: Affine): Affine {
  const det = a * e - b * d;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12)
    throw new Error('the transform is degenerate (it has no inverse)');
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

export function applyAffine([a, b, c, d, e, f]: Affine, [u, v]: readonly [number, number]): [number, number] {
  return [a * u + b * v + c, d * u + e * v + f];
}

/** Mirrors an index into [0, n − 1] (…, 2, 1, 0, 1, 2, …, n − 2, n − 1, n − 2, …). */
function mirror(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - m;
}

/**
 * A sampler over one image: `area(x, y, du, dv, out)` writes into `out` the mean RGB over the
 * parallelogram centred at (x, y) spanned by du and dv (one output pixel's footprint in source
 * pixels).
 */
export function createAreaSampler(image: ImageValue) {
  const { width, height, data } = image;
  const plane = width * height;
  const tap = [0, 0, 0];
  const bilinear = (x: number, y: number) => {
    const x0 = Math.floor(x);
    const y0 = Math.floor(y);
    const fx = x - x0;
    const fy = y - y0;
    const xa = mirror(x0, width);
    const xb = mirror(x0 + 1, width);
    const ya = mirror(y0, height) * width;
    const yb = mirror(y0 + 1, height) * width;
    const w00 = (1 - fx) * (1 - fy);
    const w10 = fx * (1 - fy);
    const w01 = (1 - fx) * fy;
    const w11 = fx * fy;
    for (let c = 0; c < 3; c++) {
      const o = c * plane;
      tap[c] =
        w00 * data[o + ya + xa]! + w10 * data[o + ya + xb]! + w01 * data[o + yb + xa]! + w11 * data[o + yb + xb]!;
    }
  };
  return {
    area(x: number, y: number, du: readonly [number, number], dv: readonly [number, number], out: Float32Array) {
      // At least one tap per source pixel along each side of the footprint.
      const nu = Math.max(1, Math.ceil(Math.hypot(du[0], du[1]) - 1e-6));
      const nv = Math.max(1, Math.ceil(Math.hypot(dv[0], dv[1]) - 1e-6));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let j = 0; j < nv; j++) {
        const tv = (j + 0.5) / nv - 0.5;
        for (let i = 0; i < nu; i++) {
          const tu = (i + 0.5) / nu - 0.5;
          bilinear(x + tu * du[0] + tv * dv[0], y + tu * du[1] + tv * dv[1]);
          r += tap[0]!;
          g += tap[1]!;
          b += tap[2]!;
        }
      }
      const n = nu * nv;
      out[0] = r / n;
      out[1] = g / n;
      out[2] = b / n;
    },
  };
}

/** The width × height image whose pixel (u, v) is the source's area mean around `toSource(u, v)`. */
export function warpAffine(source: ImageValue, toSource: Affine, width: number, height: number): ImageValue {
  const out: ImageValue = { kind: 'image', width, height, data: new Float32Array(width * height * 3) };
  const sampler = createAreaSampler(source);
  const du: [number, number] = [toSource[0], toSource[3]];
  const dv: [number, number] = [toSource[1], toSource[4]];
  const rgb = new Float32Array(3);
  const plane = width * height;
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      const [x, y] = applyAffine(toSource, [u, v]);
      sampler.area(x, y, du, dv, rgb);
      const i = v * width + u;
      out.data[i] = rgb[0]!;
      out.data[plane + i] = rgb[1]!;
      out.data[2 * plane + i] = rgb[2]!;
    }
  }
  return out;
}
