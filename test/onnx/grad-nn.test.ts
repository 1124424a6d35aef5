// Window ops and normalizations. onnxruntime's CPU kernels for Conv, ConvTranspose, AveragePool and
// InstanceNormalization are float32 only; those are linear in each input, so a step of 0.5 is exact
// up to float32 rounding.
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { hostTensor, type HostTensor } from '../../src/engine/onnx/model.js';
import { gradCheck, randn, singleOp } from './gradcheck.js';

const f32 = (dims: number[], seed: number, scale = 1, offset = 0) => randn('float32', dims, seed, scale, offset);
const f64 = (dims: number[], seed: number, scale = 1, offset = 0) => randn('float64', dims, seed, scale, offset);

interface Case {
  name: string;
  op: string;
  inputs: Record<string, HostTensor>;
  attrs?: Record<string, unknown>;
  eps?: number;
  tol?: number;
  opset?: number;
  target?: 'any' | 'cpu';
}

const LINEAR = { eps: 0.5, tol: 1e-4 };
// Max pooling is piecewise linear: with distinct multiples of 1/8 and a step of 1/32 no window's
// maximum changes, and float32 represents every value exactly.
const PIECEWISE = { eps: 1 / 32, tol: 1e-4 };

function distinct(dims: number[], seed: number): HostTensor {
  const n = dims.reduce((a, b) => a * b, 1);
  const r = randn('float64', [n], seed);
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (r.data as Float64Array)[a]! - (r.data as Float64Array)[b]!,
  );
  const v = new Array<number>(n);
  order.forEach((idx, rank) => {
    v[idx] = (rank - n / 2) / 8;
  });
  return hostTensor('float32', dims, v);
}

const cases: Case[] = [
  {
    name: 'Conv 2D plain, bias',
    op: 'Conv',
    inputs: { x: f32([2, 3, 5, 5], 1), w: f32([4, 3, 3, 3], 2), b: f32([4], 3) },
    attrs: { kernel_shape: [3, 3] },
    ...LINEAR,
  },
  {
    name: 'Conv stride 2 odd size, asymmetric pads',
    op: 'Conv',
    inputs: { x: f32([1, 2, 7, 6], 4), w: f32([3, 2, 3, 2], 5) },
    attrs: { kernel_shape: [3, 2], strides: [2, 2], pads: [1, 0, 0, 1] },
    ...LINEAR,
  },
  {
    name: 'Conv groups 2, dilation 2, pads 2',
    op: 'Conv',
    inputs: { x: f32([2, 4, 6, 6], 6), w: f32([6, 2, 2, 3], 7), b: f32([6], 8) },
    attrs: { kernel_shape: [2, 3], group: 2, dilations: [2, 2], pads: [2, 2, 2, 2] },
    ...LINEAR,
  },
  {
    name: 'Conv depthwise stride 2, implicit attributes',
    op: 'Conv',
    inputs: { x: f32([1, 3, 5, 5], 9), w: f32([3, 1, 3, 3], 10) },
    attrs: { group: 3, strides: [2, 2] },
    ...LINEAR,
  },
  {
    name: 'Conv auto_pad SAME_UPPER stride 2',
    op: 'Conv',
    inputs: { x: f32([1, 2, 5, 4], 11), w: f32([2, 2, 3, 3], 12) },
    attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2] },
    ...LINEAR,
  },
  {
    name: 'Conv 1D stride 3 dilation 2',
    op: 'Conv',
    inputs: { x: f32([2, 2, 11], 13), w: f32([3, 2, 3], 14) },
    attrs: { kernel_shape: [3], strides: [3], dilations: [2] },
    ...LINEAR,
  },
  {
    name: 'Conv 1x1 groups 2 (weight gradient from x itself)',
    op: 'Conv',
    inputs: { x: f32([2, 4, 3, 3], 60), w: f32([6, 2, 1, 1], 61) },
    attrs: { kernel_shape: [1, 1], group: 2 },
    ...LINEAR,
  },
  {
    name: 'Conv 6x5 kernel (weight gradient as a Conv)',
    op: 'Conv',
    inputs: { x: f32([2, 2, 8, 7], 62), w: f32([3, 2, 6, 5], 63) },
    attrs: { kernel_shape: [6, 5], pads: [1, 0, 0, 1] },
    ...LINEAR,
  },
  {
    name: 'ConvTranspose stride 2, output_padding 1, pads',
    op: 'ConvTranspose',
    inputs: { x: f32([1, 2, 3, 4], 15), w: f32([2, 3, 3, 3], 16), b: f32([3], 17) },
    attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 0], output_padding: [1, 0] },
    ...LINEAR,
  },
  {
    name: 'ConvTranspose groups 2, dilation 2',
    op: 'ConvTranspose',
    inputs: { x: f32([2, 4, 3, 3], 18), w: f32([4, 1, 2, 2], 19) },
    attrs: { group: 2, dilations: [2, 2], strides: [1, 2] },
    ...LINEAR,
  },
  {
    name: 'ConvTranspose output_shape',
    op: 'ConvTranspose',
    inputs: { x: f32([1, 1, 3, 3], 20), w: f32([1, 2, 3, 3], 21) },
    attrs: { strides: [2, 2], output_shape: [6, 6] },
    ...LINEAR,
  },
  {
    name: 'AveragePool 3x3 stride 2, pads, count_include_pad 0',
    op: 'AveragePool',
    inputs: { x: f32([1, 2, 7, 6], 22) },
    attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] },
    ...LINEAR,
  },
  {
    name: 'AveragePool count_include_pad 1, ceil_mode',
    op: 'AveragePool',
    inputs: { x: f32([1, 1, 6, 7], 23) },
    attrs: { kernel_shape: [2, 3], strides: [2, 2], pads: [1, 0, 0, 1], count_include_pad: 1, ceil_mode: 1 },
    ...LINEAR,
  },
  { name: 'GlobalAveragePool', op: 'GlobalAveragePool', inputs: { x: f32([2, 3, 4, 5], 24) }, ...LINEAR },
  {
    name: 'MaxPool 2x2 stride 2',
    op: 'MaxPool',
    inputs: { x: distinct([2, 2, 4, 6], 25) },
    attrs: { kernel_shape: [2, 2], strides: [2, 2] },
    ...PIECEWISE,
  },
  {
    name: 'MaxPool overlapping 3x3 stride 1 pads 1',
    op: 'MaxPool',
    inputs: { x: distinct([1, 2, 5, 5], 26) },
    attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] },
    ...PIECEWISE,
  },
  {
    name: 'MaxPool ceil_mode, dilation 2, stride 2',
    op: 'MaxPool',
    inputs: { x: distinct([1, 1, 8, 7], 27) },
    attrs: { kernel_shape: [2, 2], strides: [2, 2], dilations: [2, 2], ceil_mode: 1 },
    ...PIECEWISE,
  },
  {
    name: 'MaxPool 1D kernel 3 stride 2 pads 1',
    op: 'MaxPool',
    inputs: { x: distinct([2, 2, 9], 28) },
    attrs: { kernel_shape: [3], strides: [2], pads: [1, 1] },
    ...PIECEWISE,
  },
  {
    name: 'MaxPool 2x2 stride 2, CPU target (MaxUnpool)',
    op: 'MaxPool',
    inputs: { x: distinct([2, 2, 5, 6], 64) },
    attrs: { kernel_shape: [2, 2], strides: [2, 2] },
    target: 'cpu',
    ...PIECEWISE,
  },
  {
    name: 'MaxPool 2x3 stride 3, pads, ceil_mode, CPU target (MaxUnpool)',
    op: 'MaxPool',
    inputs: { x: distinct([1, 2, 7, 8], 65) },
    attrs: { kernel_shape: [2, 3], strides: [3, 3], pads: [1, 0, 0, 1], ceil_mode: 1 },
    target: 'cpu',
    ...PIECEWISE,
  },
  {
    name: 'MaxPool overlapping, CPU target (one-hot path)',
    op: 'MaxPool',
    inputs: { x: distinct([1, 2, 5, 5], 66) },
    attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] },
    target: 'cpu',
    ...PIECEWISE,
  },
  { name: 'GlobalMaxPool', op: 'GlobalMaxPool', inputs: { x: distinct([2, 3, 3, 2], 29) }, ...PIECEWISE },
  {
    name: 'LayerNormalization axis -1 (float64)',
    op: 'LayerNormalization',
    inputs: { x: f64([2, 3, 5], 29, 2), s: f64([5], 30), b: f64([5], 31) },
    attrs: { epsilon: { float: 1e-5 } },
    eps: 1e-6,
    tol: 1e-6,
  },
  {
    name: 'LayerNormalization axis 1 (float64)',
    op: 'LayerNormalization',
    inputs: { x: f64([2, 3, 4], 32, 2), s: f64([3, 4], 33), b: f64([4], 34) },
    attrs: { axis: 1 },
    eps: 1e-6,
    tol: 1e-6,
  },
  {
    name: 'BatchNormalization inference (float64)',
    op: 'BatchNormalization',
    inputs: { x: f64([2, 3, 2, 2], 35), s: f64([3], 36), b: f64([3], 37), m: f64([3], 38), v: f64([3], 39, 0.5, 1) },
    eps: 1e-6,
    tol: 1e-6,
  },
  {
    name: 'InstanceNormalization (float32)',
    op: 'InstanceNormalization',
    inputs: { x: f32([2, 3, 4, 3], 40, 2), s: f32([3], 41), b: f32([3], 42) },
    eps: 1e-2,
    tol: 5e-3,
  },
];

describe('gradient rules: convolution, pooling, normalization (finite differences)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const model = singleOp(c.op, { inputs: c.inputs, order: Object.keys(c.inputs), attrs: c.attrs, opset: c.opset });
      const r = await gradCheck({
        model,
        inputs: c.inputs,
        of: 'y',
        wrt: Object.keys(c.inputs),
        eps: c.eps,
        target: c.target,
      });
      for (const [w, e] of Object.entries(r.errors)) expect(e, `${c.name}: d/d${w}`).toBeLessThan(c.tol ?? 1e-6);
    });
  }

  it('Conv weight computed at runtime (modulated weights) gets its gradient', async () => {
    const g = new GraphBuilder('modconv');
    g.input('x', 'float32', [1, 2, 5, 5]);
    g.input('w', 'float32', [3, 2, 3, 3]);
    g.input('s', 'float32', [1, 2, 1, 1]);
    const wm = g.op('Mul', ['w', 's']);
    g.op('Conv', ['x', wm], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, 'y');
    g.output('y', 'float32', [1, 3, 5, 5]);
    const inputs = { x: f32([1, 2, 5, 5], 50), w: f32([3, 2, 3, 3], 51), s: f32([1, 2, 1, 1], 52) };
    for (const w of ['x', 'w', 's']) {
      const r = await gradCheck({ model: g.model(), inputs, of: 'y', wrt: [w], eps: 0.5 });
      expect(r.errors[w], w).toBeLessThan(1e-4);
    }
  });

  it('LayerNormalization feeding a constant MatMul: centred-weight backward (float64)', async () => {
    const lnLinear = (dtype: 'float32' | 'float64') => {
      const t = (dims: number[], seed: number, scale = 1, offset = 0) => randn(dtype, dims, seed, scale, offset);
      const g = new GraphBuilder('ln_linear');
      g.input('x', dtype, [2, 3, 5]);
      g.weight('scale', t([5], 70, 1, 1));
      g.weight('bias', t([5], 71));
      g.weight('w', t([5, 4], 72));
      const ln = g.op('LayerNormalization', ['x', 'scale', 'bias'], { axis: -1 });
      g.op('MatMul', [ln, 'w'], {}, 'y');
      g.output('y', dtype, [2, 3, 4]);
      return g.model();
    };
    const m = lnLinear('float64');
    const r = await gradCheck({ model: m, inputs: { x: f64([2, 3, 5], 73, 2) }, of: 'y', wrt: ['x'], eps: 1e-6 });
    expect(r.errors.x).toBeLessThan(1e-6);
    const { gradientModel } = await import('../../src/engine/onnx/gradient.js');
    // float32 reads mean and 1/std from the forward LayerNorm; mean(g) is folded into the constant
    // weight, so one ReduceMean is left.
    expect(
      gradientModel(lnLinear('float32'), { of: 'y', wrt: ['x'] }).graph!.node.filter((n) => n.opType === 'ReduceMean')
        .length,
    ).toBe(1);
    // With the scale as a gradient target too, the general backward runs (and is right).
    const r2 = await gradCheck({
      model: m,
      inputs: { x: f64([2, 3, 5], 73, 2) },
      of: 'y',
      wrt: ['x', 'scale'],
      eps: 1e-6,
    });
    for (const [k, e] of Object.entries(r2.errors)) expect(e, k).toBeLessThan(1e-6);
  });

  it("MaxPool sends a tied window's gradient to the first maximum only, as onnxruntime's argmax", async () => {
    const x = hostTensor('float32', [1, 1, 2, 2], [1, 3, 3, 0]);
    const model = singleOp('MaxPool', { inputs: { x }, order: ['x'], attrs: { kernel_shape: [2, 2] } });
    const { gradientModel } = await import('../../src/engine/onnx/gradient.js');
    const ort = await import('onnxruntime-node');
    const { writeModel } = await import('../../src/engine/onnx/model.js');
    for (const target of ['any', 'cpu'] as const) {
      const gm = gradientModel(model, { of: 'y', wrt: ['x'], target });
      // MaxUnpool runs on the CPU under WebGPU: only the CPU target may use it.
      expect(
        gm.graph!.node.some((n) => n.opType === 'MaxUnpool'),
        target,
      ).toBe(target === 'cpu');
      const s = await ort.InferenceSession.create(writeModel(gm));
      const out = await s.run({
        x: new ort.Tensor('float32', x.data as Float32Array, x.dims),
        y_grad: new ort.Tensor('float32', Float32Array.from([2]), [1, 1, 1, 1]),
      });
      expect(Array.from(out.x_grad!.data as Float32Array), target).toEqual([0, 2, 0, 0]);
    }
  });
});

describe('LayerNormalization in float32 (backward reads the forward mean and 1/std outputs)', () => {
  it('matches the float64 gradient, which finite differences check above', async () => {
    const ort = await import('onnxruntime-node');
    const { gradientModel } = await import('../../src/engine/onnx/gradient.js');
    const { writeModel } = await import('../../src/engine/onnx/model.js');
    const run = async (dtype: 'float32' | 'float64') => {
      const inputs = { x: randn(dtype, [2, 3, 5], 70, 2), s: randn(dtype, [5], 71), b: randn(dtype, [5], 72) };
      const model = singleOp('LayerNormalization', { inputs, order: ['x', 's', 'b'], attrs: { axis: -1 } });
      const gm = gradientModel(model, { of: 'y', wrt: ['x', 's', 'b'] });
      const ln = gm.graph!.node.find((n) => n.opType === 'LayerNormalization')!;
      const sess = await ort.InferenceSession.create(writeModel(gm));
      const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
      for (const [k, t] of Object.entries(inputs)) feeds[k] = new ort.Tensor(dtype, t.data as Float32Array, t.dims);
      const seed = randn(dtype, [2, 3, 5], 73);
      feeds.y_grad = new ort.Tensor(dtype, seed.data as Float32Array, seed.dims);
      const out = await sess.run(feeds);
      return {
        outputs: ln.output.length,
        grads: ['x', 's', 'b'].map((w) => Array.from(out[`${w}_grad`]!.data as Float32Array, Number)),
      };
    };
    const f32 = await run('float32');
    const f64 = await run('float64');
    expect(f32.outputs).toBe(3);
    f32.grads.forEach((g, k) => {
      const ref = f64.grads[k]!;
      const scale = Math.max(...ref.map(Math.abs));
      for (const [i, v] of g.entries()) expect(Math.abs(v - ref[i]!) / scale).toBeLessThan(1e-4);
    });
  });
});
