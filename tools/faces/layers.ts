// TensorFlow layers as NCHW ONNX nodes with static shapes. face-api's networks are TensorFlow graphs
// (NHWC, HWIO filters, 'same'/'valid' padding); ONNX wants NCHW, OIHW filters and explicit pads, so
// every window op here is written with kernel_shape, strides, dilations and pads computed from the
// known input size, exactly as TensorFlow pads ('same': the odd pixel goes after).
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { hostTensor } from '../../src/engine/onnx/model.js';
import type { TfWeight } from './weights.js';

/** A value in the graph with its static NCHW size (batch 1). */
export interface Feature {
  name: string;
  c: number;
  h: number;
  w: number;
}

export type Padding = 'same' | 'valid';

/** TensorFlow's output size and [before, after] padding along one axis. */
export function tfWindow(size: number, kernel: number, stride: number, padding: Padding) {
  if (padding === 'valid') return { out: Math.floor((size - kernel) / stride) + 1, before: 0, after: 0 };
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  const before = Math.floor(total / 2);
  return { out, before, after: total - before };
}

/**
 * A conv filter in OIHW order. When the source weight is uint8-quantized the file keeps the codes
 * (a quarter of the float32 size) and the graph dequantizes them: value = code · scale[o] + offset[o].
 * Folding a per-output-channel factor s (batch norm, scale layer) into the filter multiplies both
 * scale and offset by s, so the folded filter stays exact on the code grid.
 */
export interface Filter {
  dims: number[];
  /** The dequantized (and folded) values. */
  values: Float32Array;
  codes?: Uint8Array;
  /** Per output channel (length dims[0]). */
  scale?: Float64Array;
  offset?: Float64Array;
}

function permuted(w: TfWeight, dims: number[], index: (src: number) => number): Filter {
  const values = new Float32Array(w.data.length);
  for (let i = 0; i < values.length; i++) values[index(i)] = w.data[i]!;
  const f: Filter = { dims, values };
  if (w.uint8) {
    const codes = new Uint8Array(values.length);
    for (let i = 0; i < codes.length; i++) codes[index(i)] = w.uint8.codes[i]!;
    f.codes = codes;
    f.scale = new Float64Array(dims[0]!).fill(w.uint8.scale);
    f.offset = new Float64Array(dims[0]!).fill(w.uint8.min);
  }
  return f;
}

/** HWIO (TensorFlow conv2d filter) → OIHW. */
export function hwioToOihw(w: TfWeight): Filter {
  const [kh, kw, ci, co] = w.shape as [number, number, number, number];
  return permuted(w, [co, ci, kh, kw], (src) => {
    const o = src % co;
    const i = Math.floor(src / co) % ci;
    const x = Math.floor(src / (co * ci)) % kw;
    const y = Math.floor(src / (co * ci * kw));
    return ((o * ci + i) * kh + y) * kw + x;
  });
}

/** [kh, kw, C, 1] (TensorFlow depthwise filter, multiplier 1) → [C, 1, kh, kw] for a Conv with group = C. */
export function depthwiseToOihw(w: TfWeight): Filter {
  const [kh, kw, c, m] = w.shape as [number, number, number, number];
  if (m !== 1) throw new Error(`depthwise filter ${w.name} has channel multiplier ${m}; only 1 is supported`);
  return permuted(w, [c, 1, kh, kw], (src) => {
    const i = src % c;
    const x = Math.floor(src / c) % kw;
    const y = Math.floor(src / (c * kw));
    return (i * kh + y) * kw + x;
  });
}

/** Multiplies output channel o of the filter by factor[o]. */
export function scaleFilter(f: Filter, factor: ArrayLike<number>): void {
  const per = f.values.length / f.dims[0]!;
  for (let o = 0; o < f.dims[0]!; o++) {
    const s = factor[o]!;
    if (f.scale && f.offset) {
      f.scale[o] = f.scale[o]! * s;
      f.offset[o] = f.offset[o]! * s;
    }
    for (let k = 0; k < per; k++) {
      const i = o * per + k;
      f.values[i] = f.codes ? f.codes[i]! * f.scale![o]! + f.offset![o]! : f.values[i]! * s;
    }
  }
}

export class NetBuilder {
  readonly g: GraphBuilder;

  constructor(name: string) {
    this.g = new GraphBuilder(name);
  }

  tensor(name: string, dims: number[], data: ArrayLike<number>): string {
    return this.g.weight(name, hostTensor('float32', dims, data));
  }

  /** A filter as an initializer, or as uint8 codes dequantized by the graph (onnxruntime folds it at load). */
  filter(name: string, f: Filter): string {
    if (!f.codes) return this.tensor(name, f.dims, f.values);
    const o = f.dims[0]!;
    const codes = this.g.weight(`${name}/codes`, hostTensor('uint8', f.dims, f.codes));
    const uniform = (v: Float64Array) => v.every((x) => x === v[0]);
    const perChannel = (v: Float64Array, what: string) =>
      uniform(v) ? this.tensor(`${name}/${what}`, [], [v[0]!]) : this.tensor(`${name}/${what}`, [o, 1, 1, 1], v);
    const asFloat = this.g.op('Cast', [codes], { to: 1 });
    return this.g.op('Add', [
      this.g.op('Mul', [asFloat, perChannel(f.scale!, 'scale')]),
      perChannel(f.offset!, 'offset'),
    ]);
  }

  /**
   * A Conv with TensorFlow padding. `weight` is OIHW; `group` > 1 for depthwise. Bias is optional.
   * `name` prefixes the initializers so the file says where each weight came from.
   */
  conv(
    x: Feature,
    name: string,
    weight: Filter,
    bias: ArrayLike<number> | undefined,
    stride: number,
    padding: Padding,
    group = 1,
  ): Feature {
    const [co, , kh, kw] = weight.dims as [number, number, number, number];
    const wy = tfWindow(x.h, kh, stride, padding);
    const wx = tfWindow(x.w, kw, stride, padding);
    const inputs = [x.name, this.filter(`${name}/weight`, weight)];
    if (bias) inputs.push(this.tensor(`${name}/bias`, [co], bias));
    const out = this.g.op('Conv', inputs, {
      kernel_shape: [kh, kw],
      strides: [stride, stride],
      dilations: [1, 1],
      pads: [wy.before, wx.before, wy.after, wx.after],
      group,
    });
    return { name: out, c: co, h: wy.out, w: wx.out };
  }

  relu(x: Feature): Feature {
    return { ...x, name: this.g.op('Relu', [x.name]) };
  }

  /** min(max(x, lo), hi): TensorFlow's relu6 is clip(0, 6). */
  clip(x: Feature, lo: number, hi: number): Feature {
    return { ...x, name: this.g.op('Clip', [x.name, this.g.scalar(lo), this.g.scalar(hi)]) };
  }

  add(a: Feature, b: Feature): Feature {
    return { ...a, name: this.g.op('Add', [a.name, b.name]) };
  }

  pool(type: 'MaxPool' | 'AveragePool', x: Feature, kernel: number, stride: number, padding: Padding): Feature {
    const wy = tfWindow(x.h, kernel, stride, padding);
    const wx = tfWindow(x.w, kernel, stride, padding);
    if (padding === 'same' && type === 'AveragePool' && wy.before + wy.after + wx.before + wx.after > 0)
      throw new Error('TensorFlow average pooling with "same" padding excludes the pad; not written here');
    const attrs: Record<string, number[] | number> = {
      kernel_shape: [kernel, kernel],
      strides: [stride, stride],
      pads: [wy.before, wx.before, wy.after, wx.after],
    };
    if (type === 'MaxPool') attrs.dilations = [1, 1];
    return { name: this.g.op(type, [x.name], attrs), c: x.c, h: wy.out, w: wx.out };
  }

  /** Zeros appended after the end of channels, rows and columns (face-api's shape adjustments). */
  padEnd(x: Feature, c: number, h: number, w: number): Feature {
    if (!c && !h && !w) return x;
    const pads = this.g.ints([0, 0, 0, 0, 0, c, h, w]);
    return {
      name: this.g.op('Pad', [x.name, pads, this.g.scalar(0)], { mode: 'constant' }),
      c: x.c + c,
      h: x.h + h,
      w: x.w + w,
    };
  }

  /** [1, C, 1, 1] or [1, C, H, W] → [1, C·H·W] in TensorFlow's NHWC flattening order. */
  flattenNhwc(x: Feature): string {
    const t = x.h === 1 && x.w === 1 ? x.name : this.g.op('Transpose', [x.name], { perm: [0, 2, 3, 1] });
    return this.g.op('Reshape', [t, this.g.ints([1, x.c * x.h * x.w])]);
  }

  /** y = x·W + b for a [1, K] value and a TensorFlow [K, N] matrix. */
  dense(x: string, name: string, weight: TfWeight, bias?: ArrayLike<number>): string {
    const [k, n] = weight.shape as [number, number];
    const y = this.g.op('MatMul', [x, this.tensor(`${name}/weight`, [k, n], weight.data)]);
    return bias ? this.g.op('Add', [y, this.tensor(`${name}/bias`, [n], bias)]) : y;
  }
}
