// Multi-op activations (erf GELU in its exported forms, SiLU, quick-GELU) are differentiated as one
// unit: the gradients match finite differences, and the backward pass leaves the forward's inner
// values alone so onnxruntime can still fuse the forward ops.
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { gradientModel } from '../../src/engine/onnx/gradient.js';
import type { DType } from '../../src/engine/onnx/model.js';
import { gradCheck, randn } from './gradcheck.js';

type Form = (g: GraphBuilder, x: string, dtype: DType) => string;

const geluForms: Record<string, Form> = {
  // torch.onnx: ((x · (erf(x / √2) + 1)) · ½)
  'torch (x·(erf(x/√2)+1))·½': (g, x, dt) => {
    const e = g.op('Erf', [g.op('Div', [x, g.scalar(Math.SQRT2, dt)])], {}, 'erf');
    return g.op('Mul', [g.op('Mul', [x, g.op('Add', [e, g.scalar(1, dt)], {}, 'plus_one')]), g.scalar(0.5, dt)]);
  },
  // Hugging Face style: x · ½ · (1 + erf(x · 1/√2))
  'x·½·(1+erf(x·(1/√2)))': (g, x, dt) => {
    const e = g.op('Erf', [g.op('Mul', [x, g.scalar(Math.SQRT1_2, dt)])], {}, 'erf');
    return g.op('Mul', [g.op('Mul', [x, g.scalar(0.5, dt)]), g.op('Add', [g.scalar(1, dt), e], {}, 'plus_one')]);
  },
};

function model(form: Form, dtype: DType) {
  const g = new GraphBuilder('act');
  g.input('x', dtype, [2, 3, 4]);
  const y = form(g, 'x', dtype);
  g.op('Mul', [y, 'x'], {}, 'y'); // a second use of x outside the activation
  g.output('y', dtype, [2, 3, 4]);
  return g.model();
}

describe('composite activations', () => {
  for (const [name, form] of Object.entries(geluForms)) {
    it(`erf GELU, ${name}: matches finite differences, inner values unused by the backward pass`, async () => {
      const m = model(form, 'float32');
      const r = await gradCheck({
        model: m,
        inputs: { x: randn('float32', [2, 3, 4], 3, 3) },
        of: 'y',
        wrt: ['x'],
        eps: 1e-2,
      });
      expect(r.errors.x).toBeLessThan(3e-3);
      const gm = gradientModel(m, { of: 'y', wrt: ['x'] });
      for (const inner of ['erf', 'plus_one']) {
        expect(gm.graph!.node.filter((n) => n.input.includes(inner)).length, inner).toBe(1);
      }
    });
  }

  for (const alpha of [1, 1.702]) {
    // float32: onnxruntime fuses the forward into QuickGelu, which has no double kernel.
    it(`x·sigmoid(${alpha}·x): matches finite differences and reuses the forward sigmoid`, async () => {
      const g = new GraphBuilder('gate');
      g.input('x', 'float32', [3, 5]);
      const u = alpha === 1 ? 'x' : g.op('Mul', ['x', g.scalar(alpha, 'float32')]);
      g.op('Mul', ['x', g.op('Sigmoid', [u])], {}, 'y');
      g.output('y', 'float32', [3, 5]);
      const r = await gradCheck({
        model: g.model(),
        inputs: { x: randn('float32', [3, 5], 4, 4) },
        of: 'y',
        wrt: ['x'],
        eps: 1e-2,
      });
      expect(r.errors.x).toBeLessThan(3e-3);
      const gm = gradientModel(g.model(), { of: 'y', wrt: ['x'] });
      expect(gm.graph!.node.filter((n) => n.opType === 'Sigmoid').length).toBe(1);
    });
  }

  it('a GELU-like chain whose constants differ is differentiated op by op (and still right)', async () => {
    const g = new GraphBuilder('notgelu');
    g.input('x', 'float32', [6]);
    const e = g.op('Erf', [g.op('Div', ['x', g.scalar(2, 'float32')])], {}, 'erf');
    g.op(
      'Mul',
      [g.op('Mul', ['x', g.op('Add', [e, g.scalar(1, 'float32')], {}, 'plus_one')]), g.scalar(0.5, 'float32')],
      {},
      'y',
    );
    g.output('y', 'float32', [6]);
    const r = await gradCheck({
      model: g.model(),
      inputs: { x: randn('float32', [6], 5, 3) },
      of: 'y',
      wrt: ['x'],
      eps: 1e-2,
    });
    expect(r.errors.x).toBeLessThan(3e-3);
    const gm = gradientModel(g.model(), { of: 'y', wrt: ['x'] });
    // The per-op Mul rule reads (erf + 1) from the forward pass.
    expect(gm.graph!.node.filter((n) => n.input.includes('plus_one')).length).toBeGreaterThan(1);
  });
});
