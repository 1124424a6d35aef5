import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { hostTensor, type HostTensor } from '../../src/engine/onnx/model.js';
import { gradCheck, randn, singleOp } from './gradcheck.js';

const f64 = (dims: number[], seed: number, scale = 1, offset = 0) => randn('float64', dims, seed, scale, offset);
const i64 = (values: number[], dims = [values.length]) => hostTensor('int64', dims, values);

interface Case {
  name: string;
  op: string;
  inputs: Record<string, HostTensor>;
  order?: string[];
  attrs?: Record<string, unknown>;
  consts?: Record<string, HostTensor>;
  wrt?: string[];
  opset?: number;
}

const cases: Case[] = [
  { name: 'MatMul [2,3]x[3,4]', op: 'MatMul', inputs: { a: f64([2, 3], 1), b: f64([3, 4], 2) } },
  {
    name: 'MatMul batch broadcast [2,1,3,4]x[5,4,2]',
    op: 'MatMul',
    inputs: { a: f64([2, 1, 3, 4], 3), b: f64([5, 4, 2], 4) },
  },
  { name: 'MatMul vector x matrix', op: 'MatMul', inputs: { a: f64([3], 5), b: f64([2, 3, 4], 6) } },
  { name: 'MatMul matrix x vector', op: 'MatMul', inputs: { a: f64([2, 3], 7), b: f64([3], 8) } },
  { name: 'Gemm plain with C [4]', op: 'Gemm', inputs: { a: f64([2, 3], 9), b: f64([3, 4], 10), c: f64([4], 11) } },
  {
    name: 'Gemm transA transB alpha beta, C [2,1]',
    op: 'Gemm',
    inputs: { a: f64([3, 2], 12), b: f64([4, 3], 13), c: f64([2, 1], 14) },
    attrs: { transA: 1, transB: 1, alpha: { float: 0.7 }, beta: { float: 1.3 } },
  },
  { name: 'Gemm transB only', op: 'Gemm', inputs: { a: f64([2, 3], 15), b: f64([4, 3], 16) }, attrs: { transB: 1 } },
  { name: 'Gemm transA only', op: 'Gemm', inputs: { a: f64([3, 2], 17), b: f64([3, 4], 18) }, attrs: { transA: 1 } },
  {
    name: 'Reshape with -1 and 0',
    op: 'Reshape',
    inputs: { x: f64([2, 3, 4], 19) },
    order: ['x', 's'],
    consts: { s: i64([0, -1]) },
    wrt: ['x'],
  },
  { name: 'Transpose perm', op: 'Transpose', inputs: { x: f64([2, 3, 4], 20) }, attrs: { perm: [2, 0, 1] } },
  { name: 'Transpose default', op: 'Transpose', inputs: { x: f64([2, 3], 21) } },
  {
    name: 'Concat negative axis',
    op: 'Concat',
    inputs: { a: f64([2, 3], 22), b: f64([2, 1], 23), c: f64([2, 2], 24) },
    attrs: { axis: -1 },
  },
  {
    name: 'Slice negative start, step 2',
    op: 'Slice',
    inputs: { x: f64([4, 7], 25) },
    order: ['x', 'st', 'en', 'ax', 'sp'],
    consts: { st: i64([-6]), en: i64([100]), ax: i64([1]), sp: i64([2]) },
    wrt: ['x'],
  },
  {
    name: 'Slice reversed, two axes',
    op: 'Slice',
    inputs: { x: f64([4, 5], 26) },
    order: ['x', 'st', 'en', 'ax', 'sp'],
    consts: { st: i64([3, 1]), en: i64([0, 4]), ax: i64([0, -1]), sp: i64([-1, 1]) },
    wrt: ['x'],
  },
  {
    name: 'Slice no axes',
    op: 'Slice',
    inputs: { x: f64([3, 4], 27) },
    order: ['x', 'st', 'en'],
    consts: { st: i64([1, 0]), en: i64([3, 2]) },
    wrt: ['x'],
  },
  {
    name: 'Gather embedding lookup with repeated ids',
    op: 'Gather',
    inputs: { w: f64([5, 3], 28) },
    order: ['w', 'ids'],
    consts: { ids: i64([1, 4, 1, 0, 4, 4], [2, 3]) },
    wrt: ['w'],
  },
  {
    name: 'Gather axis 1 negative index',
    op: 'Gather',
    inputs: { x: f64([2, 4, 3], 29) },
    order: ['x', 'ids'],
    consts: { ids: i64([-1, 0]) },
    attrs: { axis: 1 },
    wrt: ['x'],
  },
  {
    name: 'Gather scalar index (class token)',
    op: 'Gather',
    inputs: { x: f64([2, 4, 3], 30) },
    order: ['x', 'ids'],
    consts: { ids: i64([0], []) },
    attrs: { axis: 1 },
    wrt: ['x'],
  },
  {
    name: 'Gather consecutive indices axis 1',
    op: 'Gather',
    inputs: { x: f64([2, 5, 3], 54) },
    order: ['x', 'ids'],
    consts: { ids: i64([1, 2, 3]) },
    attrs: { axis: 1 },
    wrt: ['x'],
  },
  { name: 'Gather with runtime ids', op: 'Gather', inputs: { w: f64([4, 2], 31), ids: i64([3, -1, 0]) }, wrt: ['w'] },
  {
    name: 'Expand [3,1] to [2,3,4]',
    op: 'Expand',
    inputs: { x: f64([3, 1], 32) },
    order: ['x', 's'],
    consts: { s: i64([2, 3, 4]) },
    wrt: ['x'],
  },
  {
    name: 'Squeeze',
    op: 'Squeeze',
    inputs: { x: f64([2, 1, 3], 33) },
    order: ['x', 'ax'],
    consts: { ax: i64([1]) },
    wrt: ['x'],
  },
  {
    name: 'Unsqueeze negative axis',
    op: 'Unsqueeze',
    inputs: { x: f64([2, 3], 34) },
    order: ['x', 'ax'],
    consts: { ax: i64([-1]) },
    wrt: ['x'],
  },
  { name: 'Flatten axis 2', op: 'Flatten', inputs: { x: f64([2, 3, 2, 2], 35) }, attrs: { axis: 2 } },
  { name: 'Identity', op: 'Identity', inputs: { x: f64([3], 36) } },
  {
    name: 'ReduceSum axes [0,-1] keepdims 1',
    op: 'ReduceSum',
    inputs: { x: f64([2, 3, 4], 37) },
    order: ['x', 'ax'],
    consts: { ax: i64([0, -1]) },
    wrt: ['x'],
  },
  { name: 'ReduceSum keepdims 0 all axes', op: 'ReduceSum', inputs: { x: f64([2, 3], 38) }, attrs: { keepdims: 0 } },
  {
    name: 'ReduceMean axes [1] keepdims 0 (opset 17 attr)',
    op: 'ReduceMean',
    inputs: { x: f64([2, 3, 4], 39) },
    attrs: { axes: [1], keepdims: 0 },
  },
  {
    name: 'ReduceMean axes input (opset 18) keepdims 1',
    op: 'ReduceMean',
    inputs: { x: f64([2, 3, 4], 40) },
    order: ['x', 'ax'],
    consts: { ax: i64([-2]) },
    wrt: ['x'],
    opset: 18,
  },
  {
    name: 'ReduceL2 axes [-1] keepdims 0',
    op: 'ReduceL2',
    inputs: { x: f64([3, 4], 41) },
    attrs: { axes: [-1], keepdims: 0 },
  },
  { name: 'ReduceSumSquare', op: 'ReduceSumSquare', inputs: { x: f64([3, 4], 42) }, attrs: { axes: [0] } },
  { name: 'ReduceMax', op: 'ReduceMax', inputs: { x: f64([3, 4], 43) }, attrs: { axes: [1], keepdims: 0 } },
  { name: 'ReduceLogSumExp', op: 'ReduceLogSumExp', inputs: { x: f64([3, 4], 44) }, attrs: { axes: [1] } },
  { name: 'Softmax axis -1', op: 'Softmax', inputs: { x: f64([2, 3, 4], 45, 2) } },
  { name: 'Softmax axis 1', op: 'Softmax', inputs: { x: f64([2, 3, 4], 46, 2) }, attrs: { axis: 1 } },
  { name: 'LogSoftmax axis -1', op: 'LogSoftmax', inputs: { x: f64([2, 5], 47, 2) } },
  { name: 'LogSoftmax axis 0', op: 'LogSoftmax', inputs: { x: f64([3, 2], 48, 2) }, attrs: { axis: 0 } },
  {
    name: 'Softmax opset 11 (flattening semantics)',
    op: 'Softmax',
    inputs: { x: f64([2, 3, 2], 49, 2) },
    attrs: { axis: 1 },
    opset: 11,
  },
  {
    name: 'Tile',
    op: 'Tile',
    inputs: { x: f64([2, 3], 50) },
    order: ['x', 'r'],
    consts: { r: i64([2, 3]) },
    wrt: ['x'],
  },
  {
    name: 'Split uneven',
    op: 'Split',
    inputs: { x: f64([2, 7], 51) },
    order: ['x', 'sp'],
    consts: { sp: i64([3, 4]) },
    attrs: { axis: 1 },
    wrt: ['x'],
  },
  {
    name: 'Pad constant with negative pad',
    op: 'Pad',
    inputs: { x: f64([3, 4], 52) },
    order: ['x', 'p'],
    consts: { p: i64([1, -1, 2, 0]) },
    wrt: ['x'],
  },
  {
    name: 'CumSum reverse',
    op: 'CumSum',
    inputs: { x: f64([5], 53) },
    order: ['x', 'ax'],
    consts: { ax: i64([0], []) },
    attrs: { reverse: 1 },
    wrt: ['x'],
  },
];

describe('gradient rules: linear algebra, shapes, reductions (finite differences, float64)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const order = c.order ?? Object.keys(c.inputs);
      const model = singleOp(c.op, { inputs: c.inputs, order, attrs: c.attrs, consts: c.consts, opset: c.opset });
      if (c.op === 'Split') {
        // Only the second output is used: the first part's gradient must come back as zeros.
        model.graph!.node[0]!.output = ['unused', 'y'];
      }
      const wrt = c.wrt ?? Object.keys(c.inputs).filter((k) => c.inputs[k]!.dtype === 'float64');
      const r = await gradCheck({ model, inputs: c.inputs, of: 'y', wrt });
      for (const [w, e] of Object.entries(r.errors)) expect(e, `${c.name}: d/d${w}`).toBeLessThan(1e-6);
    });
  }

  it('sums the gradient of a value used by several nodes, and skips integer paths', async () => {
    const g = new GraphBuilder('fanout');
    g.input('x', 'float64', [2, 3]);
    const sq = g.op('Mul', ['x', 'x']);
    const e = g.op('Exp', ['x']);
    const shape = g.op('Shape', ['x']);
    const am = g.op('ArgMax', ['x'], { axis: 1, keepdims: 1 }); // int path: no gradient
    const amf = g.op('Cast', [am], { to: 11 });
    const r = g.op('Reshape', [g.op('Add', [sq, e]), shape]);
    g.op('Add', [r, amf], {}, 'y');
    g.output('y', 'float64', [2, 3]);
    const res = await gradCheck({ model: g.model(), inputs: { x: f64([2, 3], 60) }, of: 'y', wrt: ['x'] });
    expect(res.errors.x).toBeLessThan(1e-6);
  });

  it('leaves out the Expand of a reduced gradient when its consumers broadcast anyway', async () => {
    const g = new GraphBuilder('norm2');
    g.input('x', 'float64', [3, 4]);
    const r = g.op('ReduceSum', [g.op('Mul', ['x', 'x']), g.ints([1])], { keepdims: 1 });
    g.op('Mul', [r, 'x'], {}, 'y');
    g.output('y', 'float64', [3, 4]);
    const res = await gradCheck({ model: g.model(), inputs: { x: f64([3, 4], 63) }, of: 'y', wrt: ['x'] });
    expect(res.errors.x).toBeLessThan(1e-6);
    const { gradientModel } = await import('../../src/engine/onnx/gradient.js');
    expect(gradientModel(g.model(), { of: 'y', wrt: ['x'] }).graph!.node.some((n) => n.opType === 'Expand')).toBe(
      false,
    );
  });

  it('joins the gradients of pieces cut out of one value (Slice, Gather) with one Concat, gaps as zeros', async () => {
    const g = new GraphBuilder('pieces');
    g.input('x', 'float64', [2, 7, 3]);
    g.input('w', 'float64', [3]);
    const piece = (lo: number, hi: number) => g.op('Slice', ['x', g.ints([lo]), g.ints([hi]), g.ints([1])]);
    const a = piece(0, 2); // rows 0-1
    const b = g.op('Gather', ['x', g.ints([3])], { axis: 1 }); // row 3 (row 2 unused)
    const c = piece(4, 6); // rows 4-5 (row 6 unused)
    const ra = g.op('ReduceSum', [g.op('Mul', [a, a]), g.ints([1])], { keepdims: 0 });
    const rc = g.op('ReduceSum', [g.op('Exp', [c]), g.ints([1])], { keepdims: 0 });
    g.op('Add', [g.op('Add', [ra, g.op('Mul', [b, 'w'])]), rc], {}, 'y');
    g.output('y', 'float64', [2, 3]);
    const m = g.model();
    const inputs = { x: f64([2, 7, 3], 61), w: f64([3], 62) };
    const res = await gradCheck({ model: m, inputs, of: 'y', wrt: ['x'] });
    expect(res.errors.x).toBeLessThan(1e-6);
    // The three padded pieces become one Concat, not three Pads and two Adds.
    const { gradientModel } = await import('../../src/engine/onnx/gradient.js');
    const ops = gradientModel(m, { of: 'y', wrt: ['x'] }).graph!.node.map((n) => n.opType);
    expect(ops.filter((o) => o === 'Concat').length).toBe(1);
    expect(ops.filter((o) => o === 'Pad').length).toBe(0);
  });
});
