// Forward values the backward reads, recomputed in the backward from a later value it keeps anyway.
import type { NodeProto } from 'onnx-buf';
import { numel } from './graph.js';
import type { GraphState } from './state.js';

/** Values smaller than this (elements) are cheap to keep; only large ones are worth recomputing. */
const LARGE_ELEMENTS = 1 << 18;
/** Operands of an inverted step that are forward values may be kept if this many times smaller. */
const SMALL_RATIO = 64;
const MAX_STEPS = 8;
const FLOATS = new Set(['float32', 'float64', 'float16']);

/**
 * Signs the graph guarantees: a square root of a sum of squares plus a positive epsilon is
 * positive, and so are its reciprocal and reshapes (StyleGAN2's demodulation factor).
 */
function sign(s: GraphState, name: string, want: 'positive' | 'nonneg', depth = 0): boolean {
  if (s.isConst(name))
    return s.constEvery(name, want === 'positive' ? (v) => v > 0 && Number.isFinite(v) : (v) => v >= 0);
  const n = s.producer(name);
  if (!n || depth > 24) return false;
  const pos = (x: string) => sign(s, x, 'positive', depth + 1);
  const nonneg = (x: string) => sign(s, x, 'nonneg', depth + 1);
  const [a = '', b = ''] = n.input;
  switch (n.opType) {
    case 'Unsqueeze':
    case 'Squeeze':
    case 'Reshape':
    case 'Flatten':
    case 'Expand':
    case 'Transpose':
      return sign(s, a, want, depth + 1);
    case 'Sqrt':
    case 'Reciprocal':
      return want === 'positive' ? pos(a) : nonneg(a);
    case 'Exp':
      return true;
    case 'Div':
    case 'Mul':
      if (n.opType === 'Mul' && a === b && want === 'nonneg') return true;
      return want === 'positive' ? pos(a) && pos(b) : nonneg(a) && nonneg(b);
    case 'Add':
      return want === 'positive' ? (pos(a) && nonneg(b)) || (nonneg(a) && pos(b)) : nonneg(a) && nonneg(b);
    case 'MatMul':
    case 'ReduceSum':
    case 'ReduceMean':
      return want === 'nonneg' && nonneg(a) && (n.opType !== 'MatMul' || nonneg(b));
    case 'ReduceSumSquare':
    case 'Abs':
    case 'Relu':
      return want === 'nonneg';
    default:
      return false;
  }
}

const nonzero = (s: GraphState, name: string) =>
  s.isConst(name) ? s.constEvery(name, (v) => v !== 0 && Number.isFinite(v)) : sign(s, name, 'positive');

/** How to get a step's input back from its output, or undefined where the step loses information. */
type Inverse = (y: string) => string;

function invert(s: GraphState, node: NodeProto, x: string, small: (name: string) => boolean): Inverse | undefined {
  const { opType, input } = node;
  if (opType === 'LeakyRelu') {
    const alpha = node.attribute.find((a) => a.name === 'alpha')?.f ?? 0.01;
    return alpha > 0 && Number.isFinite(1 / alpha)
      ? (y) => s.op('LeakyRelu', [y], { alpha: { float: 1 / alpha } })
      : undefined;
  }
  if (opType === 'Neg') return (y) => s.op('Neg', [y]);
  if (input.length !== 2 || input[0] === input[1]) return undefined;
  const first = input[0] === x;
  const k = first ? input[1]! : input[0]!;
  if (!small(k)) return undefined;
  switch (opType) {
    case 'Add':
      return (y) => s.op('Sub', [y, k]);
    case 'Sub':
      return first ? (y) => s.op('Add', [y, k]) : (y) => s.op('Sub', [k, y]);
    case 'Mul':
      return nonzero(s, k) ? (y) => s.op('Div', [y, k]) : undefined;
    case 'Div':
      return first && nonzero(s, k) ? (y) => s.op('Mul', [y, k]) : undefined;
    default:
      return undefined;
  }
}

/**
 * A large forward value that the backward reads (a convolution's output, for the gradient of the
 * demodulation that multiplies it) often runs through an invertible elementwise chain — × a
 * nonzero factor, ± noise and bias, LeakyRelu, × √2 — to a value the backward keeps anyway (the
 * layer's output, which the next layer's modulation gradient and the activation's mask read).
 * The backward then reads the chain's inverse of that kept value, computed just before its first
 * use, and the forward frees the large value at once: at 1024 px one 134 MB map per StyleGAN2
 * layer. `forwardCount` is the number of leading nodes of `s.nodes` that are the forward pass.
 */
export function recomputeFromKept(s: GraphState, forwardCount: number): void {
  const index = new Map<NodeProto, number>();
  s.nodes.forEach((n, i) => {
    index.set(n, i);
  });
  const readers = s.readers();
  const outputs = new Set(s.outputs.map((o) => s.resolve(o)));
  const isBackward = (n: NodeProto) => (index.get(n) ?? 0) >= forwardCount;
  const backwardReaders = (v: string) => (readers.get(v) ?? []).filter(isBackward);
  const forwardReaders = (v: string) => (readers.get(v) ?? []).filter((n) => !isBackward(n));

  const plans: { v: string; w: string; steps: Inverse[]; readers: NodeProto[] }[] = [];
  for (const node of s.nodes.slice(0, forwardCount)) {
    for (const v of node.output) {
      if (!v || outputs.has(v) || !s.types.has(v) || !FLOATS.has(s.dtype(v))) continue;
      const dims = s.dims(v);
      if (numel(dims) < LARGE_ELEMENTS) continue;
      const late = backwardReaders(v);
      if (late.length === 0) continue;
      const small = (k: string) => s.isConst(k) || (s.types.has(k) && numel(s.dims(k)) * SMALL_RATIO <= numel(dims));
      const steps: Inverse[] = [];
      let cur = v;
      let w: string | undefined;
      for (let i = 0; i < MAX_STEPS; i++) {
        const next = forwardReaders(cur);
        if (next.length !== 1) break;
        const step = next[0]!;
        const y = step.output[0];
        if (step.output.length !== 1 || !y || !s.types.has(y) || s.dims(y).join() !== dims.join()) break;
        const inverse = invert(s, step, cur, small);
        if (!inverse) break;
        steps.push(inverse);
        if (backwardReaders(y).length > 0 || outputs.has(y)) {
          w = y;
          break;
        }
        cur = y;
      }
      if (w) plans.push({ v, w, steps, readers: late });
    }
  }
  /**
   * Where the recomputation goes: just before the first backward node that reads v or, when that
   * node also reads another backward value, just before that value's producer. onnxruntime orders
   * nodes by a depth-first search from the outputs that follows the input written last first; from
   * there the search reaches the recomputation only after everything else the reader needs, so the
   * recomputed value lives only from there to the reader, there as here.
   */
  const forwardEnd = s.nodes[forwardCount - 1];
  const at = (late: NodeProto[]): number => {
    const first = late.reduce((a, b) => (s.nodes.indexOf(a) <= s.nodes.indexOf(b) ? a : b));
    const backwardStart = forwardEnd ? s.nodes.indexOf(forwardEnd) + 1 : 0;
    let latest = -1;
    for (const x of first.input) {
      const p = x ? s.producer(x) : undefined;
      const i = p ? s.nodes.indexOf(p) : -1;
      if (i >= backwardStart) latest = Math.max(latest, i);
    }
    return latest >= 0 ? latest : s.nodes.indexOf(first);
  };
  for (const { v, w, steps, readers: late } of plans) {
    const before = s.nodes.length;
    let x = w;
    for (let i = steps.length - 1; i >= 0; i--) x = steps[i]!(x);
    const emitted = s.nodes.splice(before);
    s.nodes.splice(at(late), 0, ...emitted);
    for (const r of late) r.input = r.input.map((i) => (i === v ? x : i));
  }
}
