// The image preprocessing of the loss graph, written as ONNX ops so the gradient flows through it:
// centre square, resize to the CLIP input size, per-channel affine. It computes the same numbers as
// the host-side preprocessing (models/preprocess.ts) for every downscale, so an embedding the nodes
// compute from a decoded image and the one inside the optimization agree.
import type { GraphBuilder } from '../onnx/builder.js';

/**
 * How a side of `from` pixels becomes `to` pixels: StyleCLIP's "upsample ×k (nearest), then
 * average-pool by p", generalised with k = to / gcd(from, to) and p = from / gcd(from, to), so that
 * each output pixel averages exactly from/to source pixels.
 */
export interface ResizePlan {
  upsample: number;
  pool: number;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export function resizePlan(from: number, to: number): ResizePlan {
  if (!(Number.isInteger(from) && from > 0 && Number.isInteger(to) && to > 0)) {
    throw new Error(`resize: sizes must be positive whole numbers, got ${from} → ${to}`);
  }
  const d = gcd(from, to);
  return { upsample: to / d, pool: from / d };
}

/**
 * Above this many values the upsampled intermediate (and its gradient) is too big to hold
 * (StyleGAN 1024 → CLIP 224 would need 7168² × 3 floats, 600 MB), so the same averaging is done as
 * two matrix products instead.
 */
const MAX_UPSAMPLED_VALUES = 1 << 24;

/** The centred square of an [1, C, H, W] image: a Slice when H ≠ W. */
export function centreSquareOp(
  g: GraphBuilder,
  image: string,
  height: number,
  width: number,
): { square: string; side: number } {
  if (height === width) return { square: image, side: height };
  const side = Math.min(height, width);
  const top = Math.floor((height - side) / 2);
  const left = Math.floor((width - side) / 2);
  const square = g.op('Slice', [
    image,
    g.ints([top, left]),
    g.ints([top + side, left + side]),
    g.ints([2, 3]),
    g.ints([1, 1]),
  ]);
  return { square, side };
}

/** Resizes an [1, C, side, side] image to [1, C, size, size]. */
export function resizeOp(
  g: GraphBuilder,
  image: string,
  channels: number,
  side: number,
  size: number,
  maxUpsampled = MAX_UPSAMPLED_VALUES,
): string {
  if (side === size) return image;
  const { upsample: k, pool: p } = resizePlan(side, size);
  if (side * k * side * k * channels > maxUpsampled) return areaResizeMatMul(g, image, side, size);
  let x = image;
  if (k > 1) {
    // Nearest ×k as a broadcast: [1,C,S,1,S,1] → [1,C,S,k,S,k] → [1,C,Sk,Sk].
    x = g.op('Reshape', [x, g.ints([1, channels, side, 1, side, 1])]);
    x = g.op('Expand', [x, g.ints([1, channels, side, k, side, k])]);
    x = g.op('Reshape', [x, g.ints([1, channels, side * k, side * k])]);
  }
  if (p > 1) {
    // Every window attribute is explicit: the WebGPU EPs need them spelled out.
    x = g.op('AveragePool', [x], {
      kernel_shape: [p, p],
      strides: [p, p],
      pads: [0, 0, 0, 0],
      ceil_mode: 0,
      count_include_pad: 0,
    });
  }
  return x;
}

/** The same area averaging as upsample-then-pool, as R · X · Rᵀ with R [size, side]. */
function areaResizeMatMul(g: GraphBuilder, image: string, side: number, size: number): string {
  const { upsample: k, pool: p } = resizePlan(side, size);
  const r = new Float32Array(size * side);
  // Output pixel o averages the upsampled pixels o·p … o·p + p − 1, i.e. source pixels ⌊(o·p + j)/k⌋.
  for (let o = 0; o < size; o++) for (let j = 0; j < p; j++) r[o * side + Math.floor((o * p + j) / k)]! += 1 / p;
  const rt = new Float32Array(side * size);
  for (let o = 0; o < size; o++) for (let i = 0; i < side; i++) rt[i * size + o] = r[o * side + i]!;
  const rows = g.op('MatMul', [g.constant('float32', [size, side], r, 'resize_rows'), image]);
  return g.op('MatMul', [rows, g.constant('float32', [side, size], rt, 'resize_cols')]);
}

/**
 * Per-channel affine y = a_c·x + b_c. Mapping [lo, hi] to [0, 1] and then normalizing with mean and
 * std is one affine map; it commutes with the averaging resize, so it is applied on the smaller image.
 */
export function channelAffineOp(
  g: GraphBuilder,
  x: string,
  scale: readonly number[],
  shift: readonly number[],
): string {
  const c = scale.length;
  const scaled = g.op('Mul', [x, g.constant('float32', [1, c, 1, 1], scale, 'channel_scale')]);
  return g.op('Add', [scaled, g.constant('float32', [1, c, 1, 1], shift, 'channel_shift')]);
}

/** a, b such that a·x + b = ((x − lo)/(hi − lo) − mean)/std per channel. */
export function rangeToNormalized(
  range: readonly [number, number],
  mean: readonly number[],
  std: readonly number[],
): { scale: number[]; shift: number[] } {
  const [lo, hi] = range;
  return {
    scale: std.map((s) => 1 / ((hi - lo) * s)),
    shift: std.map((s, c) => (-lo / (hi - lo) - mean[c]!) / s),
  };
}

/** x / ‖x‖ along the last axis of an [1, E] vector; the epsilon keeps a zero vector finite. */
export function unitOp(g: GraphBuilder, x: string, name?: string): string {
  const squares = g.op('ReduceSum', [g.op('Mul', [x, x])], { keepdims: 1 });
  return g.op('Div', [x, g.op('Sqrt', [g.op('Add', [squares, g.scalar(1e-12)])])], {}, name);
}

/** Σ x over every axis, as a scalar. ReduceSum without axes reduces all of them in every opset. */
export function sumAllOp(g: GraphBuilder, x: string): string {
  return g.op('ReduceSum', [x], { keepdims: 0 });
}
