// Resize is rewritten to MatMuls with interpolation matrices before differentiation. The rewritten
// forward pass must equal onnxruntime's Resize, and its gradient must match finite differences.
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { gradientModel } from '../../src/engine/onnx/gradient.js';
import { hostTensor, writeModel } from '../../src/engine/onnx/model.js';
import { gradCheck, randn, toOrt } from './gradcheck.js';

interface Case {
  name: string;
  dims: number[];
  scales?: number[];
  sizes?: number[];
  attrs: Record<string, string | number | { float: number }>;
}

const cases: Case[] = [
  {
    name: 'bilinear x2 half_pixel (torch interpolate)',
    dims: [1, 2, 3, 4],
    scales: [1, 1, 2, 2],
    attrs: { mode: 'linear' },
  },
  {
    name: 'linear align_corners to sizes',
    dims: [1, 1, 4, 3],
    sizes: [1, 1, 7, 5],
    attrs: { mode: 'linear', coordinate_transformation_mode: 'align_corners' },
  },
  {
    name: 'linear pytorch_half_pixel downscale',
    dims: [1, 1, 6, 8],
    scales: [1, 1, 0.5, 0.75],
    attrs: { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' },
  },
  {
    name: 'nearest asymmetric floor x2',
    dims: [1, 2, 3, 3],
    scales: [1, 1, 2, 2],
    attrs: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' },
  },
  {
    name: 'nearest half_pixel round_prefer_floor to sizes',
    dims: [1, 1, 4, 5],
    sizes: [1, 1, 6, 7],
    attrs: { mode: 'nearest' },
  },
  {
    name: 'nearest round_prefer_ceil',
    dims: [1, 1, 3, 4],
    scales: [1, 1, 2.5, 1.5],
    attrs: { mode: 'nearest', nearest_mode: 'round_prefer_ceil' },
  },
  { name: 'cubic x2 a=-0.75', dims: [1, 1, 4, 4], scales: [1, 1, 2, 2], attrs: { mode: 'cubic' } },
  {
    name: 'cubic exclude_outside a=-0.5',
    dims: [1, 1, 5, 4],
    scales: [1, 1, 1.6, 2],
    attrs: { mode: 'cubic', exclude_outside: 1, cubic_coeff_a: { float: -0.5 } },
  },
  { name: 'linear on a 3-D tensor, channel axis too', dims: [3, 4, 5], scales: [2, 1, 2], attrs: { mode: 'linear' } },
];

function resizeModel(c: Case) {
  const g = new GraphBuilder('resize');
  g.input('x', 'float32', c.dims);
  const roi = g.constant('float32', [0], []);
  const inputs = c.sizes
    ? ['x', roi, '', g.ints(c.sizes)]
    : ['x', roi, g.constant('float32', [c.scales!.length], c.scales!)];
  g.op('Resize', inputs, c.attrs, 'y');
  g.output('y', 'float32', []);
  const m = g.model(17);
  m.graph!.output[0]!.type = undefined;
  return m;
}

describe('Resize rewritten to MatMuls', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const model = resizeModel(c);
      const x = randn('float32', c.dims, 11);
      const ref = await (await ort.InferenceSession.create(writeModel(model))).run({ x: toOrt(x) });
      const gm = gradientModel(model, { of: 'y', wrt: ['x'] });
      expect(gm.graph!.node.some((n) => n.opType === 'Resize')).toBe(false);
      const seed = hostTensor('float32', [...ref.y!.dims], new Array(ref.y!.data.length).fill(1));
      const got = await (await ort.InferenceSession.create(writeModel(gm))).run({ x: toOrt(x), y_grad: toOrt(seed) });
      expect([...got.y!.dims]).toEqual([...ref.y!.dims]);
      const a = got.y!.data as Float32Array,
        b = ref.y!.data as Float32Array;
      for (let i = 0; i < b.length; i++) expect(Math.abs(a[i]! - b[i]!), `element ${i}`).toBeLessThan(1e-5);
      const r = await gradCheck({ model, inputs: { x }, of: 'y', wrt: ['x'], eps: 0.5 });
      expect(r.errors.x).toBeLessThan(1e-4);
    });
  }
});
