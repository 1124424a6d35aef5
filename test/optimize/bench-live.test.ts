// `npm run bench -- live`: live bytes over onnxruntime's node order (or the written one), by static shapes.
import { describe, expect, it } from 'vitest';
import { formatLiveness, liveness } from '../../bench/live.js';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { inferShapes } from '../../src/engine/onnx/fold.js';
import { chainWithBranches } from '../onnx/branches.js';

describe('bench live', () => {
  it('counts a value from the node that makes it to the last that reads it', () => {
    // a = Neg(x), b = Exp(a), c = Mul(a, b): a is read by the last node, so a and b are alive together there.
    const g = new GraphBuilder('live');
    g.input('x', 'float32', [1, 256]);
    const a = g.op('Neg', ['x'], {}, 'a');
    const b = g.op('Exp', [a], {}, 'b');
    g.op('ReduceSum', [g.op('Mul', [a, b], {}, 'c')], { keepdims: 0 }, 'y');
    g.output('y', 'float32', []);
    const l = liveness(inferShapes(g.model(17)));
    // At the Mul: a, b and c (1 KiB each) are alive.
    expect(l.peakBytes).toBe(3 * 1024);
    expect(l.peakAt.op).toBe('Mul');
    expect(l.alive.map((v) => v.name).sort()).toEqual(['a', 'b', 'c']);
    expect(formatLiveness(l, 2)).toContain('live activations peak at 0.0 MB');
  });

  it("follows onnxruntime's order, which can keep more alive than the written one", () => {
    // A chain c1 → c2 → c3 with a reduction off each link, joined at the end. Written in that order,
    // the runtime runs the whole chain first, so c1, c2 and c3 (1 KiB each) are alive together.
    const model = inferShapes(chainWithBranches([1, 256]));
    expect(liveness(model, 'written').peakBytes).toBeLessThan(3 * 1024);
    expect(liveness(model, 'runtime').peakBytes).toBeGreaterThanOrEqual(3 * 1024);
  });
});
