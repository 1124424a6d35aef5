import { describe, expect, it } from 'vitest';
import { hostTensor, type HostTensor } from '../../src/engine/onnx/model.js';
import { gradCheck, randn, singleOp } from './gradcheck.js';

const f64 = (dims: number[], seed: number, scale = 1, offset = 0) => randn('float64', dims, seed, scale, offset);

interface Case {
  name: string;
  op: string;
  inputs: Record<string, HostTensor>;
  order?: string[];
  attrs?: Record<string, unknown>;
  consts?: Record<string, HostTensor>;
  wrt?: string[];
  eps?: number;
  tol?: number;
}

const cases: Case[] = [
  { name: 'Add broadcast [2,3,4]+[3,1]', op: 'Add', inputs: { a: f64([2, 3, 4], 1), b: f64([3, 1], 2) } },
  { name: 'Add broadcast scalar', op: 'Add', inputs: { a: f64([], 1), b: f64([2, 3], 2) } },
  { name: 'Sub broadcast [4]-[2,3,4]', op: 'Sub', inputs: { a: f64([4], 3), b: f64([2, 3, 4], 4) } },
  { name: 'Mul broadcast [2,1,4]*[3,1]', op: 'Mul', inputs: { a: f64([2, 1, 4], 5), b: f64([3, 1], 6) } },
  { name: 'Div broadcast [2,3]/[3]', op: 'Div', inputs: { a: f64([2, 3], 7), b: f64([3], 8, 0.5, 1.5) } },
  { name: 'Pow variable exponent', op: 'Pow', inputs: { a: f64([2, 3], 9, 0.5, 1.5), b: f64([3], 10) } },
  {
    name: 'Pow constant exponent 2',
    op: 'Pow',
    inputs: { a: f64([2, 3], 11) },
    order: ['a', 'e'],
    consts: { e: hostTensor('float64', [], [2]) },
    wrt: ['a'],
  },
  {
    name: 'Pow constant exponent 3',
    op: 'Pow',
    inputs: { a: f64([4], 12) },
    order: ['a', 'e'],
    consts: { e: hostTensor('float64', [], [3]) },
    wrt: ['a'],
  },
  { name: 'Neg', op: 'Neg', inputs: { x: f64([5], 13) } },
  { name: 'Sqrt', op: 'Sqrt', inputs: { x: f64([5], 14, 0.5, 1) } },
  { name: 'Reciprocal', op: 'Reciprocal', inputs: { x: f64([5], 15, 0.5, 1.2) } },
  { name: 'Exp', op: 'Exp', inputs: { x: f64([5], 16) } },
  { name: 'Log', op: 'Log', inputs: { x: f64([5], 17, 0.5, 1) } },
  { name: 'Tanh', op: 'Tanh', inputs: { x: f64([5], 18, 2) } },
  { name: 'Sigmoid', op: 'Sigmoid', inputs: { x: f64([5], 19, 2) } },
  { name: 'Relu', op: 'Relu', inputs: { x: f64([8], 20) } },
  { name: 'LeakyRelu alpha 0.2', op: 'LeakyRelu', inputs: { x: f64([8], 21) }, attrs: { alpha: { float: 0.2 } } },
  { name: 'Abs', op: 'Abs', inputs: { x: f64([8], 22) } },
  {
    name: 'Clip min and max',
    op: 'Clip',
    inputs: { x: f64([10], 23, 2) },
    order: ['x', 'lo', 'hi'],
    consts: { lo: hostTensor('float64', [], [-0.5]), hi: hostTensor('float64', [], [0.7]) },
    wrt: ['x'],
  },
  {
    name: 'Clip min only',
    op: 'Clip',
    inputs: { x: f64([10], 24, 2) },
    order: ['x', 'lo'],
    consts: { lo: hostTensor('float64', [], [-0.3]) },
    wrt: ['x'],
  },
  { name: 'Erf (float32)', op: 'Erf', inputs: { x: randn('float32', [6], 25) }, eps: 1e-2, tol: 2e-3 },
  { name: 'Sin', op: 'Sin', inputs: { x: f64([5], 26, 3) } },
  { name: 'Cos', op: 'Cos', inputs: { x: f64([5], 27, 3) } },
  { name: 'Max binary broadcast', op: 'Max', inputs: { a: f64([2, 3], 28), b: f64([3], 29) } },
  { name: 'Min binary', op: 'Min', inputs: { a: f64([2, 3], 30), b: f64([2, 3], 31) } },
  { name: 'PRelu slope per channel', op: 'PRelu', inputs: { x: f64([2, 3, 2], 32), s: f64([3, 1], 33, 0.3) } },
  { name: 'Softsign (float32)', op: 'Softsign', inputs: { x: randn('float32', [5], 34, 3) }, eps: 1e-2, tol: 2e-3 },
];

describe('gradient rules: elementwise (finite differences, float64 unless noted)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const order = c.order ?? Object.keys(c.inputs);
      const model = singleOp(c.op, { inputs: c.inputs, order, attrs: c.attrs, consts: c.consts });
      const r = await gradCheck({ model, inputs: c.inputs, of: 'y', wrt: c.wrt ?? Object.keys(c.inputs), eps: c.eps });
      for (const [w, e] of Object.entries(r.errors)) expect(e, `${c.name}: d/d${w}`).toBeLessThan(c.tol ?? 1e-6);
    });
  }

  it('Where routes the gradient by a mask computed from a comparison (non-differentiable path)', async () => {
    const { GraphBuilder } = await import('../../src/engine/onnx/builder.js');
    const g = new GraphBuilder('where');
    g.input('x', 'float64', [2, 3]);
    g.input('a', 'float64', [3]);
    g.input('b', 'float64', [2, 1]);
    const cond = g.op('Greater', ['x', g.scalar(0, 'float64')]);
    g.op('Where', [cond, 'a', g.op('Mul', ['b', 'x'])], {}, 'y');
    g.output('y', 'float64', [2, 3]);
    const inputs = { x: f64([2, 3], 40), a: f64([3], 41), b: f64([2, 1], 42) };
    const r = await gradCheck({ model: g.model(), inputs, of: 'y', wrt: ['x', 'a', 'b'] });
    for (const [w, e] of Object.entries(r.errors)) expect(e, w).toBeLessThan(1e-6);
  });
});
