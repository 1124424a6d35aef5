// Exporter-made graphs the autodiff was not developed against (test/fixtures/unseen, made by
// tools/fixtures/make_unseen_fixtures.py with PyTorch): the CLI writes each gradient model, and
// every gradient matches PyTorch autograd on onnxruntime-node.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { onnxCommand } from '../../src/cli/onnx.js';
import { gradientModel } from '../../src/engine/onnx/gradient.js';
import { readModel, writeModel } from '../../src/engine/onnx/model.js';
import { type Fixture, gradientFeeds, loadFixture, relErr, UNSEEN_ROOT } from './fixtures.js';

const out = mkdtempSync(join(tmpdir(), 'onnx-unseen-'));

async function compare(fx: Fixture, session: ort.InferenceSession) {
  const { name, of } = fx;
  const r = await session.run(gradientFeeds(fx, (dtype, data, dims) => new ort.Tensor(dtype, data, dims)));
  expect(relErr(r[of]!.data as Float32Array, fx.output.data), `${name}: ${of}`).toBeLessThan(1e-4);
  for (const w of fx.wrt) {
    const want = fx.grads[w]!;
    const got = r[`${w}_grad`];
    expect(got, `${name}: ${w}_grad is an output`).toBeDefined();
    expect([...got!.dims], `${name}: ${w}_grad dims`).toEqual([...want.dims]);
    // A gradient that is all zeros in PyTorch would make the relative error meaningless.
    expect(Math.max(...Array.from(want.data, Math.abs)), `${name}: ${w} reference`).toBeGreaterThan(0);
    expect(relErr(got!.data as Float32Array, want.data), `${name}: ${w}_grad`).toBeLessThanOrEqual(1e-3);
  }
  await session.release();
}

const names = readdirSync(UNSEEN_ROOT)
  .filter((n) => !n.startsWith('.'))
  .sort();

describe('unseen exporter-made graphs: CLI gradient models match PyTorch', () => {
  it('has the six fixtures', () => {
    expect(names).toEqual([
      'clip_two_towers_b4',
      'depthwise_dilated_odd_b2',
      'instnorm_pad_split_where_b4',
      'mixer_attention_b2',
      'resnet_bn_maxpool_b3',
      'unet_convtranspose_interp_b2',
    ]);
  });

  for (const name of names) {
    it(name, async () => {
      const fx = loadFixture(name, UNSEEN_ROOT);
      const file = join(out, `${name}.grad.onnx`);
      let err = '';
      const code = await onnxCommand(
        ['grad', join(UNSEEN_ROOT, name, 'model.onnx'), '--of', fx.of, '--wrt', fx.wrt.join(','), '-o', file],
        {
          out: () => {},
          err: (s) => {
            err += s;
          },
        },
      );
      expect(err).toBe('');
      expect(code).toBe(0);

      await compare(fx, await ort.InferenceSession.create(file));
    });

    it(`${name}, CPU target (API)`, async () => {
      const fx = loadFixture(name, UNSEEN_ROOT);
      const gm = gradientModel(readModel(fx.model, name), { of: fx.of, wrt: fx.wrt, target: 'cpu' });
      await compare(fx, await ort.InferenceSession.create(writeModel(gm)));
    });
  }
});
