// Vector-Jacobian products, one rule per op. A rule gets the node, the gradients of its outputs
// (undefined where no gradient flows) and which inputs need a gradient, and returns one gradient
// name (or undefined) per input. Rules only emit standard ai.onnx ops that run on WebGPU
// (no Sign, Sum, Mean, ConstantOfShape, …).
import { TensorProto_DataType, type NodeProto } from 'onnx-buf';
import { windowGeometry } from './conv.js';
import { groupedConv } from './grouped-conv.js';
import { type Attrs, describeNode, normAxis, numel } from './graph.js';
import { fromNumbers, sliceParams, splitSizes, toNumbers } from './host.js';
import {
  add,
  div,
  expand,
  heldOnce,
  inversePerm,
  mask,
  mul,
  neg,
  pad,
  reduce,
  reshape,
  scalarLike,
  slice,
  sub,
  sum,
  swapLast,
  transpose,
  unbroadcast,
  zeros,
} from './ops.js';
import { reduceAxesOf } from './shapes.js';
import type { GraphState } from './state.js';
import { averagePoolGrad, convInputGrad, convWeightGrad, maxPoolGrad, windowAttrs } from './window-grads.js';

export interface VjpArgs {
  s: GraphState;
  node: NodeProto;
  a: Attrs;
  /** input names ('' for omitted optional inputs) */
  x: string[];
  /** output names */
  y: string[];
  dy: (string | undefined)[];
  needs: boolean[];
  /** which runtimes the gradient model is for (see GradientOptions.target) */
  target: 'any' | 'cpu';
}

export type Grads = (string | undefined)[];
export type VjpRule = (v: VjpArgs) => Grads;

/** Which inputs are float data that can carry a gradient is decided by the caller; these ops never pass one. */
export const NON_DIFFERENTIABLE = new Set([
  'Shape',
  'Size',
  'ArgMax',
  'ArgMin',
  'Equal',
  'Less',
  'Greater',
  'LessOrEqual',
  'GreaterOrEqual',
  'Not',
  'And',
  'Or',
  'Xor',
  'IsNaN',
  'IsInf',
  'Sign',
  'Floor',
  'Ceil',
  'Round',
  'NonZero',
  'OneHot',
  'EyeLike',
  'RandomNormal',
  'RandomUniform',
  'RandomNormalLike',
  'RandomUniformLike',
  'Bernoulli',
  'Multinomial',
  'ConstantOfShape',
  'Range',
  'Hardmax',
  'Constant',
]);

const dims = (v: VjpArgs, i: number) => v.s.dims(v.x[i]!);
const dyOf = (v: VjpArgs) => v.dy[0]!;

/** Gradients for the inputs that need one; `f` runs only for those. */
function each(v: VjpArgs, ...fs: ((() => string) | undefined)[]): Grads {
  return fs.map((f, i) => (v.needs[i] && f ? f() : undefined));
}

function unary(f: (v: VjpArgs, dy: string) => string): VjpRule {
  return (v) => each(v, () => f(v, dyOf(v)));
}

function softmaxAxes(v: VjpArgs): number[] {
  const r = dims(v, 0).length;
  if (v.s.opset >= 13) return [normAxis(v.a.int('axis', -1), r, describeNode(v.node))];
  const axis = normAxis(v.a.int('axis', 1), r, describeNode(v.node));
  return Array.from({ length: r - axis }, (_, i) => axis + i);
}

/** dy of a reduction, reshaped to keepdims form so it broadcasts against the input. */
function keptGrad(v: VjpArgs, axes: number[]): string {
  const xd = dims(v, 0);
  return reshape(
    v.s,
    dyOf(v),
    xd.map((d, i) => (axes.includes(i) ? 1 : d)),
  );
}

function reduceAxes(v: VjpArgs): number[] {
  return reduceAxesOf(v.node, (k) => (v.x[k] ? v.s.constValue(v.x[k]!) : undefined), v.s.opset, dims(v, 0).length);
}

/** Mean and reciprocal standard deviation over `axes`, recomputed with plain ops. */
function normalized(s: GraphState, x: string, axes: number[], eps: number) {
  const mu = reduce(s, 'ReduceMean', x, axes, true);
  const xc = sub(s, x, mu);
  const variance = reduce(s, 'ReduceMean', mul(s, xc, xc), axes, true);
  const rstd = s.op('Reciprocal', [s.op('Sqrt', [add(s, variance, scalarLike(s, eps, x))])]);
  return { xhat: mul(s, xc, rstd), rstd };
}

/**
 * The forward LayerNormalization can also output its mean and 1/std: for float32 (where those
 * outputs have the input's type) the backward pass asks it for them instead of recomputing.
 */
function layerNormStats(v: VjpArgs, axes: number[]) {
  const { s, node } = v;
  const x = v.x[0]!;
  if (s.dtype(x) !== 'float32' || v.a.int('stash_type', 1) !== 1)
    return normalized(s, x, axes, v.a.float('epsilon', 1e-5));
  const statDims = s.dims(x).map((d, i) => (axes.includes(i) ? 1 : d));
  const names = [node.output[1] || s.fresh('ln_mean'), node.output[2] || s.fresh('ln_rstd')] as [string, string];
  node.output = [node.output[0]!, ...names];
  for (const n of names) s.types.set(n, { elemType: s.type(x).elemType, dims: statDims.slice() });
  return { xhat: mul(s, sub(s, x, names[0]), names[1]), rstd: names[1] };
}

/** dX of y = xhat * scale + b where xhat is x normalized over `axes`. */
function normGrad(s: GraphState, dxhat: string, xhat: string, rstd: string, axes: number[]): string {
  const m1 = reduce(s, 'ReduceMean', dxhat, axes, true);
  const m2 = reduce(s, 'ReduceMean', mul(s, dxhat, xhat), axes, true);
  return mul(s, rstd, sub(s, sub(s, dxhat, m1), mul(s, xhat, m2)));
}

/**
 * LayerNormalization's backward needs g = dy·scale and g − mean(g). When dy is MatMul(a, C) with a
 * constant C (a LayerNorm feeding a Linear layer, the transformer pattern) and the scale is
 * constant too, both are linear in a: g − mean(g) = MatMul(a, C'), with C' = C·scale centred along
 * its rows, computed here once. That leaves two reductions' worth of work for one.
 */
function centeredByMatMul(s: GraphState, dy: string, scale: string, axes: number[], rank: number): string | undefined {
  if (axes.length !== 1 || axes[0] !== rank - 1) return undefined;
  const p = s.producer(dy);
  if (p?.opType !== 'MatMul' || p.output[0] !== s.resolve(dy)) return undefined;
  if (heldOnce(s, p.input[1]!)) return undefined; // its centred copy would double the weight
  const c = s.constValue(p.input[1]!);
  const w = s.constValue(scale);
  if (!c || !w || c.dims.length !== 2 || s.dims(p.input[0]!).length < 2) return undefined;
  const [K, D] = c.dims as [number, number];
  const wv = toNumbers(w);
  if (wv.length !== D && wv.length !== 1) return undefined;
  const cv = toNumbers(c);
  const out = new Array<number>(K * D);
  for (let k = 0; k < K; k++) {
    let mean = 0;
    for (let j = 0; j < D; j++) mean += out[k * D + j] = cv[k * D + j]! * wv[wv.length === 1 ? 0 : j]!;
    mean /= D;
    for (let j = 0; j < D; j++) out[k * D + j]! -= mean;
  }
  return s.op('MatMul', [p.input[0]!, s.constant(fromNumbers(c.dtype, [K, D], out), 'centred_weight')]);
}

/** A constant int tensor of the given values. */
function matrix(s: GraphState, like: string, rows: number, cols: number, f: (r: number, c: number) => number): string {
  const v = new Array<number>(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) v[r * cols + c] = f(r, c);
  return s.constant(fromNumbers(s.dtype(like), [rows, cols], v), 'select');
}

/** Moves `axis` last, applies MatMul with `m` ([n_in, n_out]), moves it back. */
function alongAxis(s: GraphState, x: string, axis: number, m: string): string {
  const r = s.dims(x).length;
  const perm = Array.from({ length: r }, (_, i) => i).filter((i) => i !== axis);
  perm.push(axis);
  const t = transpose(s, x, perm);
  return transpose(s, s.op('MatMul', [t, m]), inversePerm(perm));
}

/** Windows that never share an element: each input has at most one window that can pick it. */
function disjointWindows(geo: ReturnType<typeof windowGeometry>): boolean {
  return geo.kernel.every((k, i) => geo.out[i] === 1 || geo.strides[i]! >= (k - 1) * geo.dilations[i]! + 1);
}

/**
 * MaxPool backward on CPU runtimes: the forward MaxPool also returns the argmax of each window and
 * MaxUnpool puts dy there. Only for disjoint windows (MaxUnpool writes, it does not add up).
 */
function maxUnpoolGrad(v: VjpArgs): string {
  const { s, node } = v;
  const xd = dims(v, 0);
  let indices = node.output[1];
  if (!indices) {
    indices = s.fresh('maxpool_argmax');
    node.output = [node.output[0]!, indices];
    s.types.set(indices, { elemType: TensorProto_DataType.INT64, dims: s.dims(node.output[0]!).slice() });
  }
  const geo = windowGeometry(node, xd);
  return s.op('MaxUnpool', [dyOf(v), indices, s.ints(xd)], {
    kernel_shape: geo.kernel,
    strides: geo.strides,
    pads: geo.pads,
  });
}

function matmulGrad(v: VjpArgs): Grads {
  const { s } = v;
  const ad = dims(v, 0),
    bd = dims(v, 1);
  const A = ad.length === 1 ? reshape(s, v.x[0]!, [1, ad[0]!]) : v.x[0]!;
  const B = bd.length === 1 ? reshape(s, v.x[1]!, [bd[0]!, 1]) : v.x[1]!;
  const a2 = s.dims(A),
    b2 = s.dims(B);
  const batch = s.dims(dyOf(v)).slice(0, Math.max(a2.length, b2.length) - 2);
  const dy = reshape(s, dyOf(v), [...batch, a2[a2.length - 2]!, b2[b2.length - 1]!]);
  const dB = () => {
    if (b2.length === 2 && a2.length > 2) {
      // A weight shared by a batch: one MatMul over the flattened rows, not one per batch and a sum.
      const K = a2[a2.length - 1]!,
        N = b2[1]!;
      const rows = numel(a2) / K;
      return reshape(
        s,
        s.op('MatMul', [transpose(s, reshape(s, A, [rows, K]), [1, 0]), reshape(s, dy, [rows, N])]),
        bd,
      );
    }
    return reshape(s, unbroadcast(s, s.op('MatMul', [swapLast(s, A), dy]), b2), bd);
  };
  const dA = () => {
    if (b2.length === 2 && heldOnce(s, B)) {
      // dy · Bᵀ with Gemm reading the weight transposed: no transposed copy of it in the model.
      const N = b2[1]!;
      const rows = numel(s.dims(dy)) / N;
      return reshape(s, s.op('Gemm', [reshape(s, dy, [rows, N]), B], { transB: 1 }), ad);
    }
    return reshape(s, unbroadcast(s, s.op('MatMul', [dy, swapLast(s, B)]), a2), ad);
  };
  return each(v, dA, dB);
}

function gemmGrad(v: VjpArgs): Grads {
  const { s, a } = v;
  const [A, B, C] = v.x as [string, string, string | undefined];
  const dy = dyOf(v);
  const alpha = a.float('alpha', 1),
    beta = a.float('beta', 1);
  const tA = a.int('transA', 0),
    tB = a.int('transB', 0);
  const gemm = (p: string, q: string, transA: number, transB: number) =>
    s.op('Gemm', [p, q], { alpha: { float: alpha }, transA, transB });
  return each(
    v,
    () => (tA ? gemm(B, dy, tB, 1) : gemm(dy, B, 0, tB ? 0 : 1)),
    () => (tB ? gemm(dy, A, 1, tA) : gemm(A, dy, tA ? 0 : 1, 0)),
    () => {
      const g = unbroadcast(s, dy, s.dims(C!));
      return beta === 1 ? g : mul(s, g, scalarLike(s, beta, dy));
    },
  );
}

function convGrad(v: VjpArgs): Grads {
  const { s } = v;
  const [x, w] = v.x as [string, string];
  const dy = dyOf(v);
  const geo = windowGeometry(v.node, dims(v, 0), dims(v, 1));
  const sp = dims(v, 0).slice(2);
  return each(
    v,
    () => convInputGrad(s, dy, w, geo, sp, geo.group),
    () => convWeightGrad(s, x, dy, geo, geo.group, v.target === 'cpu'),
    () =>
      sum(
        s,
        dy,
        s
          .dims(dy)
          .map((_, i) => i)
          .filter((i) => i !== 1),
        false,
      ),
  );
}

function convTransposeGrad(v: VjpArgs): Grads {
  const { s } = v;
  const [x, w] = v.x as [string, string];
  const dy = dyOf(v);
  const geo = windowGeometry(v.node, dims(v, 0), dims(v, 1));
  // ConvTranspose(x, W) is the adjoint of Conv(·, W) from y's shape to x's shape.
  const adj = { ...geo, out: dims(v, 0).slice(2) };
  return each(
    v,
    () => groupedConv(s, dy, w, windowAttrs(geo.kernel, geo.strides, geo.dilations, geo.pads, geo.group)),
    () => convWeightGrad(s, dy, x, adj, geo.group, v.target === 'cpu'),
    () =>
      sum(
        s,
        dy,
        s
          .dims(dy)
          .map((_, i) => i)
          .filter((i) => i !== 1),
        false,
      ),
  );
}

function sliceGrad(v: VjpArgs): Grads {
  const { s } = v;
  const xd = dims(v, 0);
  const c = (i: number) => (v.x[i] ? toNumbers(v.s.constValue(v.x[i]!)!) : undefined);
  const p =
    s.opset >= 10
      ? sliceParams(xd, c(1)!, c(2)!, c(3), c(4))
      : sliceParams(xd, v.a.ints('starts', []), v.a.ints('ends', []), v.a.ints('axes'));
  return each(v, () => {
    let g = dyOf(v);
    const pads = xd.map(() => 0).concat(xd.map(() => 0));
    xd.forEach((d, ax) => {
      const size = p.size[ax]!;
      if (p.step[ax] === 1) {
        pads[ax] = p.start[ax]!;
        pads[ax + xd.length] = d - p.start[ax]! - size;
      } else {
        // Strided or reversed: place each slice element with a 0/1 matrix [size, d].
        const m = matrix(s, g, size, d, (r, col) => (col === p.start[ax]! + r * p.step[ax]! ? 1 : 0));
        g = alongAxis(s, g, ax, m);
      }
    });
    return pad(s, g, pads);
  });
}

function padGrad(v: VjpArgs): Grads {
  const { s } = v;
  const xd = dims(v, 0);
  const r = xd.length;
  const mode = v.a.string('mode', 'constant');
  if (mode !== 'constant')
    throw new Error(`${describeNode(v.node)}: only constant-mode Pad has a gradient rule (mode is '${mode}')`);
  const raw = s.opset >= 11 ? toNumbers(s.constValue(v.x[1]!)!) : v.a.ints('pads', []);
  const axes =
    s.opset >= 18 && v.x[3] ? toNumbers(s.constValue(v.x[3]!)!).map((a) => normAxis(a, r, 'Pad')) : xd.map((_, i) => i);
  const pads = new Array<number>(2 * r).fill(0);
  axes.forEach((ax, i) => {
    pads[ax] = raw[i]!;
    pads[ax + r] = raw[i + axes.length]!;
  });
  const dy = dyOf(v);
  const yd = s.dims(dy);
  const dx = () => {
    // Positive pads are cut off again; negative pads (crops) come back as zeros.
    const cut = slice(
      s,
      dy,
      xd.map((_, i) => i),
      xd.map((_, i) => Math.max(pads[i]!, 0)),
      xd.map((_, i) => yd[i]! - Math.max(pads[i + r]!, 0)),
    );
    return pad(
      s,
      cut,
      pads.map((p) => Math.max(-p, 0)),
    );
  };
  const dValue = () => {
    const inner = sum(
      s,
      dx(),
      xd.map((_, i) => i),
      false,
    );
    return sub(
      s,
      sum(
        s,
        dy,
        yd.map((_, i) => i),
        false,
      ),
      inner,
    );
  };
  return each(v, dx, undefined, dValue);
}

function gatherGrad(v: VjpArgs): Grads {
  const { s } = v;
  const xd = dims(v, 0);
  const axis = normAxis(v.a.int('axis', 0), xd.length, describeNode(v.node));
  const V = xd[axis]!;
  return each(v, () => {
    const idx = v.x[1]!;
    const n = numel(s.dims(idx));
    let flat = idx;
    let range = s.constant(
      fromNumbers(
        s.dtype(idx),
        [V, 1],
        Array.from({ length: V }, (_, i) => i),
      ),
      'range',
    );
    if (!s.isConst(idx)) {
      // Runtime indices become floats by a Gather from 0..V−1 (which also resolves negative ones):
      // WebGPU runs int64 arithmetic and comparisons on the CPU. Exact below 2^24 rows.
      const numbers = Array.from({ length: V }, (_, i) => i);
      flat = reshape(
        s,
        s.op('Gather', [s.constant(fromNumbers(s.dtype(v.x[0]!), [V], numbers), 'row_numbers'), idx], { axis: 0 }),
        [1, n],
      );
      range = s.constant(fromNumbers(s.dtype(v.x[0]!), [V, 1], numbers), 'range');
    } else {
      const vals = toNumbers(s.constValue(idx)!).map((i) => (i < 0 ? i + V : i));
      if (vals.every((i, k) => i === vals[0]! + k)) {
        // A run of consecutive indices is a Slice: its gradient is a zero Pad around dy, which
        // the accumulation concatenates with the gradients of neighbouring pieces.
        const inner = reshape(
          s,
          dyOf(v),
          xd.map((d, k) => (k === axis ? n : d)),
        );
        return pad(s, inner, [
          ...xd.map((_, k) => (k === axis ? vals[0]! : 0)),
          ...xd.map((_, k) => (k === axis ? V - vals[0]! - n : 0)),
        ]);
      }
      flat = s.constant(fromNumbers(s.dtype(idx), [1, n], vals), 'indices');
    }
    // onehotT[v, k] = (idx[k] == v): the scatter-add of Gather as a MatMul.
    const onehotT = mask(s, s.op('Equal', [range, flat]), v.x[0]!);
    const pre = numel(xd.slice(0, axis)),
      post = numel(xd.slice(axis + 1));
    const dy3 = reshape(s, dyOf(v), [pre, n, post]);
    return reshape(s, s.op('MatMul', [onehotT, dy3]), xd);
  });
}

function reduceMaxGrad(v: VjpArgs): Grads {
  const { s } = v;
  const axes = reduceAxes(v);
  const keptY = reshape(
    s,
    v.y[0]!,
    dims(v, 0).map((d, i) => (axes.includes(i) ? 1 : d)),
  );
  return each(v, () => {
    const m = mask(s, s.op('Equal', [v.x[0]!, keptY]), v.x[0]!);
    // Ties share the gradient equally, as PyTorch's amax/amin do.
    return mul(s, m, div(s, keptGrad(v, axes), sum(s, m, axes, true)));
  });
}

function minMaxGrad(v: VjpArgs): Grads {
  const { s } = v;
  return v.x.map((x, i) =>
    v.needs[i] ? unbroadcast(s, mul(s, dyOf(v), mask(s, s.op('Equal', [x, v.y[0]!]), x)), s.dims(x)) : undefined,
  );
}

/** Indices along `d` with negatives wrapped (on the host when they are constant). */
function wrapIndices(s: GraphState, idx: string, d: number): string {
  const c = s.constValue(idx);
  if (c)
    return s.constant(
      fromNumbers(
        c.dtype,
        c.dims,
        toNumbers(c).map((i) => (i < 0 ? i + d : i)),
      ),
      'indices',
    );
  const z = s.scalar(0, s.dtype(idx));
  return s.op('Where', [s.op('Less', [idx, z]), add(s, idx, s.scalar(d, s.dtype(idx))), idx]);
}

/**
 * Adjoint of GatherElements(x, idx, axis): each dy element is added at its index along `axis`,
 * written as a one-hot comparison and a ReduceSum (no ScatterElements, which WebGPU lacks).
 */
function gatherElementsAdjoint(
  s: GraphState,
  dy: string,
  idx: string,
  axis: number,
  xDims: number[],
  like: string,
): string {
  const e = s.dims(idx);
  const r = e.length;
  const d = xDims[axis]!;
  const wrapped = wrapIndices(s, idx, d);
  const ie = reshape(s, wrapped, [...e.slice(0, axis + 1), 1, ...e.slice(axis + 1)]);
  const rangeDims = e.map(() => 1);
  rangeDims.splice(axis + 1, 0, d);
  const range = s.constant(
    fromNumbers(
      s.dtype(idx),
      rangeDims,
      Array.from({ length: d }, (_, i) => i),
    ),
    'range',
  );
  const onehot = mask(s, s.op('Equal', [ie, range]), like);
  const dye = reshape(s, dy, [...e.slice(0, axis + 1), 1, ...e.slice(axis + 1)]);
  const g = sum(s, mul(s, onehot, dye), [axis], false);
  const pads = [...xDims.map(() => 0), ...xDims.map((x, k) => (k === axis ? 0 : x - e[k]!))];
  return r === xDims.length ? pad(s, g, pads) : g;
}

function parseEinsum(eq: string, where: string) {
  const clean = eq.replace(/\s/g, '');
  if (!clean.includes('->') || clean.includes('.'))
    throw new Error(`${where}: Einsum needs an explicit output and no ellipsis ('${eq}')`);
  const [lhs, out] = clean.split('->') as [string, string];
  const terms = lhs.split(',');
  for (const t of terms)
    if (new Set(t).size !== t.length)
      throw new Error(`${where}: Einsum term '${t}' repeats an index (diagonals have no rule)`);
  return { terms, out };
}

function einsumGrad(v: VjpArgs): Grads {
  const { s } = v;
  const { terms, out } = parseEinsum(v.a.string('equation', ''), describeNode(v.node));
  return v.x.map((x, i) => {
    if (!v.needs[i]) return undefined;
    const term = terms[i]!;
    const others = terms.filter((_, k) => k !== i);
    const avail = new Set([...out, ...others.join('')]);
    // Letters only this operand had were summed away: their gradient is a broadcast.
    const kept = [...term].filter((c) => avail.has(c)).join('');
    const g = s.op('Einsum', [dyOf(v), ...v.x.filter((_, k) => k !== i)], {
      equation: `${[out, ...others].join(',')}->${kept}`,
    });
    const xd = s.dims(x);
    return expand(
      s,
      reshape(
        s,
        g,
        [...term].map((c, k) => (avail.has(c) ? xd[k]! : 1)),
      ),
      xd,
    );
  });
}

function gatherNDGrad(v: VjpArgs): Grads {
  const { s } = v;
  if (v.a.int('batch_dims', 0) !== 0) throw new Error(`${describeNode(v.node)}: GatherND with batch_dims has no rule`);
  return each(v, () => {
    const xd = dims(v, 0);
    const idx = v.x[1]!;
    const id = s.dims(idx);
    const q = id[id.length - 1]!;
    const lead = xd.slice(0, q);
    const P = numel(lead);
    const M = numel(id.slice(0, -1));
    const R = numel(xd.slice(q));
    const strides = lead.map((_, k) => numel(lead.slice(k + 1)));
    const c = s.constValue(idx);
    let lin: string;
    if (c) {
      const iv = toNumbers(c);
      lin = s.constant(
        fromNumbers(
          'int64',
          [1, M],
          Array.from({ length: M }, (_, m) =>
            strides.reduce((acc, st, k) => {
              const t = iv[m * q + k]!;
              return acc + (t < 0 ? t + lead[k]! : t) * st;
            }, 0),
          ),
        ),
        'linear_index',
      );
    } else {
      const wrapped = s.op('Where', [
        s.op('Less', [idx, s.scalar(0, s.dtype(idx))]),
        add(s, idx, s.constant(fromNumbers(s.dtype(idx), [q], lead), 'dims')),
        idx,
      ]);
      lin = reshape(
        s,
        sum(s, mul(s, wrapped, s.constant(fromNumbers(s.dtype(idx), [q], strides), 'strides')), [id.length - 1], false),
        [1, M],
      );
    }
    const range = s.constant(
      fromNumbers(
        s.dtype(lin),
        [P, 1],
        Array.from({ length: P }, (_, i) => i),
      ),
      'range',
    );
    const onehotT = mask(s, s.op('Equal', [range, lin]), v.x[0]!);
    return reshape(s, s.op('MatMul', [onehotT, reshape(s, dyOf(v), [M, R])]), xd);
  });
}

function scatterGrad(kind: 'ScatterND' | 'ScatterElements'): VjpRule {
  return (v) => {
    const { s } = v;
    const reduction = v.a.string('reduction', 'none');
    if (reduction !== 'none')
      throw new Error(`${describeNode(v.node)}: ${kind} with reduction '${reduction}' has no rule`);
    const [, idx, upd] = v.x as [string, string, string];
    const axis = kind === 'ScatterElements' ? normAxis(v.a.int('axis', 0), dims(v, 0).length, describeNode(v.node)) : 0;
    const attrs = kind === 'ScatterElements' ? { axis } : {};
    return each(
      v,
      () => s.op(kind, [dyOf(v), idx, zeros(s, upd)], attrs),
      undefined,
      () => s.op(kind === 'ScatterND' ? 'GatherND' : 'GatherElements', [dyOf(v), idx], attrs),
    );
  };
}

function acting(f: (s: GraphState, x: string, y: string, dy: string, a: Attrs) => string): VjpRule {
  return unary((v, dy) => f(v.s, v.x[0]!, v.y[0]!, dy, v.a));
}

function gt(s: GraphState, x: string, c: number): string {
  return s.op('Greater', [x, scalarLike(s, c, x)]);
}

function signOf(s: GraphState, x: string): string {
  const z = scalarLike(s, 0, x);
  return sub(s, mask(s, s.op('Greater', [x, z]), x), mask(s, s.op('Less', [x, z]), x));
}

export const RULES: Record<string, VjpRule> = {
  Add: (v) =>
    each(
      v,
      () => unbroadcast(v.s, dyOf(v), dims(v, 0)),
      () => unbroadcast(v.s, dyOf(v), dims(v, 1)),
    ),
  Sub: (v) =>
    each(
      v,
      () => unbroadcast(v.s, dyOf(v), dims(v, 0)),
      () => neg(v.s, unbroadcast(v.s, dyOf(v), dims(v, 1))),
    ),
  Mul: (v) => {
    if (v.x[0] === v.x[1]) {
      // x·x: both inputs are the same value, one contribution of 2·dy·x.
      const t = mul(v.s, dyOf(v), v.x[0]!);
      return [unbroadcast(v.s, add(v.s, t, t), dims(v, 0)), undefined];
    }
    return each(
      v,
      () => unbroadcast(v.s, mul(v.s, dyOf(v), v.x[1]!), dims(v, 0)),
      () => unbroadcast(v.s, mul(v.s, dyOf(v), v.x[0]!), dims(v, 1)),
    );
  },
  Div: (v) =>
    each(
      v,
      () => unbroadcast(v.s, div(v.s, dyOf(v), v.x[1]!), dims(v, 0)),
      () => unbroadcast(v.s, neg(v.s, div(v.s, mul(v.s, dyOf(v), v.y[0]!), v.x[1]!)), dims(v, 1)),
    ),
  Pow: (v) => {
    const { s } = v;
    const [x, e] = v.x as [string, string];
    return each(
      v,
      () => {
        const ec = s.constValue(e);
        const em1 = ec
          ? s.constant(
              fromNumbers(
                ec.dtype,
                ec.dims,
                toNumbers(ec).map((q) => q - 1),
              ),
              'exponent',
            )
          : sub(s, e, s.scalar(1, s.dtype(e)));
        const pow = ec && toNumbers(ec).every((q) => q === 2) ? x : s.op('Pow', [x, em1]);
        const ecast = s.dtype(e) === s.dtype(x) ? e : s.op('Cast', [e], { to: s.type(x).elemType });
        return unbroadcast(s, mul(s, dyOf(v), mul(s, ecast, pow)), dims(v, 0));
      },
      () => unbroadcast(s, mul(s, dyOf(v), mul(s, v.y[0]!, s.op('Log', [x]))), dims(v, 1)),
    );
  },
  Neg: unary((v, dy) => neg(v.s, dy)),
  Sqrt: unary((v, dy) => div(v.s, mul(v.s, dy, scalarLike(v.s, 0.5, dy)), v.y[0]!)),
  Reciprocal: unary((v, dy) => neg(v.s, mul(v.s, dy, mul(v.s, v.y[0]!, v.y[0]!)))),
  Exp: unary((v, dy) => mul(v.s, dy, v.y[0]!)),
  Log: unary((v, dy) => div(v.s, dy, v.x[0]!)),
  Tanh: unary((v, dy) => mul(v.s, dy, sub(v.s, scalarLike(v.s, 1, dy), mul(v.s, v.y[0]!, v.y[0]!)))),
  Sigmoid: unary((v, dy) => mul(v.s, dy, mul(v.s, v.y[0]!, sub(v.s, scalarLike(v.s, 1, dy), v.y[0]!)))),
  // The sign is read from the output (y > 0 exactly where x > 0, for slopes α ≥ 0): the output is
  // kept for the next layer anyway, so the backward does not keep the input alive as well.
  Relu: unary((v, dy) =>
    v.s.op('Where', [v.s.op('Greater', [v.y[0]!, scalarLike(v.s, 0, dy)]), dy, scalarLike(v.s, 0, dy)]),
  ),
  // dy · (α + (1 − α)·[x > 0]) rather than Where(x > 0, dy, α·dy): onnxruntime's CPU Where is
  // slow on large maps (a 1024 px StyleGAN2 layer's map: 450–750 ms in a profiled step, the
  // mask's Cast and the elementwise ops about 60 ms).
  LeakyRelu: unary((v, dy) => {
    const { s } = v;
    const alpha = v.a.float('alpha', 0.01);
    const positive = mask(s, s.op('Greater', [alpha >= 0 ? v.y[0]! : v.x[0]!, scalarLike(s, 0, dy)]), dy);
    const slope = add(s, mul(s, positive, scalarLike(s, 1 - alpha, dy)), scalarLike(s, alpha, dy));
    return mul(s, dy, slope);
  }),
  Abs: unary((v, dy) => mul(v.s, dy, signOf(v.s, v.x[0]!))),
  Clip: unary((v, dy) => {
    const { s } = v;
    const x = v.x[0]!;
    const lo = s.opset >= 11 ? v.x[1] : v.a.has('min') ? scalarLike(s, v.a.float('min', 0), x) : undefined;
    const hi = s.opset >= 11 ? v.x[2] : v.a.has('max') ? scalarLike(s, v.a.float('max', 0), x) : undefined;
    let g = dy;
    if (lo) g = mul(s, g, mask(s, s.op('GreaterOrEqual', [x, lo]), x));
    if (hi) g = mul(s, g, mask(s, s.op('LessOrEqual', [x, hi]), x));
    return g;
  }),
  Erf: unary((v, dy) => {
    const { s } = v;
    const x = v.x[0]!;
    return mul(s, dy, mul(s, scalarLike(s, 2 / Math.sqrt(Math.PI), x), s.op('Exp', [neg(s, mul(s, x, x))])));
  }),
  Sin: unary((v, dy) => mul(v.s, dy, v.s.op('Cos', [v.x[0]!]))),
  Cos: unary((v, dy) => neg(v.s, mul(v.s, dy, v.s.op('Sin', [v.x[0]!])))),
  Softplus: unary((v, dy) => mul(v.s, dy, v.s.op('Sigmoid', [v.x[0]!]))),
  Elu: unary((v, dy) => {
    const { s } = v;
    const alpha = s.op('Add', [v.y[0]!, scalarLike(s, v.a.float('alpha', 1), dy)]);
    return s.op('Where', [s.op('Greater', [v.x[0]!, scalarLike(s, 0, dy)]), dy, mul(s, dy, alpha)]);
  }),
  Softsign: unary((v, dy) => {
    const d = add(v.s, scalarLike(v.s, 1, dy), v.s.op('Abs', [v.x[0]!]));
    return div(v.s, dy, mul(v.s, d, d));
  }),
  PRelu: (v) => {
    const { s } = v;
    const [x, slope] = v.x as [string, string];
    const pos = s.op('Greater', [x, scalarLike(s, 0, x)]);
    return each(
      v,
      () => unbroadcast(s, s.op('Where', [pos, dyOf(v), mul(s, dyOf(v), slope)]), dims(v, 0)),
      () => unbroadcast(s, s.op('Where', [pos, scalarLike(s, 0, x), mul(s, dyOf(v), x)]), dims(v, 1)),
    );
  },
  MatMul: matmulGrad,
  Gemm: gemmGrad,
  Identity: unary((_, dy) => dy),
  Dropout: unary((_, dy) => dy),
  Cast: unary((v, dy) =>
    v.s.dtype(dy) === v.s.dtype(v.x[0]!) ? dy : v.s.op('Cast', [dy], { to: v.s.type(v.x[0]!).elemType }),
  ),
  Reshape: unary((v, dy) => reshape(v.s, dy, dims(v, 0))),
  Flatten: unary((v, dy) => reshape(v.s, dy, dims(v, 0))),
  Squeeze: unary((v, dy) => reshape(v.s, dy, dims(v, 0))),
  Unsqueeze: unary((v, dy) => reshape(v.s, dy, dims(v, 0))),
  Transpose: unary((v, dy) => {
    const r = dims(v, 0).length;
    const perm = v.a.ints('perm') ?? Array.from({ length: r }, (_, i) => r - 1 - i);
    return transpose(v.s, dy, inversePerm(perm));
  }),
  Concat: (v) => {
    const { s } = v;
    const r = dims(v, 0).length;
    const axis = normAxis(v.a.int('axis', 0), r, describeNode(v.node));
    let at = 0;
    return v.x.map((x, i) => {
      const len = s.dims(x)[axis]!;
      const start = at;
      at += len;
      return v.needs[i] ? slice(s, dyOf(v), [axis], [start], [start + len]) : undefined;
    });
  },
  Split: (v) => {
    const { s } = v;
    const xd = dims(v, 0);
    const axis = normAxis(v.a.int('axis', 0), xd.length, describeNode(v.node));
    const split = s.opset >= 13 && v.x[1] ? toNumbers(s.constValue(v.x[1])!) : undefined;
    const sizes = splitSizes(v.node, v.a, split, xd[axis]!, s.opset);
    return each(v, () => {
      const parts = v.y.map(
        (_, i) =>
          v.dy[i] ??
          zeros(
            s,
            v.x[0]!,
            xd.map((d, k) => (k === axis ? sizes[i]! : d)),
          ),
      );
      return parts.length === 1 ? parts[0]! : s.op('Concat', parts, { axis });
    });
  },
  Slice: sliceGrad,
  Pad: padGrad,
  Gather: gatherGrad,
  Expand: (v) => each(v, () => unbroadcast(v.s, dyOf(v), dims(v, 0))),
  Tile: (v) =>
    each(v, () => {
      const xd = dims(v, 0);
      const reps = toNumbers(v.s.constValue(v.x[1]!)!);
      const split = xd.flatMap((d, i) => [reps[i]!, d]);
      return sum(
        v.s,
        reshape(v.s, dyOf(v), split),
        xd.map((_, i) => 2 * i),
        false,
      );
    }),
  Where: (v) => {
    const { s } = v;
    const zero = scalarLike(s, 0, dyOf(v));
    return each(
      v,
      undefined,
      () => unbroadcast(s, s.op('Where', [v.x[0]!, dyOf(v), zero]), dims(v, 1)),
      () => unbroadcast(s, s.op('Where', [v.x[0]!, zero, dyOf(v)]), dims(v, 2)),
    );
  },
  Sum: (v) => v.x.map((x, i) => (v.needs[i] ? unbroadcast(v.s, dyOf(v), v.s.dims(x)) : undefined)),
  Mean: (v) =>
    v.x.map((x, i) =>
      v.needs[i] ? unbroadcast(v.s, mul(v.s, dyOf(v), scalarLike(v.s, 1 / v.x.length, x)), v.s.dims(x)) : undefined,
    ),
  Max: minMaxGrad,
  Min: minMaxGrad,
  ReduceSum: (v) => each(v, () => expand(v.s, keptGrad(v, reduceAxes(v)), dims(v, 0))),
  ReduceMean: (v) =>
    each(v, () => {
      const axes = reduceAxes(v);
      const count = axes.reduce((p, ax) => p * dims(v, 0)[ax]!, 1);
      return expand(v.s, mul(v.s, keptGrad(v, axes), scalarLike(v.s, 1 / count, v.x[0]!)), dims(v, 0));
    }),
  ReduceL2: (v) =>
    each(v, () => {
      const axes = reduceAxes(v);
      const y = reshape(
        v.s,
        v.y[0]!,
        dims(v, 0).map((d, i) => (axes.includes(i) ? 1 : d)),
      );
      return mul(v.s, v.x[0]!, div(v.s, keptGrad(v, axes), y));
    }),
  ReduceSumSquare: (v) =>
    each(v, () => mul(v.s, mul(v.s, v.x[0]!, scalarLike(v.s, 2, v.x[0]!)), keptGrad(v, reduceAxes(v)))),
  ReduceL1: (v) => each(v, () => mul(v.s, signOf(v.s, v.x[0]!), keptGrad(v, reduceAxes(v)))),
  ReduceLogSumExp: (v) =>
    each(v, () => {
      const axes = reduceAxes(v);
      const y = reshape(
        v.s,
        v.y[0]!,
        dims(v, 0).map((d, i) => (axes.includes(i) ? 1 : d)),
      );
      return mul(v.s, v.s.op('Exp', [sub(v.s, v.x[0]!, y)]), keptGrad(v, axes));
    }),
  ReduceMax: reduceMaxGrad,
  ReduceMin: reduceMaxGrad,
  Softmax: unary((v, dy) => {
    const y = v.y[0]!;
    return mul(v.s, y, sub(v.s, dy, sum(v.s, mul(v.s, dy, y), softmaxAxes(v), true)));
  }),
  LogSoftmax: unary((v, dy) => sub(v.s, dy, mul(v.s, v.s.op('Exp', [v.y[0]!]), sum(v.s, dy, softmaxAxes(v), true)))),
  Conv: convGrad,
  ConvTranspose: convTransposeGrad,
  MaxPool: (v) => {
    if (v.a.int('storage_order', 0) !== 0 && v.y.length > 1)
      throw new Error(`${describeNode(v.node)}: storage_order 1 is not supported`);
    return each(v, () =>
      v.target === 'cpu' && v.s.opset >= 11 && disjointWindows(windowGeometry(v.node, dims(v, 0)))
        ? maxUnpoolGrad(v)
        : maxPoolGrad(v.s, v.node, v.x[0]!, dyOf(v), v.target === 'cpu'),
    );
  },
  AveragePool: (v) =>
    each(v, () => averagePoolGrad(v.s, v.node, v.x[0]!, dyOf(v), v.a.int('count_include_pad', 0) === 1)),
  GlobalAveragePool: unary((v, dy) => {
    const xd = dims(v, 0);
    return expand(v.s, mul(v.s, dy, scalarLike(v.s, 1 / numel(xd.slice(2)), dy)), xd);
  }),
  GlobalMaxPool: unary((v, dy) => mul(v.s, dy, mask(v.s, v.s.op('Equal', [v.x[0]!, v.y[0]!]), v.x[0]!))),
  LayerNormalization: (v) => {
    const { s } = v;
    if (v.dy[1] || v.dy[2])
      throw new Error(`${describeNode(v.node)}: gradients through its Mean/InvStdDev outputs are not supported`);
    const xd = dims(v, 0);
    const axis = normAxis(v.a.int('axis', -1), xd.length, describeNode(v.node));
    const axes = xd.map((_, i) => i).filter((i) => i >= axis);
    const { xhat, rstd } = layerNormStats(v, axes);
    const dy = dyOf(v);
    const centered = !v.needs[1] && !v.needs[2] ? centeredByMatMul(s, dy, v.x[1]!, axes, xd.length) : undefined;
    return each(
      v,
      () =>
        centered
          ? mul(s, rstd, sub(s, centered, mul(s, xhat, reduce(s, 'ReduceMean', mul(s, centered, xhat), axes, true))))
          : normGrad(s, mul(s, dy, v.x[1]!), xhat, rstd, axes),
      () => unbroadcast(s, mul(s, dy, xhat), dims(v, 1)),
      () => unbroadcast(s, dy, dims(v, 2)),
    );
  },
  InstanceNormalization: (v) => {
    const { s } = v;
    const xd = dims(v, 0);
    const axes = xd.map((_, i) => i).filter((i) => i >= 2);
    const chan = xd.map((d, i) => (i === 1 ? d : 1));
    const others = xd.map((_, i) => i).filter((i) => i !== 1);
    const { xhat, rstd } = normalized(s, v.x[0]!, axes, v.a.float('epsilon', 1e-5));
    const dy = dyOf(v);
    return each(
      v,
      () => normGrad(s, mul(s, dy, reshape(s, v.x[1]!, chan)), xhat, rstd, axes),
      () => sum(s, mul(s, dy, xhat), others, false),
      () => sum(s, dy, others, false),
    );
  },
  BatchNormalization: (v) => {
    const { s } = v;
    if (v.a.int('training_mode', 0) === 1)
      throw new Error(
        `${describeNode(v.node)}: training-mode BatchNormalization has no gradient rule; export the model in eval mode`,
      );
    const xd = dims(v, 0);
    const chan = xd.map((d, i) => (i === 1 ? d : 1));
    const others = xd.map((_, i) => i).filter((i) => i !== 1);
    const [x, scale, , mean, variance] = v.x as [string, string, string, string, string];
    const rstd = s.op('Reciprocal', [
      s.op('Sqrt', [add(s, reshape(s, variance, chan), scalarLike(s, v.a.float('epsilon', 1e-5), x))]),
    ]);
    const sc = reshape(s, scale, chan);
    const xc = sub(s, x, reshape(s, mean, chan));
    const dy = dyOf(v);
    const flat = (t: string) => reshape(s, t, [xd[1]!]);
    return each(
      v,
      () => mul(s, dy, mul(s, sc, rstd)),
      () => sum(s, mul(s, dy, mul(s, xc, rstd)), others, false),
      () => sum(s, dy, others, false),
      () => flat(neg(s, mul(s, sum(s, dy, others, true), mul(s, sc, rstd)))),
      () => {
        const r3 = mul(s, rstd, mul(s, rstd, rstd));
        return flat(mul(s, sum(s, mul(s, dy, xc), others, true), mul(s, sc, mul(s, r3, scalarLike(s, -0.5, x)))));
      },
    );
  },
  CumSum: (v) =>
    each(v, () =>
      v.s.op('CumSum', [dyOf(v), v.x[1]!], {
        exclusive: v.a.int('exclusive', 0),
        reverse: v.a.int('reverse', 0) ? 0 : 1,
      }),
    ),
  HardSigmoid: acting((s, x, _y, dy, a) => {
    const alpha = a.float('alpha', 0.2),
      beta = a.float('beta', 0.5);
    const z = add(s, mul(s, x, scalarLike(s, alpha, x)), scalarLike(s, beta, x));
    const inside = mul(s, mask(s, gt(s, z, 0), x), mask(s, s.op('Less', [z, scalarLike(s, 1, x)]), x));
    return mul(s, dy, mul(s, inside, scalarLike(s, alpha, x)));
  }),
  HardSwish: acting((s, x, _y, dy) => {
    const mid = add(s, mul(s, x, scalarLike(s, 1 / 3, x)), scalarLike(s, 0.5, x));
    const inside = mul(s, mask(s, gt(s, x, -3), x), mask(s, s.op('Less', [x, scalarLike(s, 3, x)]), x));
    return mul(s, dy, add(s, mul(s, inside, mid), mask(s, s.op('GreaterOrEqual', [x, scalarLike(s, 3, x)]), x)));
  }),
  Gelu: acting((s, x, _y, dy, a) => {
    if (a.string('approximate', 'none') === 'tanh') {
      const k = Math.sqrt(2 / Math.PI);
      const x2 = mul(s, x, x);
      const inner = mul(
        s,
        mul(s, x, scalarLike(s, k, x)),
        add(s, scalarLike(s, 1, x), mul(s, x2, scalarLike(s, 0.044715, x))),
      );
      const t = s.op('Tanh', [inner]);
      const dinner = mul(
        s,
        scalarLike(s, k, x),
        add(s, scalarLike(s, 1, x), mul(s, x2, scalarLike(s, 3 * 0.044715, x))),
      );
      const half = scalarLike(s, 0.5, x);
      const d = add(
        s,
        mul(s, half, add(s, scalarLike(s, 1, x), t)),
        mul(s, mul(s, half, x), mul(s, sub(s, scalarLike(s, 1, x), mul(s, t, t)), dinner)),
      );
      return mul(s, dy, d);
    }
    const cdf = mul(
      s,
      scalarLike(s, 0.5, x),
      add(s, scalarLike(s, 1, x), s.op('Erf', [mul(s, x, scalarLike(s, Math.SQRT1_2, x))])),
    );
    const pdf = mul(
      s,
      scalarLike(s, 1 / Math.sqrt(2 * Math.PI), x),
      s.op('Exp', [mul(s, mul(s, x, x), scalarLike(s, -0.5, x))]),
    );
    return mul(s, dy, add(s, cdf, mul(s, x, pdf)));
  }),
  Selu: acting((s, x, y, dy, a) => {
    const gamma = a.float('gamma', 1.0507009873554805),
      alpha = a.float('alpha', 1.6732632423543772);
    return s.op('Where', [
      gt(s, x, 0),
      mul(s, dy, scalarLike(s, gamma, x)),
      mul(s, dy, add(s, y, scalarLike(s, gamma * alpha, x))),
    ]);
  }),
  Celu: acting((s, x, _y, dy, a) => {
    const alpha = a.float('alpha', 1);
    return s.op('Where', [gt(s, x, 0), dy, mul(s, dy, s.op('Exp', [mul(s, x, scalarLike(s, 1 / alpha, x))]))]);
  }),
  ThresholdedRelu: acting((s, x, _y, dy, a) => s.op('Where', [gt(s, x, a.float('alpha', 1)), dy, scalarLike(s, 0, x)])),
  Mish: acting((s, x, _y, dy) => {
    const t = s.op('Tanh', [s.op('Softplus', [x])]);
    return mul(s, dy, add(s, t, mul(s, mul(s, x, sub(s, scalarLike(s, 1, x), mul(s, t, t))), s.op('Sigmoid', [x]))));
  }),
  Tan: acting((s, x, y, dy) => mul(s, dy, add(s, scalarLike(s, 1, x), mul(s, y, y)))),
  Atan: acting((s, x, _y, dy) => div(s, dy, add(s, scalarLike(s, 1, x), mul(s, x, x)))),
  Asin: acting((s, x, _y, dy) => div(s, dy, s.op('Sqrt', [sub(s, scalarLike(s, 1, x), mul(s, x, x))]))),
  Acos: acting((s, x, _y, dy) => neg(s, div(s, dy, s.op('Sqrt', [sub(s, scalarLike(s, 1, x), mul(s, x, x))])))),
  Sinh: acting((s, x, _y, dy) => mul(s, dy, s.op('Cosh', [x]))),
  Cosh: acting((s, x, _y, dy) => mul(s, dy, s.op('Sinh', [x]))),
  Asinh: acting((s, x, _y, dy) => div(s, dy, s.op('Sqrt', [add(s, mul(s, x, x), scalarLike(s, 1, x))]))),
  Acosh: acting((s, x, _y, dy) => div(s, dy, s.op('Sqrt', [sub(s, mul(s, x, x), scalarLike(s, 1, x))]))),
  Atanh: acting((s, x, _y, dy) => div(s, dy, sub(s, scalarLike(s, 1, x), mul(s, x, x)))),
  ReduceProd: (v) =>
    each(v, () => {
      const axes = reduceAxes(v);
      const y = reshape(
        v.s,
        v.y[0]!,
        dims(v, 0).map((d, i) => (axes.includes(i) ? 1 : d)),
      );
      return div(v.s, mul(v.s, keptGrad(v, axes), y), v.x[0]!);
    }),
  Trilu: (v) => each(v, () => v.s.op('Trilu', v.x[1] ? [dyOf(v), v.x[1]] : [dyOf(v)], { upper: v.a.int('upper', 1) })),
  Einsum: einsumGrad,
  GatherElements: (v) =>
    each(v, () =>
      gatherElementsAdjoint(
        v.s,
        dyOf(v),
        v.x[1]!,
        normAxis(v.a.int('axis', 0), dims(v, 0).length, describeNode(v.node)),
        dims(v, 0),
        v.x[0]!,
      ),
    ),
  GatherND: gatherNDGrad,
  ScatterND: scatterGrad('ScatterND'),
  ScatterElements: scatterGrad('ScatterElements'),
  TopK: (v) =>
    each(v, () =>
      gatherElementsAdjoint(
        v.s,
        dyOf(v),
        v.y[1]!,
        normAxis(v.a.int('axis', -1), dims(v, 0).length, describeNode(v.node)),
        dims(v, 0),
        v.x[0]!,
      ),
    ),
};
