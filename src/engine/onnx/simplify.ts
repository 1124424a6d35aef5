// Clean-ups of the finished gradient graph that need to see every consumer of a value.
import type { NodeProto } from 'onnx-buf';
import { broadcastDims } from './graph.js';
import type { GraphState } from './state.js';

const BROADCASTING = new Set(['Add', 'Sub', 'Mul', 'Div', 'Where']);

/**
 * Backward rules expand reduced gradients back to full size (ReduceSum, ReduceMean, pooling); when
 * every consumer broadcasts anyway, the Expand only costs a copy. Its consumers read its input
 * instead, and the Expand drops out as a dead node.
 */
export function dropRedundantExpands(s: GraphState, keep: Set<string>): void {
  const consumers = new Map<string, NodeProto[]>();
  for (const n of s.nodes) for (const i of n.input) if (i) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  for (const e of s.nodes) {
    if (e.opType !== 'Expand') continue;
    const [x] = e.input as [string];
    const out = e.output[0]!;
    const users = consumers.get(out) ?? [];
    if (keep.has(out) || users.length === 0) continue;
    const fits = users.every((c) => {
      if (!BROADCASTING.has(c.opType) || (c.opType === 'Where' && c.input[0] === out)) return false;
      const dims = c.input.map((i) => s.dims(i === out ? x : i));
      try {
        const b = dims.reduce<number[]>((acc, d) => broadcastDims(acc, d), []);
        const want = s.dims(c.output[0]!);
        return b.length === want.length && b.every((d, i) => d === want[i]);
      } catch {
        return false;
      }
    });
    if (!fits) continue;
    for (const c of users) c.input = c.input.map((i) => (i === out ? x : i));
    consumers.set(x, [...(consumers.get(x) ?? []), ...users]);
  }
}
