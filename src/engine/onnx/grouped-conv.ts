// Grouped Conv and ConvTranspose in a form onnxruntime's WebGPU EP computes correctly.
//
// Its channels-last kernels (the NHWC layout, which onnxruntime-node's native WebGPU EP uses by
// default; onnxruntime-web uses NCHW unless asked) get two grouped cases wrong in 1.30:
// - Conv with group > 1 and at least 4 output channels per group reads the output channels as
//   vectors of 4 (2) whenever the total count is a multiple of 4 (2), even when the channels per
//   group are not, so vectors straddle groups: e.g. 9 taps per channel in a one-hot im2col Conv.
// - ConvTranspose with group > 1, one output channel per group and an even number of input
//   channels per group (vectorised over the input channels): e.g. scattering 2×2 max-pool taps.
// The rewrites below keep every window attribute and only reshape channels: zero filters pad a
// Conv's channels per group to a multiple of 4 (cut off after), a zero input channel per group
// makes a ConvTranspose's input channels per group odd. Constant weights fold on the host.
import { numel } from './graph.js';
import { pad, reshape, slice } from './ops.js';
import type { AttrValue } from './builder.js';
import type { GraphState } from './state.js';

type Attrs = Record<string, AttrValue | undefined> & { group?: number };

/** Vector width the WebGPU kernel picks from a channel count. */
const width = (channels: number) => (channels % 4 === 0 ? 4 : channels % 2 === 0 ? 2 : 1);

/** True where onnxruntime's NHWC WebGPU Conv gets this grouping wrong (see the file comment). */
export function convNeedsRewrite(group: number, outChannels: number): boolean {
  const perGroup = outChannels / group;
  return group > 1 && perGroup >= 4 && perGroup % width(outChannels) !== 0;
}

/** True where onnxruntime's NHWC WebGPU ConvTranspose gets this grouping wrong. */
export function convTransposeNeedsRewrite(group: number, inChannels: number, outPerGroup: number): boolean {
  return group > 1 && outPerGroup === 1 && (inChannels / group) % 2 === 0;
}

/** Conv(x, w) with `attrs` (group included), no bias. */
export function groupedConv(s: GraphState, x: string, w: string, attrs: Attrs): string {
  const group = Number(attrs.group ?? 1);
  const wd = s.dims(w);
  const M = wd[0]!;
  if (!convNeedsRewrite(group, M)) return s.op('Conv', [x, w], attrs);
  const Mg = M / group;
  const padded = Math.ceil(Mg / 4) * 4;
  const rest = numel(wd.slice(1));
  const wp = reshape(s, pad(s, reshape(s, w, [group, Mg, rest]), [0, 0, 0, 0, padded - Mg, 0]), [
    group * padded,
    ...wd.slice(1),
  ]);
  const y = s.op('Conv', [x, wp], attrs);
  const yd = s.dims(y);
  const N = yd[0]!,
    L = numel(yd.slice(2));
  const kept = slice(s, reshape(s, y, [N, group, padded, L]), [2], [0], [Mg]);
  return reshape(s, kept, [N, M, ...yd.slice(2)]);
}

/** ConvTranspose(x, w) with `attrs` (group, output_padding, … included), no bias. */
export function groupedConvTranspose(s: GraphState, x: string, w: string, attrs: Attrs): string {
  const group = Number(attrs.group ?? 1);
  const wd = s.dims(w);
  const C = wd[0]!;
  if (!convTransposeNeedsRewrite(group, C, wd[1]!)) return s.op('ConvTranspose', [x, w], attrs);
  const Cg = C / group;
  const xd = s.dims(x);
  const N = xd[0]!;
  const xp = reshape(s, pad(s, reshape(s, x, [N, group, Cg, numel(xd.slice(2))]), [0, 0, 0, 0, 0, 0, 1, 0]), [
    N,
    group * (Cg + 1),
    ...xd.slice(2),
  ]);
  const rest = numel(wd.slice(1));
  const wp = reshape(s, pad(s, reshape(s, w, [group, Cg, rest]), [0, 0, 0, 0, 1, 0]), [
    group * (Cg + 1),
    ...wd.slice(1),
  ]);
  return s.op('ConvTranspose', [xp, wp], attrs);
}
