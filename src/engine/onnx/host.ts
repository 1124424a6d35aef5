// A tiny CPU evaluator for the ops that compute shapes and small constants. Constant folding uses it to
// turn exporter shape arithmetic (Shape → Gather → Unsqueeze → Concat → Reshape, ConstantOfShape, …)
// into initializers, so that gradient graphs have static shapes and no runtime shape ops.
import type { NodeProto } from 'onnx-buf';
import { Attrs, broadcastDims, normAxis, numel } from './graph.js';
import { dtypeOf, elementCount, type DType, type HostTensor, type TypedArray } from './model.js';

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

export function toNumbers(t: HostTensor): number[] {
  return Array.from(t.data as ArrayLike<number | bigint>, Number);
}

function roundInt(v: number): number {
  return Number.isFinite(v) ? Math.trunc(v) : v > 0 ? Number.MAX_SAFE_INTEGER : v < 0 ? Number.MIN_SAFE_INTEGER : 0;
}

export function fromNumbers(dtype: DType, dims: number[], values: ArrayLike<number>): HostTensor {
  const n = elementCount(dims);
  if (values.length !== n) throw new Error(`internal: expected ${n} values for [${dims}], got ${values.length}`);
  let data: TypedArray;
  switch (dtype) {
    case 'float32':
      data = Float32Array.from(values);
      break;
    case 'float64':
      data = Float64Array.from(values);
      break;
    case 'int32':
      data = Int32Array.from(values, roundInt);
      break;
    case 'bool':
      data = Uint8Array.from(values, (v) => (v ? 1 : 0));
      break;
    case 'uint8':
      data = Uint8Array.from(values, roundInt);
      break;
    case 'int64': {
      const a = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        // Exporters write INT64_MAX as "to the end"; doubles round it to 2^63, which would wrap.
        a[i] = v >= 9.2e18 ? INT64_MAX : v <= -9.2e18 ? INT64_MIN : BigInt(roundInt(v));
      }
      data = a;
      break;
    }
  }
  return { dtype, dims: dims.slice(), data };
}

function strides(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i]!;
  }
  return s;
}

/** Index map from an output position to the position in an input broadcast to `out`. */
function broadcastIndex(inDims: readonly number[], out: readonly number[]): Int32Array {
  const n = numel(out);
  const idx = new Int32Array(n);
  const r = out.length;
  const padded = Array.from({ length: r }, (_, i) => inDims[inDims.length - r + i] ?? 1);
  const inStr = strides(padded);
  const outStr = strides(out);
  for (let i = 0; i < n; i++) {
    let rem = i,
      off = 0;
    for (let k = 0; k < r; k++) {
      const c = Math.floor(rem / outStr[k]!);
      rem -= c * outStr[k]!;
      if (padded[k] !== 1) off += c * inStr[k]!;
    }
    idx[i] = off;
  }
  return idx;
}

function elementwise(inputs: HostTensor[], outType: DType, f: (...v: number[]) => number): HostTensor {
  let dims: number[] = [];
  for (const t of inputs) dims = broadcastDims(dims, t.dims);
  if (inputs.length <= 2 && outType !== 'int64' && inputs.every((t) => t.dtype !== 'int64')) {
    // Fast path for weights scaled by constants (large float tensors): no index maps, no spreads.
    const n = numel(dims);
    const a = inputs[0]!.data as Float32Array,
      b = inputs[1]?.data as Float32Array | undefined;
    const aScalar = a.length === 1,
      bScalar = !!b && b.length === 1;
    if ((a.length === n || aScalar) && (!b || b.length === n || bScalar)) {
      const out = fromNumbers(outType, dims, new Float64Array(n));
      const o = out.data as Float32Array;
      if (!b) for (let i = 0; i < n; i++) o[i] = f(a[aScalar ? 0 : i]!);
      else for (let i = 0; i < n; i++) o[i] = f(a[aScalar ? 0 : i]!, b[bScalar ? 0 : i]!);
      return out;
    }
  }
  const vals = inputs.map(toNumbers);
  const maps = inputs.map((t) => broadcastIndex(t.dims, dims));
  const n = numel(dims);
  const out = new Array<number>(n);
  const args = new Array<number>(inputs.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < inputs.length; k++) args[k] = vals[k]![maps[k]![i]!]!;
    out[i] = f(...args);
  }
  return fromNumbers(outType, dims, out);
}

const isInt = (d: DType) => d === 'int64' || d === 'int32' || d === 'uint8';

const BINARY: Record<string, (a: number, b: number, int: boolean) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b, int) => (int ? Math.trunc(a / b) : a / b),
  Pow: (a, b) => a ** b,
  Max: (a, b) => Math.max(a, b),
  Min: (a, b) => Math.min(a, b),
  Mod: (a, b) => a - b * Math.floor(a / b),
};
const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  Equal: (a, b) => a === b,
  Less: (a, b) => a < b,
  Greater: (a, b) => a > b,
  LessOrEqual: (a, b) => a <= b,
  GreaterOrEqual: (a, b) => a >= b,
  And: (a, b) => !!a && !!b,
  Or: (a, b) => !!a || !!b,
  Xor: (a, b) => !!a !== !!b,
};
const UNARY: Record<string, (a: number) => number> = {
  Neg: (a) => -a,
  Abs: Math.abs,
  Sqrt: Math.sqrt,
  Exp: Math.exp,
  Log: Math.log,
  Reciprocal: (a) => 1 / a,
  Floor: Math.floor,
  Ceil: Math.ceil,
  Round: (a) => {
    const f = Math.floor(a);
    const d = a - f;
    return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
  },
  Sign: Math.sign,
  Sigmoid: (a) => 1 / (1 + Math.exp(-a)),
  Tanh: Math.tanh,
  Relu: (a) => Math.max(a, 0),
  Not: (a) => (a ? 0 : 1),
  Sin: Math.sin,
  Cos: Math.cos,
};

function transposeHost(t: HostTensor, perm: number[]): HostTensor {
  const dims = perm.map((p) => t.dims[p]!);
  const inStr = strides(t.dims);
  const outStr = strides(dims);
  const src = toNumbers(t);
  const out = new Array<number>(src.length);
  for (let i = 0; i < src.length; i++) {
    let rem = i,
      off = 0;
    for (let k = 0; k < dims.length; k++) {
      const c = Math.floor(rem / outStr[k]!);
      rem -= c * outStr[k]!;
      off += c * inStr[perm[k]!]!;
    }
    out[i] = src[off]!;
  }
  return fromNumbers(t.dtype, dims, out);
}

/** Normalized Slice parameters for one input shape. */
export function sliceParams(
  dims: readonly number[],
  starts: number[],
  ends: number[],
  axesIn?: number[],
  stepsIn?: number[],
) {
  const r = dims.length;
  const axes = (axesIn ?? starts.map((_, i) => i)).map((a) => normAxis(a, r, 'Slice'));
  const steps = stepsIn ?? starts.map(() => 1);
  const start = dims.map(() => 0);
  const step = dims.map(() => 1);
  const size = dims.slice();
  axes.forEach((a, i) => {
    const d = dims[a]!;
    const s = steps[i]!;
    if (s === 0) throw new Error('Slice: step 0');
    let b = starts[i]!,
      e = ends[i]!;
    if (b < 0) b += d;
    if (e < 0) e += d;
    if (s > 0) {
      b = Math.min(Math.max(b, 0), d);
      e = Math.min(Math.max(e, 0), d);
      size[a] = Math.max(0, Math.ceil((e - b) / s));
    } else {
      b = Math.min(Math.max(b, -1), d - 1);
      e = Math.min(Math.max(e, -1), d - 1);
      size[a] = Math.max(0, Math.ceil((e - b) / s));
    }
    start[a] = b;
    step[a] = s;
  });
  return { start, step, size };
}

function gatherIndex(dims: readonly number[], pick: (k: number, c: number) => number, outDims: number[]): number[] {
  const inStr = strides(dims);
  const outStr = strides(outDims);
  const n = numel(outDims);
  const idx = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let rem = i,
      off = 0;
    for (let k = 0; k < outDims.length; k++) {
      const c = Math.floor(rem / outStr[k]!);
      rem -= c * outStr[k]!;
      off += pick(k, c) * inStr[k]!;
    }
    idx[i] = off;
  }
  return idx;
}

function reduceAxes(
  node: NodeProto,
  a: Attrs,
  inputs: (HostTensor | undefined)[],
  opset: number,
  rank: number,
): number[] {
  const fromInput = (node.opType === 'ReduceSum' && opset >= 13) || opset >= 18;
  const axes = fromInput ? (inputs[1] ? toNumbers(inputs[1]) : undefined) : a.ints('axes');
  if (!axes || axes.length === 0) {
    return a.int('noop_with_empty_axes', 0) ? [] : Array.from({ length: rank }, (_, i) => i);
  }
  return axes.map((x) => normAxis(x, rank, node.opType));
}

export function reduceOutDims(dims: readonly number[], axes: number[], keep: boolean): number[] {
  const out: number[] = [];
  dims.forEach((d, i) => {
    if (axes.includes(i)) {
      if (keep) out.push(1);
    } else out.push(d);
  });
  return out;
}

export const HOST_OPS = new Set([
  'Constant',
  'Identity',
  'Cast',
  'Shape',
  'Size',
  'Gather',
  'Unsqueeze',
  'Squeeze',
  'Concat',
  'Reshape',
  'Slice',
  'ConstantOfShape',
  'Range',
  'Expand',
  'Tile',
  'Transpose',
  'Flatten',
  'Where',
  'ReduceProd',
  'ReduceSum',
  'ReduceMin',
  'ReduceMax',
  'Split',
  'Clip',
  'CastLike',
  'Dropout',
  ...Object.keys(BINARY),
  ...Object.keys(COMPARE),
  ...Object.keys(UNARY),
]);

/**
 * Evaluates one node on host tensors. `inputs[i]` is undefined for an omitted optional input.
 * Shape and Size only need `inputDims`.
 */
export function evalHost(
  node: NodeProto,
  inputs: (HostTensor | undefined)[],
  opset: number,
  inputDims: (number[] | undefined)[] = [],
): HostTensor[] {
  const a = new Attrs(node);
  const x = inputs[0]!;
  const op = node.opType;
  if (op in BINARY) {
    const int = isInt(x.dtype);
    return [elementwise([x, inputs[1]!], x.dtype, (p, q) => BINARY[op]!(p, q, int))];
  }
  if (op in COMPARE) return [elementwise([x, inputs[1]!], 'bool', (p, q) => (COMPARE[op]!(p, q) ? 1 : 0))];
  if (op in UNARY) return [elementwise([x], x.dtype, UNARY[op]!)];
  switch (op) {
    case 'Constant': {
      const t = a.tensor('value');
      if (t) return [t];
      const f = a.float('value_float');
      if (f !== undefined) return [fromNumbers('float32', [], [f])];
      const fs = a.floats('value_floats');
      if (fs) return [fromNumbers('float32', [fs.length], fs)];
      const i = a.int('value_int');
      if (i !== undefined) return [fromNumbers('int64', [], [i])];
      const is = a.ints('value_ints');
      if (is) return [fromNumbers('int64', [is.length], is)];
      throw new Error(`Constant node '${node.name}' has no value this project reads`);
    }
    case 'Identity':
    case 'Dropout':
      return [x];
    case 'Cast':
      return [fromNumbers(dtypeOf(a.int('to', 1)), x.dims, toNumbers(x))];
    case 'CastLike':
      return [fromNumbers(inputs[1]!.dtype, x.dims, toNumbers(x))];
    case 'Shape': {
      const dims = inputDims[0] ?? x.dims;
      const r = dims.length;
      let s = a.int('start', 0),
        e = a.int('end', r);
      if (s < 0) s += r;
      if (e < 0) e += r;
      s = Math.min(Math.max(s, 0), r);
      e = Math.min(Math.max(e, 0), r);
      const v = dims.slice(s, Math.max(s, e));
      return [fromNumbers('int64', [v.length], v)];
    }
    case 'Size':
      return [fromNumbers('int64', [], [numel(inputDims[0] ?? x.dims)])];
    case 'Gather': {
      const ind = inputs[1]!;
      const axis = normAxis(a.int('axis', 0), x.dims.length, 'Gather');
      const d = x.dims[axis]!;
      const iv = toNumbers(ind).map((v) => (v < 0 ? v + d : v));
      const outDims = [...x.dims.slice(0, axis), ...ind.dims, ...x.dims.slice(axis + 1)];
      const src = toNumbers(x);
      const pre = numel(x.dims.slice(0, axis));
      const post = numel(x.dims.slice(axis + 1));
      const out: number[] = [];
      for (let p = 0; p < pre; p++)
        for (const i of iv) for (let q = 0; q < post; q++) out.push(src[(p * d + i) * post + q]!);
      return [fromNumbers(x.dtype, outDims, out)];
    }
    case 'Unsqueeze': {
      const axesRaw = opset >= 13 ? toNumbers(inputs[1]!) : a.ints('axes', []);
      const r = x.dims.length + axesRaw.length;
      const axes = axesRaw.map((ax) => normAxis(ax, r, 'Unsqueeze'));
      const dims: number[] = [];
      let k = 0;
      for (let i = 0; i < r; i++) dims.push(axes.includes(i) ? 1 : x.dims[k++]!);
      return [{ ...x, dims }];
    }
    case 'Squeeze': {
      const axesRaw = opset >= 13 ? (inputs[1] ? toNumbers(inputs[1]) : undefined) : a.ints('axes');
      const axes = axesRaw?.map((ax) => normAxis(ax, x.dims.length, 'Squeeze'));
      return [{ ...x, dims: x.dims.filter((d, i) => (axes ? !axes.includes(i) : d !== 1)) }];
    }
    case 'Flatten': {
      const axis = a.int('axis', 1);
      const ax = axis < 0 ? axis + x.dims.length : axis;
      return [{ ...x, dims: [numel(x.dims.slice(0, ax)), numel(x.dims.slice(ax))] }];
    }
    case 'Concat': {
      const ts = inputs.filter((t): t is HostTensor => !!t && numel(t.dims) >= 0);
      const rank = ts[0]!.dims.length;
      const axis = normAxis(a.int('axis', 0), rank, 'Concat');
      const outDims = ts[0]!.dims.slice();
      outDims[axis] = ts.reduce((s, t) => s + t.dims[axis]!, 0);
      const pre = numel(outDims.slice(0, axis));
      const out: number[] = [];
      const vals = ts.map(toNumbers);
      for (let p = 0; p < pre; p++) {
        ts.forEach((t, k) => {
          const chunk = numel(t.dims.slice(axis));
          for (let q = 0; q < chunk; q++) out.push(vals[k]![p * chunk + q]!);
        });
      }
      return [fromNumbers(ts[0]!.dtype, outDims, out)];
    }
    case 'Reshape':
      return [{ ...x, dims: reshapeDims(x.dims, toNumbers(inputs[1]!), a.int('allowzero', 0) === 1) }];
    case 'Slice': {
      const starts = opset >= 10 ? toNumbers(inputs[1]!) : a.ints('starts', []);
      const ends = opset >= 10 ? toNumbers(inputs[2]!) : a.ints('ends', []);
      const axes = opset >= 10 ? (inputs[3] ? toNumbers(inputs[3]) : undefined) : a.ints('axes');
      const steps = opset >= 10 && inputs[4] ? toNumbers(inputs[4]) : undefined;
      const p = sliceParams(x.dims, starts, ends, axes, steps);
      const src = toNumbers(x);
      const idx = gatherIndex(x.dims, (k, c) => p.start[k]! + c * p.step[k]!, p.size);
      return [
        fromNumbers(
          x.dtype,
          p.size,
          idx.map((i) => src[i]!),
        ),
      ];
    }
    case 'ConstantOfShape': {
      const dims = toNumbers(x);
      const v = a.tensor('value') ?? fromNumbers('float32', [1], [0]);
      const val = toNumbers(v)[0]!;
      return [fromNumbers(v.dtype, dims, new Array<number>(numel(dims)).fill(val))];
    }
    case 'Range': {
      const [s, l, d] = [x, inputs[1]!, inputs[2]!].map((t) => toNumbers(t)[0]!) as [number, number, number];
      const n = Math.max(Math.ceil((l - s) / d), 0);
      return [
        fromNumbers(
          x.dtype,
          [n],
          Array.from({ length: n }, (_, i) => s + i * d),
        ),
      ];
    }
    case 'Expand': {
      const shape = toNumbers(inputs[1]!);
      const dims = broadcastDims(x.dims, shape, 'Expand');
      const src = toNumbers(x);
      return [
        fromNumbers(
          x.dtype,
          dims,
          Array.from(broadcastIndex(x.dims, dims), (i) => src[i]!),
        ),
      ];
    }
    case 'Tile': {
      const reps = toNumbers(inputs[1]!);
      const dims = x.dims.map((d, i) => d * reps[i]!);
      const src = toNumbers(x);
      return [
        fromNumbers(
          x.dtype,
          dims,
          gatherIndex(x.dims, (k, c) => c % x.dims[k]!, dims).map((i) => src[i]!),
        ),
      ];
    }
    case 'Transpose': {
      const perm = a.ints('perm') ?? x.dims.map((_, i) => x.dims.length - 1 - i);
      return [transposeHost(x, perm)];
    }
    case 'Where':
      return [elementwise([x, inputs[1]!, inputs[2]!], inputs[1]!.dtype, (c, p, q) => (c ? p : q))];
    case 'Clip': {
      const lo = opset >= 11 ? (inputs[1] ? toNumbers(inputs[1])[0]! : -Infinity) : a.float('min', -Infinity);
      const hi = opset >= 11 ? (inputs[2] ? toNumbers(inputs[2])[0]! : Infinity) : a.float('max', Infinity);
      return [elementwise([x], x.dtype, (v) => Math.min(Math.max(v, lo), hi))];
    }
    case 'ReduceProd':
    case 'ReduceSum':
    case 'ReduceMin':
    case 'ReduceMax': {
      const axes = reduceAxes(node, a, inputs, opset, x.dims.length);
      const keep = a.int('keepdims', 1) === 1;
      const outDims = reduceOutDims(x.dims, axes, keep);
      const keptDims = x.dims.map((d, i) => (axes.includes(i) ? 1 : d));
      const init = op === 'ReduceProd' ? 1 : op === 'ReduceSum' ? 0 : op === 'ReduceMin' ? Infinity : -Infinity;
      const f =
        op === 'ReduceProd'
          ? (p: number, q: number) => p * q
          : op === 'ReduceSum'
            ? (p: number, q: number) => p + q
            : op === 'ReduceMin'
              ? Math.min
              : Math.max;
      const out = new Array<number>(numel(keptDims)).fill(init);
      const src = toNumbers(x);
      const inStr = strides(x.dims);
      const kStr = strides(keptDims);
      for (let i = 0; i < src.length; i++) {
        let rem = i,
          off = 0;
        for (let k = 0; k < x.dims.length; k++) {
          const c = Math.floor(rem / inStr[k]!);
          rem -= c * inStr[k]!;
          if (keptDims[k] !== 1) off += c * kStr[k]!;
        }
        out[off] = f(out[off]!, src[i]!);
      }
      return [fromNumbers(x.dtype, outDims, out)];
    }
    case 'Split': {
      const axis = normAxis(a.int('axis', 0), x.dims.length, 'Split');
      const parts = splitSizes(node, a, inputs[1] ? toNumbers(inputs[1]) : undefined, x.dims[axis]!, opset);
      const outs: HostTensor[] = [];
      let at = 0;
      for (const p of parts) {
        const dims = x.dims.slice();
        dims[axis] = p;
        const src = toNumbers(x);
        const start = at;
        outs.push(
          fromNumbers(
            x.dtype,
            dims,
            gatherIndex(x.dims, (k, c) => (k === axis ? start + c : c), dims).map((i) => src[i]!),
          ),
        );
        at += p;
      }
      return outs;
    }
  }
  throw new Error(`no host evaluation for ${op}`);
}

export function splitSizes(
  node: NodeProto,
  a: Attrs,
  splitInput: number[] | undefined,
  dim: number,
  opset: number,
): number[] {
  const given = opset >= 13 ? splitInput : a.ints('split');
  if (given?.length) return given;
  const n = a.int('num_outputs') ?? node.output.length;
  const chunk = Math.ceil(dim / n);
  return Array.from({ length: n }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
}

export function reshapeDims(dims: readonly number[], shape: number[], allowzero: boolean): number[] {
  const out = shape.map((s, i) => (s === 0 && !allowzero ? dims[i]! : s));
  const known = out.filter((d) => d !== -1).reduce((p, q) => p * q, 1);
  const minus = out.indexOf(-1);
  const total = numel(dims);
  if (minus >= 0) out[minus] = known === 0 ? 0 : total / known;
  if (numel(out) !== total || !out.every(Number.isInteger))
    throw new Error(`Reshape: cannot reshape [${dims}] to [${shape}]`);
  return out;
}
