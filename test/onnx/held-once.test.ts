// Weights of real models (a ViT's 768×2304 MatMuls) are read by the backward as they are: the
// gradient model holds each large weight once, with the same gradients as the folded-copy path.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { gradientModel } from '../../src/engine/onnx/gradient.js';
import { readModel, writeModel, type HostTensor, type ModelProto } from '../../src/engine/onnx/model.js';
import { gradCheck, randn, toOrt } from './gradcheck.js';

const D = 512; // 512 × 512 = 2^18 elements: the smallest weight that is held once

/** x → [LayerNorm] → MatMul(W) → Tanh → MatMul(W2) → ReduceSum of squares; W, W2 constants or inputs. */
function transformerLike(
  w: HostTensor,
  w2: HostTensor,
  opts: { layerNorm: boolean; weightsAsInputs: boolean; dtype: 'float32' | 'float64' },
): ModelProto {
  const g = new GraphBuilder('held-once');
  g.input('x', opts.dtype, [1, 2, D]);
  const weight = (name: string, t: HostTensor) =>
    opts.weightsAsInputs ? g.input(name, t.dtype, t.dims) : g.weight(name, t);
  let h = 'x';
  if (opts.layerNorm) {
    const scale = g.weight('ln.scale', randn(opts.dtype, [D], 3, 0.5, 1));
    const bias = g.weight('ln.bias', randn(opts.dtype, [D], 4, 0.1));
    h = g.op('LayerNormalization', [h, scale, bias], { axis: -1 });
  }
  h = g.op('Tanh', [g.op('MatMul', [h, weight('w', w)])]);
  h = g.op('MatMul', [h, weight('w2', w2)]);
  g.op('ReduceSum', [g.op('Mul', [h, h])], { keepdims: 0 }, 'loss');
  g.output('loss', opts.dtype, []);
  return g.model(17);
}

function initializerBytes(model: ModelProto): { total: number; large: string[] } {
  const inits = model.graph!.initializer;
  return {
    total: inits.reduce((a, t) => a + t.rawData.byteLength, 0),
    large: inits.filter((t) => t.dims.reduce((a, d) => a * Number(d), 1) >= 1 << 18).map((t) => t.name),
  };
}

async function gradOf(model: ModelProto, feeds: Record<string, HostTensor>): Promise<Float32Array> {
  const grad = gradientModel(model, { of: 'loss', wrt: ['x'] });
  const session = await ort.InferenceSession.create(writeModel(grad));
  const f: Record<string, ort.Tensor> = { loss_grad: new ort.Tensor('float32', new Float32Array([1]), []) };
  for (const [k, v] of Object.entries(feeds)) f[k] = toOrt(v);
  const out = await session.run(f);
  return out.x_grad!.data as Float32Array;
}

describe('large weights are held once by the gradient model', () => {
  const w = randn('float32', [D, D], 1, 0.05);
  const w2 = randn('float32', [D, 600], 2, 0.05);
  const x = randn('float32', [1, 2, D], 5);

  it('keeps W and W2 as the only large initializers, with no transposed or centred copies', () => {
    const model = transformerLike(w, w2, { layerNorm: true, weightsAsInputs: false, dtype: 'float32' });
    const grad = readModel(writeModel(gradientModel(model, { of: 'loss', wrt: ['x'] })), 'gradient model');
    const { total, large } = initializerBytes(grad);
    expect(large.sort()).toEqual(['w', 'w2']);
    const weights = (D * D + D * 600) * 4;
    expect(total).toBeLessThan(weights * 1.01);
  });

  it('gives the gradient of the same model with the weights fed as inputs (the folded path)', async () => {
    const held = await gradOf(transformerLike(w, w2, { layerNorm: true, weightsAsInputs: false, dtype: 'float32' }), {
      x,
    });
    const fed = await gradOf(transformerLike(w, w2, { layerNorm: true, weightsAsInputs: true, dtype: 'float32' }), {
      x,
      w,
      w2,
    });
    let diff = 0,
      size = 0;
    for (let i = 0; i < fed.length; i++) {
      diff = Math.max(diff, Math.abs(held[i]! - fed[i]!));
      size = Math.max(size, Math.abs(fed[i]!));
    }
    expect(size).toBeGreaterThan(0);
    expect(diff / size).toBeLessThan(1e-5);
  });

  it('matches finite differences (float64, no LayerNorm)', async () => {
    const w64 = randn('float64', [D, D], 1, 0.05);
    const w264 = randn('float64', [D, 600], 2, 0.05);
    const model = transformerLike(w64, w264, { layerNorm: false, weightsAsInputs: false, dtype: 'float64' });
    const x64 = randn('float64', [1, 2, D], 5);
    const { errors } = await gradCheck({ model, inputs: { x: x64 }, of: 'loss', wrt: ['x'] });
    expect(errors.x).toBeLessThan(1e-6);
  });
});
