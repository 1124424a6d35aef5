// Conv's input gradient with a constant weight is a Conv of dy with the flipped, channel-swapped
// weight (folded on the host) where every stride is 1: the same gradient as the ConvTranspose path
// (weights fed as inputs) and as finite differences, for pads, dilations, groups and 1-D windows.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { gradientModel } from '../../src/engine/onnx/gradient.js';
import { writeModel, type HostTensor, type ModelProto } from '../../src/engine/onnx/model.js';
import { gradCheck, randn, toOrt } from './gradcheck.js';

interface Case {
  name: string;
  x: number[];
  w: number[];
  attrs: Record<string, number[] | number | string>;
  /** The rewrite applies (stride 1, pads within the kernel's reach). */
  rewritten: boolean;
}

const cases: Case[] = [
  { name: '3×3, pads 1', x: [1, 3, 6, 5], w: [4, 3, 3, 3], attrs: { pads: [1, 1, 1, 1] }, rewritten: true },
  { name: 'no pads', x: [2, 2, 5, 5], w: [3, 2, 3, 3], attrs: {}, rewritten: true },
  {
    name: 'asymmetric pads, 3×2 kernel',
    x: [1, 2, 6, 6],
    w: [3, 2, 3, 2],
    attrs: { pads: [2, 0, 0, 1] },
    rewritten: true,
  },
  {
    name: 'dilation 2',
    x: [1, 2, 7, 7],
    w: [2, 2, 3, 3],
    attrs: { dilations: [2, 2], pads: [2, 1, 0, 2] },
    rewritten: true,
  },
  { name: 'groups 2', x: [1, 4, 5, 5], w: [6, 2, 3, 3], attrs: { group: 2, pads: [1, 1, 1, 1] }, rewritten: true },
  {
    name: 'depthwise 4×4 FIR, pads 1',
    x: [1, 3, 7, 7],
    w: [3, 1, 4, 4],
    attrs: { group: 3, pads: [1, 1, 1, 1] },
    rewritten: true,
  },
  { name: '1-D', x: [1, 2, 9], w: [3, 2, 4], attrs: { pads: [2, 1] }, rewritten: true },
  { name: 'SAME_UPPER', x: [1, 2, 6, 6], w: [2, 2, 4, 4], attrs: { auto_pad: 'SAME_UPPER' }, rewritten: true },
  { name: 'pads past the kernel', x: [1, 2, 5, 5], w: [2, 2, 3, 3], attrs: { pads: [3, 3, 0, 0] }, rewritten: false },
  {
    name: 'stride 2',
    x: [1, 2, 7, 7],
    w: [2, 2, 3, 3],
    attrs: { strides: [2, 2], pads: [1, 1, 1, 1] },
    rewritten: false,
  },
];

function convModel(c: Case, w: HostTensor, weightAsInput: boolean): ModelProto {
  const g = new GraphBuilder('conv');
  g.input('x', 'float32', c.x);
  const wName = weightAsInput ? g.input('w', 'float32', c.w) : g.weight('w', w);
  const kernel_shape = c.w.slice(2);
  g.op('Conv', ['x', wName], { kernel_shape, ...c.attrs }, 'y');
  g.output('y', 'float32', []);
  const m = g.model(17);
  m.graph!.output[0]!.type = undefined;
  return m;
}

async function xGrad(model: ModelProto, feeds: Record<string, HostTensor>, seed: HostTensor) {
  const grad = gradientModel(model, { of: 'y', wrt: ['x'] });
  const session = await ort.InferenceSession.create(writeModel(grad));
  const f: Record<string, ort.Tensor> = { y_grad: toOrt(seed) };
  for (const [k, v] of Object.entries(feeds)) f[k] = toOrt(v);
  return { ops: grad.graph!.node.map((n) => n.opType), x: (await session.run(f)).x_grad!.data as Float32Array };
}

describe('Conv input gradient with a constant weight', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const x = randn('float32', c.x, 1);
      const w = randn('float32', c.w, 2);
      const forward = await ort.InferenceSession.create(writeModel(convModel(c, w, true)));
      const y = (await forward.run({ x: toOrt(x), w: toOrt(w) })).y!;
      const seed = randn('float32', [...y.dims], 3);
      const constant = await xGrad(convModel(c, w, false), { x }, seed);
      const fed = await xGrad(convModel(c, w, true), { x, w }, seed);
      expect(constant.ops.includes('ConvTranspose')).toBe(!c.rewritten);
      let diff = 0,
        size = 0;
      for (let i = 0; i < fed.x.length; i++) {
        diff = Math.max(diff, Math.abs(constant.x[i]! - fed.x[i]!));
        size = Math.max(size, Math.abs(fed.x[i]!));
      }
      expect(constant.x.length).toBe(fed.x.length);
      expect(diff / size).toBeLessThan(1e-5);
      // Conv is linear in x: a large step is exact up to float32 rounding.
      const { errors } = await gradCheck({
        model: convModel(c, w, false),
        inputs: { x },
        of: 'y',
        wrt: ['x'],
        eps: 0.5,
      });
      expect(errors.x).toBeLessThan(1e-4);
    });
  }
});

describe('a zero Pad in front of a Conv becomes the Conv’s own pads', () => {
  const i64 = (values: number[]) =>
    ({ dtype: 'int64', dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) }) as HostTensor;
  /** x → Pad(pads, value) → Conv(3×3) → y, the pads constant inputs (opset 17). */
  function padConv(pads: number[], value: number): ModelProto {
    const g = new GraphBuilder('pad-conv');
    g.input('x', 'float32', [1, 2, 5, 6]);
    const padInputs = [g.weight('pads', i64(pads))];
    if (value !== 0) padInputs.push(g.weight('value', { dtype: 'float32', dims: [], data: new Float32Array([value]) }));
    const padded = g.op('Pad', ['x', ...padInputs], {}, 'padded');
    g.op('Conv', [padded, g.weight('w', randn('float32', [3, 2, 3, 3], 11))], { pads: [0, 1, 0, 1] }, 'y');
    const [n, , h, w] = [1, 2, 5, 6].map((d, i) => d + pads[i]! + pads[i + 4]!);
    g.output('y', 'float32', [n!, 3, h! - 2, w!]);
    return g.model(17);
  }

  it('folds a spatial zero Pad: no Pad in the gradient model, no Slice in its backward, the same gradient', async () => {
    const model = padConv([0, 0, 1, 2, 0, 0, 2, 1], 0);
    const grad = gradientModel(model, { of: 'y', wrt: ['x'] });
    const ops = grad.graph!.node.map((n) => n.opType);
    expect(ops).not.toContain('Pad');
    expect(ops).not.toContain('Slice');
    const { errors } = await gradCheck({
      model,
      inputs: { x: randn('float32', [1, 2, 5, 6], 12) },
      of: 'y',
      wrt: ['x'],
      eps: 0.5,
    });
    expect(errors.x).toBeLessThan(1e-4);
  });

  it('keeps a Pad with a non-zero value or one that pads the batch', () => {
    for (const [pads, value] of [
      [[0, 0, 1, 1, 0, 0, 1, 1], 0.5],
      [[1, 0, 1, 1, 0, 0, 1, 1], 0],
    ] as const) {
      const grad = gradientModel(padConv([...pads], value), { of: 'y', wrt: ['x'] });
      expect(grad.graph!.node.some((n) => n.opType === 'Pad' && n.input[0] === 'x')).toBe(true);
    }
  });
});
