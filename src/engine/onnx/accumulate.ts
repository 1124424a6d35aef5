// Summing the gradient contributions that flow into one value. Contributions that are zero-padded
// pieces of it (the gradients of Slices that cut it apart, e.g. q, k and v out of one projection)
// are joined with one Concat instead of padding each piece and adding them up.
import type { NodeProto } from 'onnx-buf';
import { add, zeroFillPads, zeros } from './ops.js';
import type { GraphState } from './state.js';

interface Piece {
  name: string;
  inner: string;
  axis: number;
  begin: number;
  end: number;
}

/** A constant-mode Pad with zero fill that pads along one axis only: the piece it places. */
function padPiece(s: GraphState, name: string): Piece | undefined {
  const node: NodeProto | undefined = s.producer(name);
  const pads = node && zeroFillPads(s, node);
  if (!node || !pads) return undefined;
  const r = pads.length / 2;
  if (pads.some((p) => p < 0)) return undefined;
  const axes = Array.from({ length: r }, (_, i) => i).filter((i) => pads[i] !== 0 || pads[i + r] !== 0);
  if (axes.length !== 1) return undefined;
  const axis = axes[0]!;
  const size = s.dims(name)[axis]!;
  return { name, inner: node.input[0]!, axis, begin: pads[axis]!, end: size - pads[axis + r]! };
}

/** The sum of `parts` (same shape), with disjoint zero-padded pieces along one axis concatenated. */
export function accumulate(s: GraphState, parts: string[]): string {
  if (parts.length === 1) return parts[0]!;
  const pieces = parts.map((p) => padPiece(s, p));
  const byAxis = new Map<number, Piece[]>();
  for (const p of pieces) if (p) byAxis.set(p.axis, [...(byAxis.get(p.axis) ?? []), p]);
  let joined: { name: string; used: Set<string> } | undefined;
  for (const [axis, group] of byAxis) {
    if (group.length < 2) continue;
    group.sort((a, b) => a.begin - b.begin);
    if (group.some((p, i) => i > 0 && p.begin < group[i - 1]!.end)) continue;
    const dims = s.dims(group[0]!.name);
    const seq: string[] = [];
    let at = 0;
    const gap = (to: number) => {
      if (to > at)
        seq.push(
          zeros(
            s,
            group[0]!.name,
            dims.map((d, i) => (i === axis ? to - at : d)),
          ),
        );
    };
    for (const p of group) {
      gap(p.begin);
      seq.push(p.inner);
      at = p.end;
    }
    gap(dims[axis]!);
    joined = { name: s.op('Concat', seq, { axis }), used: new Set(group.map((p) => p.name)) };
    break;
  }
  const rest = joined ? [joined.name, ...parts.filter((p) => !joined!.used.has(p))] : parts;
  let acc = rest[0]!;
  for (const p of rest.slice(1)) acc = add(s, acc, p);
  return acc;
}
