// Clean-ups of the finished gradient graph (simplify.ts) and the shorter erf-GELU backward: constant
// scales folded into what computes the scaled value, broadcasting consumers reading the value a
// chain of reshapes and expands started from, and the node counts these give.
import { describe, expect, it } from 'vitest';
import type { ModelProto, NodeProto } from 'onnx-buf';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { gradientModel } from '../../src/engine/onnx/gradient.js';
import { hostTensor, readModel } from '../../src/engine/onnx/model.js';
import { foldScalarFactors } from '../../src/engine/onnx/simplify.js';
import { GraphState } from '../../src/engine/onnx/state.js';
import { loadFixture } from './fixtures.js';
import { gradCheck, randn } from './gradcheck.js';

/** The nodes the gradient model adds to the forward graph's `forwardCount` nodes. */
const backward = (grad: ModelProto, forward: ModelProto): NodeProto[] => {
  const outs = new Set(forward.graph!.node.flatMap((n) => n.output));
  return grad.graph!.node.filter((n) => !n.output.some((o) => outs.has(o)));
};
const floatAttr = (n: NodeProto, name: string) => n.attribute.find((a) => a.name === name)?.f;

describe('constant scales of the backward are folded', () => {
  it('−mean(·) of a scalar loss: Neg and 1/N become one Mul of the seed, broadcast as a scalar', async () => {
    // loss = −mean_n(sum_k(labels · x)): the cross-entropy head's shape.
    const g = new GraphBuilder('head');
    g.input('x', 'float64', [4, 5]);
    g.input('labels', 'float64', [4, 5]);
    const rows = g.op('ReduceSum', [g.op('Mul', ['labels', 'x']), g.ints([1])], { keepdims: 0 });
    g.op('Neg', [g.op('ReduceMean', [rows], { keepdims: 0 })], {}, 'loss');
    g.output('loss', 'float64', []);
    const model = g.model(17);
    const grad = gradientModel(model, { of: 'loss', wrt: ['x'] });
    const ops = backward(grad, model).map((n) => n.opType);
    // Before: Neg, Reshape, Mul(1/4), Expand, Reshape, Mul(labels).
    expect(ops).toEqual(['Mul', 'Mul']);
    const seedScale = grad.graph!.node.find((n) => n.input.includes('loss_grad'))!;
    expect(seedScale.opType).toBe('Mul');
    const labelsMul = grad.graph!.node.find((n) => n.input.includes(seedScale.output[0]!))!;
    expect(labelsMul.input).toContain('labels');
    const r = await gradCheck({
      model,
      inputs: { x: randn('float64', [4, 5], 1), labels: randn('float64', [4, 5], 2) },
      of: 'loss',
      wrt: ['x'],
    });
    expect(r.errors.x).toBeLessThan(1e-6);
  });

  it('a scale ahead of a Gemm in the forward becomes the backward Gemm’s alpha', async () => {
    const g = new GraphBuilder('scaled-gemm');
    g.input('x', 'float64', [3, 4]);
    const w = g.weight('w', randn('float64', [5, 4], 3));
    const h = g.op('Gemm', [g.op('Mul', [g.op('Tanh', ['x']), g.scalar(0.25, 'float64')]), w], { transB: 1 });
    g.op('Tanh', [h], {}, 'y');
    g.output('y', 'float64', [3, 5]);
    const model = g.model(17);
    const grad = gradientModel(model, { of: 'y', wrt: ['x'] });
    const bwd = backward(grad, model);
    expect(bwd.filter((n) => n.opType === 'Mul' && n.input.some((i) => i.startsWith('scalar'))).length).toBe(0);
    const gemm = bwd.find((n) => n.opType === 'Gemm')!;
    expect(floatAttr(gemm, 'alpha')).toBeCloseTo(0.25, 12);
    const r = await gradCheck({ model, inputs: { x: randn('float64', [3, 4], 4) }, of: 'y', wrt: ['x'] });
    expect(r.errors.x).toBeLessThan(1e-6);
  });

  it('folds a scale through a reshape into a constant Mul, unless another node reads the value', () => {
    const build = (shared: boolean) => {
      const g = new GraphBuilder('fold');
      g.input('a', 'float32', [2, 3]);
      const q = g.op('Mul', ['a', g.weight('c', hostTensor('float32', [3], [1, 2, 3]))], {}, 'q');
      const v = g.op('Reshape', [q, g.ints([6])], {}, 'v');
      const scaled = g.op('Mul', [v, g.weight('k', hostTensor('float32', [], [0.5]))], {}, 'scaled');
      g.op('Exp', [scaled], {}, 'out');
      g.output('out', 'float32', [6]);
      if (shared) {
        g.op('Exp', [q], {}, 'other');
        g.output('other', 'float32', [2, 3]);
      }
      const s = new GraphState(g.model(17));
      for (const n of g.nodes) s.add(n);
      foldScalarFactors(s, new Set(), new Set(s.outputs));
      const node = (out: string) => s.nodes.find((n) => n.output.includes(out))!;
      return { exp: node('out').input[0], c: Array.from(s.constValue(node('q').input[1]!)!.data as Float32Array) };
    };
    expect(build(false)).toEqual({ exp: 'v', c: [0.5, 1, 1.5] });
    expect(build(true)).toEqual({ exp: 'scaled', c: [1, 2, 3] });
  });
});

describe('erf GELU backward', () => {
  it('is 10 nodes (no Neg; the pdf constant rides in the exponent) and matches finite differences', async () => {
    const g = new GraphBuilder('gelu');
    g.input('x', 'float32', [2, 3, 4]);
    const e = g.op('Erf', [g.op('Div', ['x', g.scalar(Math.SQRT2)])]);
    g.op('Mul', [g.op('Mul', ['x', g.op('Add', [e, g.scalar(1)])]), g.scalar(0.5)], {}, 'y');
    g.output('y', 'float32', [2, 3, 4]);
    const model = g.model(17);
    const ops = backward(gradientModel(model, { of: 'y', wrt: ['x'] }), model).map((n) => n.opType);
    // Mul(x/√2), Erf, Add 1, Mul t·t, Sub from ln(2/√π), Exp, Mul t·e, Add, Mul ½·dy, Mul.
    expect(ops.length).toBe(10);
    expect(ops).not.toContain('Neg');
    const r = await gradCheck({
      model,
      inputs: { x: randn('float32', [2, 3, 4], 6, 2) },
      of: 'y',
      wrt: ['x'],
      eps: 1e-2,
      tol: 2e-3,
    });
    expect(r.errors.x).toBeLessThan(2e-3);
  });
});

describe('node counts of the fixtures’ gradient models', () => {
  // 78 and 90 nodes before the scale folding, the broadcast sources, merged reshapes and the GELU form.
  it('cnn_training_loss: at most 68 nodes on the CPU target and 81 on the portable one', () => {
    const fx = loadFixture('cnn_training_loss');
    const count = (target: 'cpu' | 'any') =>
      gradientModel(readModel(fx.model, fx.name), { of: fx.of, wrt: fx.wrt, target }).graph!.node.length;
    expect(count('cpu')).toBeLessThanOrEqual(68);
    expect(count('any')).toBeLessThanOrEqual(81);
  });
});
