// Op sequences written against a GraphState, in the form the model's opset expects (ReduceSum's axes
// moved from attribute to input at opset 13, ReduceMean's at 18, …). Gradient rules and lowering use
// these so that no rule has to care about opset differences.
import type { NodeProto } from 'onnx-buf';
import { numel } from './graph.js';
import { toNumbers } from './host.js';
import type { GraphState } from './state.js';

export function reduce(
  s: GraphState,
  op: 'ReduceSum' | 'ReduceMean' | 'ReduceMax',
  x: string,
  axes: number[],
  keepdims: boolean,
): string {
  const d = s.dims(x);
  const outDims = keepdims ? d.map((v, i) => (axes.includes(i) ? 1 : v)) : d.filter((_, i) => !axes.includes(i));
  // Reducing axes of size 1 only changes the shape.
  if (axes.every((a) => d[a] === 1)) return reshape(s, x, outDims);
  const axesAsInput = op === 'ReduceSum' ? s.opset >= 13 : s.opset >= 18;
  return axesAsInput
    ? s.op(op, [x, s.ints(axes)], { keepdims: keepdims ? 1 : 0 })
    : s.op(op, [x], { axes, keepdims: keepdims ? 1 : 0 });
}

export function sum(s: GraphState, x: string, axes: number[], keepdims: boolean): string {
  return reduce(s, 'ReduceSum', x, axes, keepdims);
}

export function reshape(s: GraphState, x: string, dims: readonly number[]): string {
  const cur = s.dims(x);
  if (cur.length === dims.length && cur.every((d, i) => d === dims[i])) return x;
  // A reshape of a reshape is one reshape of the first one's input.
  const p = s.producer(x);
  if (p?.opType === 'Reshape') return reshape(s, p.input[0]!, dims);
  return s.op('Reshape', [x, s.ints([...dims])]);
}

export function expand(s: GraphState, x: string, dims: readonly number[]): string {
  const cur = s.dims(x);
  if (cur.length === dims.length && cur.every((d, i) => d === dims[i])) return x;
  return s.op('Expand', [x, s.ints([...dims])]);
}

export function transpose(s: GraphState, x: string, perm: number[]): string {
  if (perm.every((p, i) => p === i)) return x;
  const d = s.dims(x);
  // Moving only axes of size 1 keeps the element order: a Reshape, which costs nothing.
  const big = perm.filter((p) => d[p] !== 1);
  if (big.every((p, i) => i === 0 || p > big[i - 1]!))
    return reshape(
      s,
      x,
      perm.map((p) => d[p]!),
    );
  return s.op('Transpose', [x], { perm });
}

export function inversePerm(perm: number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => {
    inv[p] = i;
  });
  return inv;
}

/** Slices [start, end) with a step along several axes. */
export function slice(
  s: GraphState,
  x: string,
  axes: number[],
  starts: number[],
  ends: number[],
  steps?: number[],
): string {
  const inputs = [x, s.ints(starts), s.ints(ends), s.ints(axes)];
  if (steps?.some((v) => v !== 1)) inputs.push(s.ints(steps));
  return s.op('Slice', inputs);
}

/**
 * The pads (all begins, then all ends) of a constant-mode Pad node that fills with zeros and pads
 * every axis (no `axes` input), read as `pad` writes them for the opset; undefined for any other Pad.
 */
export function zeroFillPads(s: GraphState, node: NodeProto): number[] | undefined {
  if (node.opType !== 'Pad') return undefined;
  const mode = node.attribute.find((a) => a.name === 'mode');
  if (mode && new TextDecoder().decode(mode.s) !== 'constant') return undefined;
  if (s.opset < 11) {
    if ((node.attribute.find((a) => a.name === 'value')?.f ?? 0) !== 0) return undefined;
    return node.attribute.find((a) => a.name === 'pads')?.ints.map(Number) ?? [];
  }
  if (node.input[3]) return undefined;
  const p = node.input[1] ? s.constValue(node.input[1]) : undefined;
  if (!p) return undefined;
  if (node.input[2]) {
    const fill = s.constValue(node.input[2]);
    if (!fill || toNumbers(fill).some((v) => v !== 0)) return undefined;
  }
  return toNumbers(p);
}

/** Constant-mode Pad with ONNX pads layout (all begins, then all ends). */
export function pad(s: GraphState, x: string, pads: number[]): string {
  if (pads.every((p) => p === 0)) return x;
  return s.opset >= 11
    ? s.op('Pad', [x, s.ints(pads)], { mode: 'constant' })
    : s.op('Pad', [x], { mode: 'constant', pads });
}

export function scalarLike(s: GraphState, v: number, like: string): string {
  return s.scalar(v, s.dtype(like));
}

/** Zeros of the given dims: Expand of a scalar (ConstantOfShape runs on the CPU on WebGPU). */
export function zeros(s: GraphState, like: string, dims: readonly number[] = s.dims(like)): string {
  return s.op('Expand', [scalarLike(s, 0, like), s.ints([...dims])]);
}

export function add(s: GraphState, a: string, b: string): string {
  return s.op('Add', [a, b]);
}
export function sub(s: GraphState, a: string, b: string): string {
  return s.op('Sub', [a, b]);
}
export function mul(s: GraphState, a: string, b: string): string {
  return s.op('Mul', [a, b]);
}
export function div(s: GraphState, a: string, b: string): string {
  return s.op('Div', [a, b]);
}
export function neg(s: GraphState, a: string): string {
  return s.op('Neg', [a]);
}

/** A float 0/1 mask from a boolean, in the element type of `like`. */
export function mask(s: GraphState, cond: string, like: string): string {
  return s.op('Cast', [cond], { to: s.type(like).elemType });
}

/**
 * Sums a gradient computed at a broadcast shape back to the shape of the operand it flows to
 * (leading axes the operand lacks, and axes where the operand has size 1).
 */
export function unbroadcast(s: GraphState, g: string, dims: readonly number[]): string {
  const gd = s.dims(g);
  const lead = gd.length - dims.length;
  const axes: number[] = [];
  gd.forEach((d, i) => {
    if (i < lead || (dims[i - lead] === 1 && d !== 1)) axes.push(i);
  });
  if (axes.length === 0) return reshape(s, g, dims);
  // Summing only the leading axes away already gives the operand's shape.
  if (axes.length === lead && lead > 0) return reshape(s, sum(s, g, axes, false), dims);
  return reshape(s, sum(s, g, axes, true), dims);
}

/** Constants of at least this many elements (1 MiB of float32) are weights the backward must not copy. */
const HELD_ONCE_ELEMENTS = 1 << 18;

/**
 * A large constant (a model weight): the backward reads it as it is, never a transposed, flipped,
 * centred or otherwise reshaped copy, so a gradient model holds each weight once (a ViT-B/32 tower
 * would otherwise carry its 340 MB of MatMul weights twice). Small constants are folded freely:
 * a flipped 3×3 kernel of 32 channels costs 36 KB and makes the backward several times faster.
 */
export function heldOnce(s: GraphState, name: string): boolean {
  return s.isConst(name) && numel(s.dims(name)) >= HELD_ONCE_ELEMENTS;
}

/** Swaps the last two axes. */
export function swapLast(s: GraphState, x: string): string {
  const r = s.dims(x).length;
  const perm = Array.from({ length: r }, (_, i) => i);
  perm[r - 1] = r - 2;
  perm[r - 2] = r - 1;
  return transpose(s, x, perm);
}
