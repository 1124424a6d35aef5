// The PyTorch autograd fixtures: gradients from gradientModel must match on onnxruntime-node (CPU)
// and onnxruntime-web (wasm, in Node).
import { describe, expect, it } from 'vitest';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { gradientModel } from '../../src/engine/onnx/gradient.js';
import { readModel, writeModel } from '../../src/engine/onnx/model.js';
import { FIXTURES, gradientFeeds, loadFixture, relErr } from './fixtures.js';

ortWeb.env.wasm.numThreads = 1;

type Ort = typeof ortNode | typeof ortWeb;

async function check(ort: Ort, name: string, target: 'any' | 'cpu' = 'any') {
  const fx = loadFixture(name);
  const wrt = fx.wrt;
  const gm = gradientModel(readModel(fx.model, name), { of: fx.of, wrt, target });
  const session = await (ort.InferenceSession as typeof ortNode.InferenceSession).create(writeModel(gm));
  const Tensor = ort.Tensor as typeof ortNode.Tensor;
  const out = await session.run(gradientFeeds(fx, (dtype, data, dims) => new Tensor(dtype, data, dims)));
  expect(relErr(out[fx.of]!.data as Float32Array, fx.output.data), `${name}: output`).toBeLessThan(1e-4);
  for (const w of wrt) {
    const g = out[`${w}_grad`]!;
    expect([...g.dims], `${name}: ${w}_grad dims`).toEqual(fx.grads[w]!.dims);
    expect(relErr(g.data as Float32Array, fx.grads[w]!.data), `${name}: ${w}_grad`).toBeLessThanOrEqual(1e-3);
  }
  await session.release();
}

describe('PyTorch fixtures', () => {
  for (const name of FIXTURES) {
    it(`${name} on onnxruntime-node`, () => check(ortNode, name));
    it(`${name} on onnxruntime-web (wasm)`, () => check(ortWeb, name));
  }
  // The CPU target uses MaxUnpool for the CNN's max pool: both CPU runtimes must have it.
  it('cnn_training_loss, CPU target, on onnxruntime-node', () => check(ortNode, 'cnn_training_loss', 'cpu'));
  it('cnn_training_loss, CPU target, on onnxruntime-web (wasm)', () => check(ortWeb, 'cnn_training_loss', 'cpu'));
});
