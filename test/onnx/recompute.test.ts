// What keeps a StyleGAN2-shaped objective's backward small: a per-channel scale moved past the
// blur after an upsampling convolution, convolution outputs recomputed from the layer's kept
// output, and the node order onnxruntime runs.
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { gradientModel } from '../../src/engine/onnx/gradient.js';
import type { NodeProto } from 'onnx-buf';
import { hostTensor, writeModel, type ModelProto } from '../../src/engine/onnx/model.js';
import { runtimeOrder, writeForRuntime } from '../../src/engine/onnx/runtime-order.js';
import { chainWithBranches } from './branches.js';
import { gradCheck, randn } from './gradcheck.js';

const i64 = (values: number[]) => hostTensor('int64', [values.length], values);
const readersOf = (m: ModelProto, name: string) => m.graph!.node.filter((n) => n.input.includes(name));

/**
 * One modulated layer and the next layer's modulation, in float64: x → style s → (input · s)
 * → "conv" → × demodulation d(s) → + noise → + bias → LeakyRelu · √2 → × s2 → loss. The demodulation's
 * gradient reads the conv output; the layer's output is kept anyway for s2's gradient.
 */
function modulatedLayer(dims: number[]): ModelProto {
  const [, c] = dims as [number, number];
  const g = new GraphBuilder('modulated-layer');
  g.input('x', 'float64', [1, 4]);
  const style = g.op('MatMul', ['x', g.weight('A', randn('float64', [4, c], 1, 0.5))]);
  const s = g.op('Unsqueeze', [g.op('Unsqueeze', [style, g.weight('ax2', i64([2]))]), g.weight('ax3', i64([3]))]);
  const conv = g.op('Mul', [g.weight('features', randn('float64', dims, 2)), s], {}, 'conv_out');
  const energy = g.op('MatMul', [g.op('Mul', [style, style]), g.weight('W2', randn('float64', [c, c], 3, 0.5, 0.6))]);
  const demod = g.op('Div', [
    g.weight('one', hostTensor('float64', [], [1])),
    g.op('Sqrt', [g.op('Add', [energy, g.weight('eps', hostTensor('float64', [], [1e-8]))])]),
  ]);
  const d = g.op('Unsqueeze', [g.op('Unsqueeze', [demod, 'ax2']), 'ax3']);
  const noisy = g.op('Add', [
    g.op('Mul', [conv, d]),
    g.weight('noise', randn('float64', [1, 1, dims[2]!, dims[3]!], 4)),
  ]);
  const biased = g.op('Add', [noisy, g.weight('bias', randn('float64', [1, c, 1, 1], 5))]);
  const out = g.op(
    'Mul',
    [g.op('LeakyRelu', [biased], { alpha: 0.2 }), g.weight('gain', hostTensor('float64', [], [Math.SQRT2]))],
    {},
    'layer_out',
  );
  const s2 = g.op('Unsqueeze', [
    g.op('Unsqueeze', [g.op('MatMul', ['x', g.weight('B', randn('float64', [4, c], 6, 0.5))]), 'ax2']),
    'ax3',
  ]);
  g.op('ReduceSum', [g.op('Mul', [out, s2])], { keepdims: 0 }, 'loss');
  g.output('loss', 'float64', []);
  return g.model(17);
}

describe('convolution outputs recomputed from the layer output', () => {
  it('a large conv output is not kept for the backward, and the gradient is right', async () => {
    // 2^18 elements: the size from which a value is worth recomputing.
    const model = modulatedLayer([1, 16, 128, 128]);
    const grad = gradientModel(model, { of: 'loss', wrt: ['x'] });
    // Only the forward reads conv_out: the backward gets it back from layer_out.
    expect(readersOf(grad, 'conv_out').map((n) => n.opType)).toEqual(['Mul']);
    expect(
      grad.graph!.node.some(
        (n) =>
          n.opType === 'LeakyRelu' &&
          n.input[0] !== 'conv_out' &&
          n.attribute.some((a) => a.name === 'alpha' && Math.abs(a.f - 5) < 1e-6),
      ),
    ).toBe(true);
    const r = await gradCheck({ model, inputs: { x: randn('float64', [1, 4], 7) }, of: 'loss', wrt: ['x'] });
    // Central differences across LeakyRelu's kink at a few of 2^18 elements limit this to about
    // 2e-6, recomputed or not.
    expect(r.errors.x).toBeLessThan(1e-5);
  });

  it('a small one is kept as it is (recomputing would cost more than it saves)', () => {
    const grad = gradientModel(modulatedLayer([1, 4, 8, 8]), { of: 'loss', wrt: ['x'] });
    expect(readersOf(grad, 'conv_out').length).toBeGreaterThan(1);
  });
});

/**
 * StyleGAN2's upsampling layer: (input · s) → ConvTranspose (stride 2) → × d(x) → Reshape to one image per
 * channel → Pad → 4×4 blur Conv → Reshape back → + noise → × s2 → loss. Quadratic in x, so central
 * differences are exact in float32.
 */
function upsamplingLayer(c: number, h: number): ModelProto {
  const g = new GraphBuilder('upsampling-layer');
  g.input('x', 'float32', [1, c]);
  const s = g.op('Unsqueeze', ['x', g.weight('ax23', i64([2, 3]))]);
  const modulated = g.op('Mul', [g.weight('features', randn('float32', [1, c, h, h], 1)), s]);
  const up = g.op(
    'ConvTranspose',
    [modulated, g.weight('W', randn('float32', [c, c, 3, 3], 2, 0.3))],
    { strides: [2, 2] },
    'up_out',
  );
  const d = g.op('Unsqueeze', [g.op('Mul', ['x', g.weight('k', randn('float32', [1, c], 3))]), 'ax23']);
  const scaled = g.op('Mul', [up, d]);
  const n = 2 * h + 1;
  const perChannel = g.op('Reshape', [scaled, g.weight('toImages', i64([c, 1, n, n]))]);
  const padded = g.op('Pad', [perChannel, g.weight('pads', i64([0, 0, 1, 1, 0, 0, 1, 1]))]);
  const blurred = g.op('Conv', [padded, g.weight('blur', randn('float32', [1, 1, 4, 4], 4, 0.2, 0.3))]);
  const back = g.op('Reshape', [blurred, g.weight('toLayer', i64([1, c, n - 1, n - 1]))], {}, 'blur_out');
  const noisy = g.op('Add', [back, g.weight('noise', randn('float32', [1, 1, n - 1, n - 1], 5))]);
  g.op(
    'ReduceSum',
    [g.op('Mul', [noisy, g.weight('target', randn('float32', [1, c, n - 1, n - 1], 6))])],
    { keepdims: 0 },
    'loss',
  );
  g.output('loss', 'float32', []);
  return g.model(17);
}

describe('a per-channel scale moves past the blur that follows it', () => {
  it('the backward reads the blurred map, not the transposed convolution output', async () => {
    const model = upsamplingLayer(3, 5);
    const grad = gradientModel(model, { of: 'loss', wrt: ['x'] });
    // The ConvTranspose output feeds only the (now unscaled) blur.
    expect(readersOf(grad, 'up_out').map((n) => n.opType)).toEqual(['Reshape']);
    const scale = grad.graph!.node.find((n) => n.opType === 'Mul' && n.output.includes('blur_out'));
    expect(scale, 'the scale is applied after the blur').toBeDefined();
    const r = await gradCheck({ model, inputs: { x: randn('float32', [1, 3], 7) }, of: 'loss', wrt: ['x'], eps: 1e-2 });
    expect(r.errors.x).toBeLessThan(1e-3);
  });
});

const outputsOf = (nodes: readonly NodeProto[]) => nodes.map((n) => n.output[0]);

describe('the order onnxruntime runs nodes in', () => {
  it('written in build order, the runtime runs the whole chain first and every branch at the end', () => {
    expect(outputsOf(runtimeOrder(chainWithBranches([4, 4]).graph!.node))).toEqual([
      'c1',
      'c2',
      'c3',
      'b3',
      'b2',
      'b1',
      'y',
    ]);
  });

  it('written by writeForRuntime, it runs each branch right after its link', () => {
    const written = writeForRuntime(chainWithBranches([4, 4]).graph!.node);
    expect(outputsOf(runtimeOrder(written))).toEqual(['c1', 'b1', 'c2', 'b2', 'c3', 'b3', 'y']);
    // Still topologically sorted, as ONNX requires.
    const seen = new Set(['x']);
    for (const n of written) {
      for (const i of n.input) expect(seen.has(i), `${n.output[0]} reads ${i} before it is made`).toBe(true);
      for (const o of n.output) seen.add(o);
    }
  });

  it('runtimeOrder is the order onnxruntime-node runs a gradient model in (profiled, optimizations off)', async () => {
    const model = gradientModel(upsamplingLayer(3, 5), { of: 'loss', wrt: ['x'] });
    const dir = mkdtempSync(join(tmpdir(), 'rcp-order-'));
    try {
      const session = await ort.InferenceSession.create(writeModel(model), {
        graphOptimizationLevel: 'disabled',
        enableProfiling: true,
        profileFilePrefix: join(dir, 'profile'),
      });
      const feeds = {
        x: new ort.Tensor('float32', new Float32Array([0.1, -0.2, 0.3]), [1, 3]),
        loss_grad: new ort.Tensor('float32', new Float32Array([1]), []),
      };
      await session.run(feeds);
      session.endProfiling();
      await session.release();
      const file = readdirSync(dir).find((f) => f.endsWith('.json'))!;
      const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { cat: string; name: string; ts: number }[];
      const ran = events
        .filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'))
        .sort((a, b) => a.ts - b.ts)
        .map((e) => e.name.replace(/_kernel_time$/, ''));
      expect(ran.length).toBe(model.graph!.node.length);
      expect(ran).toEqual(runtimeOrder(model.graph!.node).map((n) => n.name));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
