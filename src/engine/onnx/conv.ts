// Window geometry of Conv, ConvTranspose and the pooling ops, with every implicit attribute
// (auto_pad, missing strides/dilations/pads, output_shape) turned into explicit numbers.
import type { NodeProto } from 'onnx-buf';
import { Attrs, describeNode } from './graph.js';

export interface WindowGeometry {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** begin pads of every spatial axis, then end pads (ONNX layout) */
  pads: number[];
  group: number;
  /** spatial output dims */
  out: number[];
  /** ConvTranspose only */
  outputPadding: number[];
  ceilMode: boolean;
}

const effective = (k: number, d: number) => (k - 1) * d + 1;

/**
 * `x` is the data input's dims [N, C, ...spatial]; `w` the weight's dims for Conv/ConvTranspose.
 * Pooling ops take the kernel from kernel_shape.
 */
export function windowGeometry(node: NodeProto, x: readonly number[], w?: readonly number[]): WindowGeometry {
  const a = new Attrs(node);
  const spatial = x.slice(2);
  const n = spatial.length;
  const where = describeNode(node);
  const kernel = a.ints('kernel_shape') ?? (w ? w.slice(2) : undefined);
  if (!kernel || kernel.length !== n)
    throw new Error(`${where}: kernel_shape is missing or does not match the input rank`);
  const strides = a.ints('strides') ?? kernel.map(() => 1);
  const dilations = a.ints('dilations') ?? kernel.map(() => 1);
  const group = a.int('group', 1);
  const autoPad = a.string('auto_pad', 'NOTSET');
  const ceilMode = a.int('ceil_mode', 0) === 1;
  const transpose = node.opType === 'ConvTranspose';
  let pads = a.ints('pads') ?? new Array<number>(2 * n).fill(0);
  let outputPadding = a.ints('output_padding') ?? kernel.map(() => 0);
  let out: number[];
  if (!transpose) {
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      out = spatial.map((d, i) => Math.ceil(d / strides[i]!));
      pads = new Array<number>(2 * n).fill(0);
      spatial.forEach((d, i) => {
        const total = Math.max(0, (out[i]! - 1) * strides[i]! + effective(kernel[i]!, dilations[i]!) - d);
        const small = Math.floor(total / 2);
        pads[i] = autoPad === 'SAME_UPPER' ? small : total - small;
        pads[i + n] = total - pads[i]!;
      });
    } else {
      if (autoPad === 'VALID') pads = new Array<number>(2 * n).fill(0);
      out = spatial.map((d, i) => {
        const span = d + pads[i]! + pads[i + n]! - effective(kernel[i]!, dilations[i]!);
        if (span < 0) throw new Error(`${where}: window larger than padded input on spatial axis ${i}`);
        if (!ceilMode) return Math.floor(span / strides[i]!) + 1;
        let o = Math.ceil(span / strides[i]!) + 1;
        // The last window must start inside the input or the begin padding.
        if ((o - 1) * strides[i]! >= d + pads[i]!) o--;
        return o;
      });
    }
  } else {
    const outputShape = a.ints('output_shape');
    const natural = spatial.map(
      (d, i) => strides[i]! * (d - 1) + outputPadding[i]! + effective(kernel[i]!, dilations[i]!),
    );
    if (outputShape) {
      const target = outputShape.slice(-n);
      pads = new Array<number>(2 * n).fill(0);
      target.forEach((t, i) => {
        const total = natural[i]! - t;
        if (total < 0) {
          // ORT grows the output with output_padding when output_shape asks for more.
          outputPadding[i] = outputPadding[i]! - total;
          return;
        }
        // onnxruntime puts the larger half first unless auto_pad is SAME_UPPER.
        const small = Math.floor(total / 2);
        pads[i] = autoPad === 'SAME_UPPER' ? small : total - small;
        pads[i + n] = total - pads[i]!;
      });
      outputPadding = outputPadding.slice();
      out = target;
    } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      out = spatial.map((d, i) => d * strides[i]!);
      pads = new Array<number>(2 * n).fill(0);
      out.forEach((o, i) => {
        const total = Math.max(0, natural[i]! - o);
        const small = Math.floor(total / 2);
        pads[i] = autoPad === 'SAME_UPPER' ? small : total - small;
        pads[i + n] = total - pads[i]!;
      });
    } else {
      if (autoPad === 'VALID') pads = new Array<number>(2 * n).fill(0);
      out = natural.map((v, i) => v - pads[i]! - pads[i + n]!);
    }
  }
  return { kernel, strides, dilations, pads, group, out, outputPadding, ceilMode };
}
