// Activations that exporters write as several ops (erf GELU, x·sigmoid(αx) for SiLU and
// quick-GELU) are differentiated as one unit, from their input only. Their intermediate values are
// then not needed by the backward pass, so onnxruntime can still fuse the forward ops into one
// kernel (Gelu, QuickGelu), and the backward pass is shorter than the chain of per-op rules.
import type { NodeProto } from 'onnx-buf';
import { toNumbers } from './host.js';
import { add, mul, scalarLike, sub } from './ops.js';
import type { GraphState } from './state.js';

export interface Composite {
  /** the activation's input */
  x: string;
  /** the node that computes the activation's output */
  last: NodeProto;
  /** dx given dy */
  backward: (s: GraphState, dy: string) => string;
}

const near = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));

function scalarConst(s: GraphState, name: string): number | undefined {
  const c = s.constValue(name);
  if (!c) return undefined;
  const v = toNumbers(c);
  return v.length === 1 ? v[0] : undefined;
}

/**
 * Finds the composite activations among `nodes` whose inner values are used by nothing else
 * (`uses` counts the consumers of each value; graph outputs and wrt count as uses).
 */
export function findComposites(
  s: GraphState,
  nodes: NodeProto[],
  uses: Map<string, number>,
): Map<NodeProto, Composite> {
  const producer = new Map<string, NodeProto>();
  for (const n of nodes) for (const o of n.output) producer.set(o, n);
  const privateNode = (name: string, op: string) => {
    const n = producer.get(name);
    return n && n.opType === op && (uses.get(name) ?? 0) === 1 && n.output.length === 1 ? n : undefined;
  };
  const found = new Map<NodeProto, Composite>();
  for (const n of nodes) {
    if (n.opType !== 'Mul' || n.output.length !== 1) continue;
    const c = gelu(s, n, privateNode) ?? sigmoidGate(s, n, privateNode);
    if (c) found.set(n, c);
  }
  return found;
}

type Private = (name: string, op: string) => NodeProto | undefined;

/** x·Φ(x) written as products of x, (erf(x/√2) + 1) and constants that multiply to ½. */
function gelu(s: GraphState, last: NodeProto, privateNode: Private): Composite | undefined {
  const leaves: string[] = [];
  const flatten = (name: string, top: boolean) => {
    const m = top ? last : privateNode(name, 'Mul');
    if (m && leaves.length < 8) for (const i of m.input) flatten(i, false);
    else leaves.push(name);
  };
  flatten(last.output[0]!, true);
  let scale = 1;
  const rest: string[] = [];
  for (const l of leaves) {
    const v = scalarConst(s, l);
    if (v !== undefined) scale *= v;
    else rest.push(l);
  }
  if (rest.length !== 2 || !near(scale, 0.5)) return undefined;
  for (const [x, a] of [
    [rest[0]!, rest[1]!],
    [rest[1]!, rest[0]!],
  ] as const) {
    const plus = privateNode(a, 'Add');
    if (!plus) continue;
    const [p, q] = plus.input as [string, string];
    const erfOut = scalarConst(s, q) !== undefined ? p : q;
    if (!near(scalarConst(s, erfOut === p ? q : p) ?? NaN, 1)) continue;
    const erf = privateNode(erfOut, 'Erf');
    const scaled = erf && (privateNode(erf.input[0]!, 'Div') ?? privateNode(erf.input[0]!, 'Mul'));
    if (!scaled) continue;
    const [u, w] = scaled.input as [string, string];
    const factor = scaled.opType === 'Div' ? 1 / (scalarConst(s, w) ?? NaN) : (scalarConst(s, w) ?? scalarConst(s, u));
    const input = scaled.opType === 'Div' ? u : scalarConst(s, w) !== undefined ? u : w;
    if (input !== x || factor === undefined || !near(factor, Math.SQRT1_2)) continue;
    return { x, last, backward: (gs, dy) => geluBackward(gs, x, dy) };
  }
  return undefined;
}

/**
 * dx = dy · (Φ(x) + x·φ(x)) = ½dy · ((1 + erf(t)) + t·exp(ln(2/√π) − t²)), t = x/√2: the constant
 * of x·φ(x) = t·(2/√π)·exp(−t²) rides in the exponent, so t is the only scaled copy of x.
 */
function geluBackward(s: GraphState, x: string, dy: string): string {
  const t = mul(s, x, scalarLike(s, Math.SQRT1_2, x));
  const cdf2 = add(s, s.op('Erf', [t]), scalarLike(s, 1, x));
  const pdf = s.op('Exp', [sub(s, scalarLike(s, Math.log(2 / Math.sqrt(Math.PI)), x), mul(s, t, t))]);
  return mul(s, mul(s, dy, scalarLike(s, 0.5, x)), add(s, cdf2, mul(s, t, pdf)));
}

/**
 * x·sigmoid(αx) (SiLU for α = 1, quick-GELU for α = 1.702). Its backward reads the forward's
 * sigmoid: onnxruntime would merge a recomputed one with it anyway (common subexpressions).
 */
function sigmoidGate(s: GraphState, last: NodeProto, privateNode: Private): Composite | undefined {
  for (const [x, g] of [
    [last.input[0]!, last.input[1]!],
    [last.input[1]!, last.input[0]!],
  ] as const) {
    const sig = privateNode(g, 'Sigmoid');
    if (!sig) continue;
    const u = sig.input[0]!;
    if (u !== x) {
      const m = privateNode(u, 'Mul');
      if (!m) continue;
      const [p, q] = m.input as [string, string];
      if (!((p === x && scalarConst(s, q) !== undefined) || (q === x && scalarConst(s, p) !== undefined))) continue;
    }
    return { x, last, backward: (gs, dy) => sigmoidGateBackward(gs, u, g, dy) };
  }
  return undefined;
}

/** dx = dy · σ(u) · (1 + u·(1 − σ(u))), u = αx (the α of du/dx is in u·(1 − σ)). */
function sigmoidGateBackward(s: GraphState, u: string, sig: string, dy: string): string {
  const inner = add(s, scalarLike(s, 1, sig), mul(s, u, s.op('Sub', [scalarLike(s, 1, sig), sig])));
  return mul(s, dy, mul(s, sig, inner));
}
