// Backward passes of the sliding-window ops (Conv, ConvTranspose, MaxPool, AveragePool), written with
// Conv, ConvTranspose, MatMul and elementwise ops only, so they run on every onnxruntime backend
// including WebGPU.
import { windowGeometry, type WindowGeometry } from './conv.js';
import { numel } from './graph.js';
import { fromNumbers } from './host.js';
import { groupedConv, groupedConvTranspose } from './grouped-conv.js';
import { heldOnce, pad, reshape, slice, transpose } from './ops.js';
import type { NodeProto } from 'onnx-buf';
import type { GraphState } from './state.js';

/** Explicit window attributes (WebGPU's Conv wants them all written out). */
export function windowAttrs(k: number[], strides: number[], dilations: number[], pads: number[], group = 1) {
  return { kernel_shape: k, strides, dilations, pads, group };
}

const eff = (k: number, d: number) => (k - 1) * d + 1;

/**
 * ConvTranspose that scatters `g` ([N, K, ...out]) back onto an input of spatial dims `inSpatial`.
 * The end pads and output_padding are chosen so the result has exactly `inSpatial` (ceil-mode
 * windows may reach past the padded input; those rows are cut off).
 */
export function scatterWindows(
  s: GraphState,
  g: string,
  w: string,
  geo: WindowGeometry,
  inSpatial: number[],
  group = 1,
): string {
  const n = inSpatial.length;
  const outSpatial = s.dims(g).slice(2);
  const pads = geo.pads.slice();
  const outputPadding: number[] = [];
  const grow: number[] = [];
  inSpatial.forEach((h, i) => {
    const natural = geo.strides[i]! * (outSpatial[i]! - 1) + eff(geo.kernel[i]!, geo.dilations[i]!) - pads[i]!;
    const extra = h - natural; // output_padding minus end pad must equal this
    pads[i + n] = Math.max(0, -extra);
    // output_padding must stay below the stride; rows beyond that no window reaches get a Pad.
    outputPadding.push(extra > 0 && extra < geo.strides[i]! ? extra : 0);
    grow.push(extra >= geo.strides[i]! ? extra : 0);
  });
  let out = groupedConvTranspose(s, g, w, {
    ...windowAttrs(geo.kernel, geo.strides, geo.dilations, pads, group),
    output_padding: outputPadding,
  });
  if (grow.some((v) => v > 0)) {
    out = pad(s, out, [...s.dims(out).map(() => 0), 0, 0, ...grow]);
  }
  return out;
}

/**
 * d(loss)/d(x) of Conv(x, W) given dy. Where every stride is 1 and W is a small constant, a Conv of
 * dy with W flipped and its channel axes swapped (folded on the host): onnxruntime's CPU Conv
 * kernels are about ten times faster than its ConvTranspose on the 32–128-channel, 256–1024 px
 * layers of a StyleGAN2 synthesis network. Large weights keep the ConvTranspose, which reads W as
 * it is (see heldOnce), as do strided windows.
 */
export function convInputGrad(
  s: GraphState,
  dy: string,
  w: string,
  geo: WindowGeometry,
  inSpatial: number[],
  group: number,
): string {
  const n = inSpatial.length;
  const reach = geo.kernel.map((k, i) => (k - 1) * geo.dilations[i]!);
  const pads = [...reach.map((r, i) => r - geo.pads[i]!), ...reach.map((r, i) => r - geo.pads[i + n]!)];
  if (!s.isConst(w) || heldOnce(s, w) || geo.strides.some((v) => v !== 1) || pads.some((p) => p < 0)) {
    return scatterWindows(s, dy, w, geo, inSpatial, group);
  }
  const wd = s.dims(w);
  const [M, Cg] = wd as [number, number];
  const Mg = M / group;
  // [M, C/g, k…] → [g, M/g, C/g, k…] → [g, C/g, M/g, k…] → [C, M/g, k…], then every spatial axis reversed.
  const swapped = reshape(
    s,
    transpose(s, reshape(s, w, [group, Mg, Cg, ...geo.kernel]), [0, 2, 1, ...geo.kernel.map((_, i) => i + 3)]),
    [group * Cg, Mg, ...geo.kernel],
  );
  const axes = geo.kernel.map((_, i) => i + 2);
  const flipped = slice(
    s,
    swapped,
    axes,
    axes.map(() => -1),
    axes.map(() => -(2 ** 31)),
    axes.map(() => -1),
  );
  return groupedConv(s, dy, flipped, windowAttrs(geo.kernel, geo.strides, geo.dilations, pads, group));
}

/** Above this many patch elements (N·C·K·L) the one-hot im2col costs more than it saves. */
const IM2COL_LIMIT = 1 << 20;
/** Above this many taps the one-hot Conv's K² multiplies per output dominate. */
const IM2COL_TAPS = 25;

/**
 * d(loss)/d(weight) of Conv(x, W) given dy. Small windows on small inputs: the patches of x
 * (im2col, one channel per tap) times dy as one batched MatMul, which onnxruntime runs several
 * times faster than the Conv below. Otherwise another Conv: the batch axis plays the channel axis
 * and dy is the kernel (large kernels such as patch embeddings are fast that way).
 */
export function convWeightGrad(
  s: GraphState,
  x: string,
  dy: string,
  geo: WindowGeometry,
  group: number,
  depthwise: boolean,
): string {
  const xd = s.dims(x);
  const yd = s.dims(dy);
  const K = numel(geo.kernel);
  const patches =
    K <= IM2COL_TAPS && xd[0]! * xd[1]! * K * numel(yd.slice(2)) <= IM2COL_LIMIT
      ? tapPatches(s, x, geo, yd.slice(2), depthwise)
      : undefined;
  return patches ? patchWeightGrad(s, patches, dy, geo, group, xd[1]!) : convWeightGradByConv(s, x, dy, geo, group);
}

/** dW from patches [N, C, K, L] (K taps in kernel order, L output positions) and dy [N, M, ...out]. */
function patchWeightGrad(
  s: GraphState,
  patches: string,
  dy: string,
  geo: WindowGeometry,
  group: number,
  C: number,
): string {
  const yd = s.dims(dy);
  const [N, M] = yd as [number, number];
  const K = numel(geo.kernel);
  const L = numel(yd.slice(2));
  const Cg = C / group,
    Mg = M / group;
  const P = reshape(s, patches, [N, group, Cg * K, L]);
  const D = reshape(s, dy, [N, group, Mg, L]);
  const perN = s.op('MatMul', [D, transpose(s, P, [0, 1, 3, 2])]); // [N, g, Mg, Cg·K]
  const dw = N === 1 ? perN : s.op('ReduceSum', [perN, s.ints([0])], { keepdims: 0 });
  return reshape(s, dw, [M, Cg, ...geo.kernel]);
}

/** im2col with a one-hot Conv (see tapKernel), as [N, C, K, L]. */
function tapPatches(
  s: GraphState,
  x: string,
  geo: WindowGeometry,
  out: number[],
  depthwise: boolean,
): string | undefined {
  const xd = s.dims(x);
  const [N, C] = xd as [number, number];
  // A 1×1 window with stride 1 and no padding: x is its own patch matrix.
  if (
    geo.kernel.every((k, i) => k === 1 && geo.strides[i] === 1 && out[i] === xd[i + 2]) &&
    geo.pads.every((p) => p === 0)
  ) {
    return reshape(s, x, [N, C, 1, numel(out)]);
  }
  const p = depthwise
    ? s.op(
        'Conv',
        [x, tapKernel(s, geo.kernel, x, C)],
        windowAttrs(geo.kernel, geo.strides, geo.dilations, geo.pads, C),
      )
    : s.op(
        'Conv',
        [reshape(s, x, [N * C, 1, ...xd.slice(2)]), tapKernel(s, geo.kernel, x, 1)],
        windowAttrs(geo.kernel, geo.strides, geo.dilations, geo.pads),
      );
  if (
    s
      .dims(p)
      .slice(2)
      .some((d, i) => d !== out[i])
  )
    return undefined;
  return reshape(s, p, [N, C, numel(geo.kernel), numel(out)]);
}

/**
 * dW as a Conv: x as [Cg, g·N, ...] (batch axis as channels, groups kept apart), dy as the kernel,
 * stride and dilation swapped.
 */
function convWeightGradByConv(s: GraphState, x: string, dy: string, geo: WindowGeometry, group: number): string {
  const xd = s.dims(x);
  const yd = s.dims(dy);
  const [N, C] = xd as [number, number];
  const M = yd[1]!;
  const sp = xd.slice(2);
  const out = yd.slice(2);
  const n = sp.length;
  const Cg = C / group;
  const spatialAxes = sp.map((_, i) => i + 3);
  // x: [N, C, ...] -> [Cg, g*N, ...] with channel index (group, n)
  const xr =
    group === 1
      ? transpose(s, x, [1, 0, ...sp.map((_, i) => i + 2)])
      : reshape(s, transpose(s, reshape(s, x, [N, group, Cg, ...sp]), [2, 1, 0, ...spatialAxes]), [
          Cg,
          group * N,
          ...sp,
        ]);
  const k = transpose(s, dy, [1, 0, ...out.map((_, i) => i + 2)]); // [M, N, ...out]
  const pads = geo.pads.slice();
  sp.forEach((h, i) => {
    // Only as much end padding as the last kernel tap needs.
    const need = (geo.kernel[i]! - 1) * geo.dilations[i]! + (out[i]! - 1) * geo.strides[i]! + 1 - h - pads[i]!;
    pads[i + n] = Math.max(0, Math.min(pads[i + n]!, need));
  });
  let z = groupedConv(s, xr, k, windowAttrs(out, geo.dilations, geo.strides, pads, group)); // [Cg, M, ...z]
  const zd = s.dims(z).slice(2);
  if (zd.some((d, i) => d !== geo.kernel[i])) {
    z = slice(
      s,
      z,
      zd.map((_, i) => i + 2),
      zd.map(() => 0),
      geo.kernel,
    );
  }
  const w = transpose(s, z, [1, 0, ...zd.map((_, i) => i + 2)]);
  return reshape(s, w, [M, Cg, ...geo.kernel]);
}

/**
 * One-hot kernels [C·K, 1, ...k] that copy tap t of channel c into channel c·K + t: a Conv with
 * them is im2col, either depthwise (group C, on [N, C, ...]) or with C = 1 on [N·C, 1, ...].
 * onnxruntime's CPU kernels run the depthwise form several times faster; its WebGPU EP computes
 * grouped Conv/ConvTranspose with several channels per group on one side wrongly (1.30, NHWC
 * kernels; see grouped-conv.ts), so the portable graph uses the one-channel form. A depthwise
 * form meant for WebGPU would have to go through groupedConv.
 */
function tapKernel(s: GraphState, kernel: number[], like: string, channels: number): string {
  const K = numel(kernel);
  const v = new Array<number>(channels * K * K).fill(0);
  for (let c = 0; c < channels; c++) for (let i = 0; i < K; i++) v[(c * K + i) * K + i] = 1;
  return s.constant(fromNumbers(s.dtype(like), [channels * K, 1, ...kernel], v), 'taps');
}

/** Which taps of which windows fall inside the input (not in padding): [K, ...out]. */
function tapValidity(geo: WindowGeometry, inSpatial: number[], dtype: 'float32' | 'float64') {
  const K = numel(geo.kernel);
  const out = geo.out;
  const total = K * numel(out);
  const v = new Array<number>(total);
  const kStr = geo.kernel.map((_, i) => numel(geo.kernel.slice(i + 1)));
  const oStr = out.map((_, i) => numel(out.slice(i + 1)));
  for (let t = 0; t < K; t++) {
    for (let o = 0; o < numel(out); o++) {
      let ok = 1;
      for (let i = 0; i < inSpatial.length; i++) {
        const kt = Math.floor(t / kStr[i]!) % geo.kernel[i]!;
        const oi = Math.floor(o / oStr[i]!) % out[i]!;
        const p = oi * geo.strides[i]! - geo.pads[i]! + kt * geo.dilations[i]!;
        if (p < 0 || p >= inSpatial[i]!) ok = 0;
      }
      v[t * numel(out) + o] = ok;
    }
  }
  return fromNumbers(dtype, [K, ...out], v);
}

/** Conv pads whose output size matches a pooling op's (ceil_mode windows may need more end pad). */
function poolConvPads(geo: WindowGeometry, inSpatial: number[]): number[] {
  const n = inSpatial.length;
  const pads = geo.pads.slice();
  inSpatial.forEach((h, i) => {
    const need = (geo.out[i]! - 1) * geo.strides[i]! + eff(geo.kernel[i]!, geo.dilations[i]!) - h - pads[i]!;
    pads[i + n] = Math.max(need, 0);
  });
  return pads;
}

/**
 * One-hot of the first maximum along `axis` of `taps` (the window's taps), times `g` (1 on that axis).
 * The int64 index becomes a float by a Gather from 0..K−1: WebGPU runs int64 Cast and comparisons
 * on the CPU, but gathers with int64 indices on the GPU.
 */
function routeToArgmax(s: GraphState, taps: string, g: string, axis: number, like: string): string {
  const K = s.dims(taps)[axis]!;
  const dtype = s.dtype(like);
  const values = Array.from({ length: K }, (_, i) => i);
  const idx = s.op(
    'Gather',
    [
      s.constant(fromNumbers(dtype, [K], values), 'tap_numbers'),
      s.op('ArgMax', [taps], { axis, keepdims: 1, select_last_index: 0 }),
    ],
    { axis: 0 },
  );
  const range = s.constant(
    fromNumbers(
      dtype,
      s.dims(taps).map((_d, i) => (i === axis ? K : 1)),
      values,
    ),
    'taps_index',
  );
  return s.op('Where', [s.op('Equal', [idx, range]), g, s.scalar(0, dtype)]);
}

/**
 * MaxPool backward: each window's gradient goes to its first maximal tap (the element PyTorch and
 * onnxruntime report as the argmax). The taps are gathered with a one-hot Conv, ArgMax picks the
 * first maximum, a one-hot of it routes dy, and ConvTranspose scatters it back.
 */
export function maxPoolGrad(s: GraphState, node: NodeProto, x: string, dy: string, depthwise: boolean): string {
  const xd = s.dims(x);
  const sp = xd.slice(2);
  const geo = windowGeometry(node, xd);
  const [N, C] = xd as [number, number];
  const dtype = s.dtype(x) as 'float32' | 'float64';
  const taps = tapKernel(s, geo.kernel, x, depthwise ? C : 1);
  const convPads = poolConvPads(geo, sp);
  const K = numel(geo.kernel),
    L = numel(geo.out);
  const attrs = windowAttrs(geo.kernel, geo.strides, geo.dilations, convPads, depthwise ? C : 1);
  // Windows flattened to [N·C, K, L]: on WebGPU this also stops the layout pass from moving the
  // NHWC Transpose of the Conv onto ArgMax's int64 output (which runs on the CPU there).
  let patches = reshape(s, s.op('Conv', [depthwise ? x : reshape(s, x, [N * C, 1, ...sp]), taps], attrs), [
    N * C,
    K,
    L,
  ]);
  const validity = tapValidity(geo, sp, dtype);
  const invalid = Array.from(validity.data as Float32Array, (v) => (v === 0 ? -3e38 : 0));
  // Taps in the padding read 0, which could beat a window of negatives: push them below any value.
  if (invalid.some((v) => v !== 0))
    patches = s.op('Add', [patches, s.constant(fromNumbers(dtype, [K, L], invalid), 'pool_pad_penalty')]);
  const routed = routeToArgmax(s, patches, reshape(s, dy, [N * C, 1, L]), 1, x);
  const g = reshape(s, routed, depthwise ? [N, C * K, ...geo.out] : [N * C, K, ...geo.out]);
  return reshape(s, scatterWindows(s, g, taps, { ...geo, pads: convPads }, sp, depthwise ? C : 1), xd);
}

/** AveragePool backward: dy divided by each window's element count, scattered with a ones kernel. */
export function averagePoolGrad(
  s: GraphState,
  node: NodeProto,
  x: string,
  dy: string,
  countIncludePad: boolean,
): string {
  const xd = s.dims(x);
  const sp = xd.slice(2);
  const n = sp.length;
  const geo = windowGeometry(node, xd);
  const dtype = s.dtype(x) as 'float32' | 'float64';
  const NC = xd[0]! * xd[1]!;
  // Per-axis counts multiply: a window's count is separable.
  const perAxis = sp.map((h, i) =>
    Array.from({ length: geo.out[i]! }, (_, o) => {
      let c = 0;
      for (let t = 0; t < geo.kernel[i]!; t++) {
        const p = o * geo.strides[i]! - geo.pads[i]! + t * geo.dilations[i]!;
        const lo = countIncludePad ? -geo.pads[i]! : 0;
        const hi = countIncludePad ? h + geo.pads[i + n]! : h;
        if (p >= lo && p < hi) c++;
      }
      return c;
    }),
  );
  const total = numel(geo.out);
  const inv = new Array<number>(total);
  const oStr = geo.out.map((_, i) => numel(geo.out.slice(i + 1)));
  for (let o = 0; o < total; o++) {
    let c = 1;
    geo.out.forEach((d, i) => {
      c *= perAxis[i]![Math.floor(o / oStr[i]!) % d]!;
    });
    inv[o] = 1 / c;
  }
  const scale = s.constant(fromNumbers(dtype, geo.out, inv), 'pool_count');
  const g = s.op('Mul', [reshape(s, dy, [NC, 1, ...geo.out]), scale]);
  const ones = s.constant(
    fromNumbers(dtype, [1, 1, ...geo.kernel], new Array<number>(numel(geo.kernel)).fill(1)),
    'pool_ones',
  );
  const dx = scatterWindows(s, g, ones, { ...geo, pads: poolConvPads(geo, sp) }, sp);
  return reshape(s, dx, xd);
}
