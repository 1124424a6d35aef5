// Clean-ups of the finished gradient graph that need to see every consumer of a value.
import type { NodeProto } from 'onnx-buf';
import { broadcastDims, numel } from './graph.js';
import { attribute } from './builder.js';
import { fromNumbers, toNumbers } from './host.js';
import type { GraphState } from './state.js';

const BROADCASTING = new Set(['Add', 'Sub', 'Mul', 'Div', 'Where']);

/** Ops that only rearrange or repeat their input's elements. */
const VIEWS = new Set(['Expand', 'Reshape', 'Squeeze', 'Unsqueeze', 'Flatten']);

/**
 * The values `name` is a broadcast of, nearest first: the inputs of the Expands, and of the
 * Reshapes that add or drop leading 1s, that lead to it, and any one-element value it is a view of.
 * Broadcasting any of them to a shape `name` broadcasts to gives the same tensor.
 */
function broadcastSources(s: GraphState, name: string): string[] {
  const out: string[] = [];
  const strip = (d: readonly number[]) => d.slice(d.findIndex((e) => e !== 1) >>> 0).join();
  let exact = true;
  for (let v = name, p = s.producer(v); p && VIEWS.has(p.opType); p = s.producer(v)) {
    const x = p.input[0]!;
    exact &&= p.opType === 'Expand' || strip(s.dims(x)) === strip(s.dims(v));
    if (exact || numel(s.dims(x)) === 1) out.push(x);
    v = x;
  }
  return out;
}

/**
 * Backward rules expand reduced gradients back to full size (ReduceSum, ReduceMean, pooling) and
 * reshape them to keepdims form; when the consumer broadcasts anyway, those views only cost nodes
 * and copies. A broadcasting consumer reads the furthest source of the view that gives it the same
 * output shape (a scalar seed reshaped to [1], expanded to [N] and reshaped to [N, 1] is read as
 * the scalar), and the views drop out as dead nodes.
 */
export function dropRedundantExpands(s: GraphState): void {
  for (const c of s.nodes) {
    if (!BROADCASTING.has(c.opType)) continue;
    const want = s.dims(c.output[0]!);
    c.input.forEach((input, k) => {
      if (!input || (c.opType === 'Where' && k === 0)) return;
      const fits = (x: string) => {
        try {
          const b = c.input
            .map((i, j) => s.dims(j === k ? x : i))
            .reduce<number[]>((acc, d) => broadcastDims(acc, d), []);
          return b.length === want.length && b.every((d, i) => d === want[i]);
        } catch {
          return false;
        }
      };
      const sources = broadcastSources(s, input);
      for (let i = sources.length - 1; i >= 0; i--) {
        if (fits(sources[i]!)) {
          c.input[k] = sources[i]!;
          break;
        }
      }
    });
  }
}

/**
 * Relu and LeakyRelu backward read the sign of their output (`Greater(y, 0)`). Exporters often scale
 * that output by a positive constant right away (StyleGAN2's `leaky_relu(x) · √2`), and the scaled
 * value is what the next layer reads and the backward keeps: its sign is the same, so the mask is
 * read from it and the unscaled output is freed in the forward pass (at 1024 px one 134 MB map per
 * layer).
 */
export function readSignsFromScaled(s: GraphState): void {
  const consumers = s.readers();
  for (const g of s.nodes) {
    if (g.opType !== 'Greater' || !s.constEvery(g.input[1]!, (v) => v === 0)) continue;
    const y = g.input[0]!;
    const scaled = (consumers.get(y) ?? []).find(
      (m) =>
        m.opType === 'Mul' &&
        m.input.length === 2 &&
        m.input.includes(y) &&
        s.constEvery(m.input[0] === y ? m.input[1]! : m.input[0]!, (v) => v > 0 && Number.isFinite(v)) &&
        s.dims(m.output[0]!).join() === s.dims(y).join(),
    );
    if (scaled) g.input[0] = scaled.output[0]!;
  }
}

/** Inputs that the output is linear in (the other inputs held fixed), by op. */
const LINEAR_IN: Record<string, number[]> = {
  Reshape: [0],
  Expand: [0],
  Transpose: [0],
  Squeeze: [0],
  Unsqueeze: [0],
  Flatten: [0],
  Slice: [0],
  Gather: [0],
  MaxUnpool: [0],
  ReduceSum: [0],
  ReduceMean: [0],
  MatMul: [0, 1],
  Mul: [0, 1],
  Conv: [0, 1],
  ConvTranspose: [0, 1],
};

/** A constant this small may be copied with a factor folded in (a weight is held once). */
const FOLD_ELEMENTS = 1 << 12;

/**
 * Rules scale gradients by constants (½ of a GELU, 1/N of a mean, −1 of a Neg or a Sub) as they
 * go. A scale `Mul(v, k)` by one number is folded into what computes v instead, where only that
 * Mul reads v: into a Mul or Div by a small constant, a Neg, a Gemm's alpha, or through ops linear
 * in v (reshapes, expands, reductions, MaxUnpool, MatMul, bias-free Conv and ConvTranspose) to one
 * of those. The Mul drops out as a dead node. Nodes in `fixed` (the forward pass) are left as they
 * are, and so are values in `keep` (graph outputs).
 */
export function foldScalarFactors(s: GraphState, fixed: Set<NodeProto>, keep: Set<string>): void {
  const consumers = s.readers();
  const private_ = (v: string) => !keep.has(v) && (consumers.get(v)?.length ?? 0) === 1;
  const small = (name: string) => s.isConst(name) && numel(s.dims(name)) <= FOLD_ELEMENTS && !!s.constValue(name);
  const times = (name: string, k: number) => {
    const c = s.constValue(name)!;
    return s.constant(
      fromNumbers(
        c.dtype,
        c.dims,
        toNumbers(c).map((v) => v * k),
      ),
      'scaled',
    );
  };
  const floatAttr = (n: NodeProto, name: string, def: number) => n.attribute.find((a) => a.name === name)?.f ?? def;
  const setFloat = (n: NodeProto, name: string, v: number) => {
    n.attribute = [...n.attribute.filter((a) => a.name !== name), attribute(name, { float: v })];
  };
  // Multiplies v by k where v is computed; true if it could.
  const absorb = (v: string, k: number, depth = 0): boolean => {
    const p = s.producer(v);
    if (!p || fixed.has(p) || !private_(v) || depth > 16 || p.output.length !== 1) return false;
    const ins = p.input;
    if (p.opType === 'Neg') {
      p.opType = 'Mul';
      p.input = [ins[0]!, s.scalar(-k, s.dtype(v))];
      return true;
    }
    if (p.opType === 'Gemm') {
      setFloat(p, 'alpha', floatAttr(p, 'alpha', 1) * k);
      if (ins[2]) setFloat(p, 'beta', floatAttr(p, 'beta', 1) * k);
      return true;
    }
    if (p.opType === 'Div' && small(ins[1]!)) {
      p.input = [ins[0]!, times(ins[1]!, 1 / k)];
      return true;
    }
    if (p.opType === 'Mul') {
      const c = [0, 1].find((i) => small(ins[i]!));
      if (c !== undefined) {
        p.input = ins.map((x, i) => (i === c ? times(x, k) : x));
        return true;
      }
    }
    if ((p.opType === 'Conv' || p.opType === 'ConvTranspose') && ins[2]) return false;
    return (LINEAR_IN[p.opType] ?? []).some((i) => !!ins[i] && !s.isConst(ins[i]!) && absorb(ins[i]!, k, depth + 1));
  };
  for (const m of s.nodes) {
    if (fixed.has(m) || m.output.length !== 1 || keep.has(m.output[0]!)) continue;
    let v: string | undefined;
    let k: number | undefined;
    if (m.opType === 'Neg') [v, k] = [m.input[0]!, -1];
    else if (m.opType === 'Mul' || m.opType === 'Div') {
      const c = [1, 0].find((i) => (m.opType === 'Mul' || i === 1) && oneNumber(s, m.input[i]!));
      if (c === undefined) continue;
      v = m.input[1 - c]!;
      const value = toNumbers(s.constValue(m.input[c]!)!)[0]!;
      k = m.opType === 'Mul' ? value : 1 / value;
    } else continue;
    const out = m.output[0]!;
    if (!Number.isFinite(k) || s.dims(v).join() !== s.dims(out).join() || !absorb(v, k)) continue;
    const users = consumers.get(out) ?? [];
    for (const c of users) c.input = c.input.map((i) => (i === out ? v : i));
    consumers.set(v, users);
    consumers.delete(out);
  }
}

const oneNumber = (s: GraphState, name: string): boolean => {
  const c = name ? s.constValue(name) : undefined;
  return c !== undefined && c.dtype !== 'int64' && numel(c.dims) === 1;
};
