// `npm run bench -- live`: live bytes over the written node order, by static shapes.
import { describe, expect, it } from 'vitest';
import { formatLiveness, liveness } from '../../bench/live.js';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { inferShapes } from '../../src/engine/onnx/fold.js';

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
});
