// What keeps large objectives small in memory: Relu/LeakyRelu backward reads the sign of a
// positively scaled output when the graph has one, so the unscaled output is not kept for the backward.
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { gradientModel } from '../../src/engine/onnx/gradient.js';
import { hostTensor, type ModelProto } from '../../src/engine/onnx/model.js';
import { gradCheck, randn } from './gradcheck.js';

/** x → Add(bias) → act → Mul(scale) → Mul(x) → ReduceSum: StyleGAN2's fused leaky ReLU and a next layer. */
function scaledActivation(act: 'Relu' | 'LeakyRelu', scale: number): ModelProto {
  const g = new GraphBuilder('scaled-activation');
  g.input('x', 'float64', [2, 5]);
  const biased = g.op('Add', ['x', g.weight('bias', randn('float64', [5], 2, 0.3))]);
  const y = g.op(act, [biased], act === 'LeakyRelu' ? { alpha: 0.2 } : {}, 'act_out');
  const scaled = g.op('Mul', [y, g.weight('scale', hostTensor('float64', [], [scale]))], {}, 'scaled');
  g.op('ReduceSum', [g.op('Mul', [scaled, 'x'])], { keepdims: 0 }, 'loss');
  g.output('loss', 'float64', []);
  return g.model(17);
}

/** The backward nodes that read `name`. */
function backwardReaders(model: ModelProto, name: string): string[] {
  return model.graph!.node.filter((n) => n.input.includes(name) && !n.output.includes('scaled')).map((n) => n.opType);
}

describe('the activation mask is read from a positively scaled output', () => {
  for (const act of ['LeakyRelu', 'Relu'] as const) {
    it(`${act} · √2: the backward reads the scaled value, the gradient is right`, async () => {
      const model = scaledActivation(act, Math.SQRT2);
      const grad = gradientModel(model, { of: 'loss', wrt: ['x'] });
      // Only the forward Mul reads the activation's own output: the mask compares the scaled one.
      expect(backwardReaders(grad, 'act_out')).toEqual([]);
      expect(grad.graph!.node.some((n) => n.opType === 'Greater' && n.input[0] === 'scaled')).toBe(true);
      // LeakyRelu's backward multiplies by a slope map; onnxruntime's CPU Where is slow on large maps.
      if (act === 'LeakyRelu') expect(grad.graph!.node.map((n) => n.opType)).not.toContain('Where');
      const r = await gradCheck({ model, inputs: { x: randn('float64', [2, 5], 7) }, of: 'loss', wrt: ['x'] });
      expect(r.errors.x).toBeLessThan(1e-6);
    });
  }

  it('a negative scale flips the sign: the mask keeps reading the activation itself', async () => {
    const model = scaledActivation('LeakyRelu', -1.5);
    const grad = gradientModel(model, { of: 'loss', wrt: ['x'] });
    expect(grad.graph!.node.some((n) => n.opType === 'Greater' && n.input[0] === 'act_out')).toBe(true);
    const r = await gradCheck({ model, inputs: { x: randn('float64', [2, 5], 8) }, of: 'loss', wrt: ['x'] });
    expect(r.errors.x).toBeLessThan(1e-6);
  });
});
