// Clean-ups of the finished gradient graph that need to see every consumer of a value.
import type { NodeProto } from 'onnx-buf';
import { broadcastDims } from './graph.js';
import { toNumbers } from './host.js';
import type { GraphState } from './state.js';

const BROADCASTING = new Set(['Add', 'Sub', 'Mul', 'Div', 'Where']);

function consumersOf(s: GraphState): Map<string, NodeProto[]> {
  const consumers = new Map<string, NodeProto[]>();
  for (const n of s.nodes) for (const i of n.input) if (i) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  return consumers;
}

/**
 * Backward rules expand reduced gradients back to full size (ReduceSum, ReduceMean, pooling); when
 * every consumer broadcasts anyway, the Expand only costs a copy. Its consumers read its input
 * instead, and the Expand drops out as a dead node.
 */
export function dropRedundantExpands(s: GraphState, keep: Set<string>): void {
  const consumers = consumersOf(s);
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

const isConst = (s: GraphState, name: string, test: (v: number) => boolean): boolean => {
  const c = name ? s.constValue(name) : undefined;
  return c !== undefined && c.dtype !== 'int64' && toNumbers(c).every(test);
};

/**
 * Relu and LeakyRelu backward read the sign of their output (`Greater(y, 0)`). Exporters often scale
 * that output by a positive constant right away (StyleGAN2's `leaky_relu(x) · √2`), and the scaled
 * value is what the next layer reads and the backward keeps: its sign is the same, so the mask is
 * read from it and the unscaled output is freed in the forward pass (at 1024 px one 134 MB map per
 * layer).
 */
export function readSignsFromScaled(s: GraphState): void {
  const consumers = consumersOf(s);
  for (const g of s.nodes) {
    if (g.opType !== 'Greater' || !isConst(s, g.input[1]!, (v) => v === 0)) continue;
    const y = g.input[0]!;
    const scaled = (consumers.get(y) ?? []).find(
      (m) =>
        m.opType === 'Mul' &&
        m.input.length === 2 &&
        m.input.includes(y) &&
        isConst(s, m.input[0] === y ? m.input[1]! : m.input[0]!, (v) => v > 0 && Number.isFinite(v)) &&
        s.dims(m.output[0]!).join() === s.dims(y).join(),
    );
    if (scaled) g.input[0] = scaled.output[0]!;
  }
}
