import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { onnxCommand } from '../../src/cli/onnx.js';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { readModel, writeModel } from '../../src/engine/onnx/model.js';
import { FIXTURE_ROOT, gradientFeeds, loadFixture, relErr } from './fixtures.js';

function capture() {
  let out = '',
    err = '';
  return {
    io: {
      out: (s: string) => {
        out += s;
      },
      err: (s: string) => {
        err += s;
      },
    },
    get out() {
      return out;
    },
    get err() {
      return err;
    },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'onnx-cli-'));

function dynamicModel(): string {
  const g = new GraphBuilder('dyn');
  g.input('x', 'float32', ['batch', 3]);
  g.weight('w', { dtype: 'float32', dims: [3, 2], data: new Float32Array([1, 2, 3, 4, 5, 6]) });
  const h = g.op('MatMul', ['x', 'w']);
  g.op('ReduceSum', [g.op('Mul', [h, h])], { keepdims: 0 }, 'loss');
  g.output('loss', 'float32', []);
  const p = join(dir, 'dyn.onnx');
  writeFileSync(p, writeModel(g.model()));
  return p;
}

describe('rete-clip-pae onnx', () => {
  it('info lists inputs, outputs, op counts and parameters', async () => {
    const c = capture();
    expect(await onnxCommand(['info', join(FIXTURE_ROOT, 'cnn_training_loss', 'model.onnx')], c.io)).toBe(0);
    expect(c.out).toMatch(/inputs:\n {2}x: FLOAT \[4, 3, 16, 16\]\n {2}labels: FLOAT \[4, 5\]/);
    expect(c.out).toMatch(/outputs:\n {2}loss: FLOAT \[\]/);
    // c1 8·3·3·3+8, c2 16·4·3·3+16, fc 5·16+5
    expect(c.out).toContain(`parameters: ${8 * 27 + 8 + 16 * 36 + 16 + 80 + 5} in 6 initializers`);
    expect(c.out).toMatch(/Conv\s+2/);
  });

  it('grad writes a gradient model for a fixture that matches PyTorch', async () => {
    const out = join(dir, 'cnn_grad.onnx');
    const c = capture();
    const code = await onnxCommand(
      [
        'grad',
        join(FIXTURE_ROOT, 'cnn_training_loss', 'model.onnx'),
        '--of',
        'loss',
        '--wrt',
        'x,fc.weight',
        '-o',
        out,
      ],
      c.io,
    );
    expect(c.err).toBe('');
    expect(code).toBe(0);
    expect(c.out).toMatch(/outputs: loss, x_grad, fc\.weight_grad/);
    const fx = loadFixture('cnn_training_loss');
    const s = await ort.InferenceSession.create(readFileSync(out));
    const r = await s.run(gradientFeeds(fx, (dtype, data, dims) => new ort.Tensor(dtype, data, dims)));
    expect(relErr(r.x_grad!.data as Float32Array, fx.grads.x!.data)).toBeLessThan(1e-3);
    expect(relErr(r['fc.weight_grad']!.data as Float32Array, fx.grads['fc.weight']!.data)).toBeLessThan(1e-3);
  });

  it('grad fixes symbolic dims with --shape', async () => {
    const model = dynamicModel();
    const out = join(dir, 'dyn_grad.onnx');
    const c = capture();
    expect(await onnxCommand(['grad', model, '--of', 'loss', '--wrt', 'w', '--shape', 'x=2x3', '-o', out], c.io)).toBe(
      0,
    );
    const gm = readModel(new Uint8Array(readFileSync(out)));
    expect(gm.graph!.output.map((o) => o.name)).toEqual(['loss', 'w_grad']);
    const bad = capture();
    expect(await onnxCommand(['grad', model, '--of', 'loss', '--wrt', 'w', '-o', out], bad.io)).toBe(1);
    expect(bad.err).toMatch(/input 'x' has a symbolic dim 'batch'.*--shape x=1x3/);
  });

  it('reports unreadable models, unknown names and bad usage clearly', async () => {
    let c = capture();
    expect(await onnxCommand(['info', join(dir, 'missing.onnx')], c.io)).toBe(1);
    expect(c.err).toMatch(/cannot read model '.*missing\.onnx': ENOENT/);
    const junk = join(dir, 'junk.onnx');
    writeFileSync(junk, 'not a model at all');
    c = capture();
    expect(await onnxCommand(['info', junk], c.io)).toBe(1);
    expect(c.err).toMatch(/junk\.onnx' is not an ONNX model/);
    const model = dynamicModel();
    c = capture();
    expect(
      await onnxCommand(
        ['grad', model, '--of', 'nope', '--wrt', 'w', '--shape', 'x=1x3', '-o', join(dir, 'o.onnx')],
        c.io,
      ),
    ).toBe(1);
    expect(c.err).toMatch(/gradient of 'nope': no such value/);
    c = capture();
    expect(
      await onnxCommand(
        ['grad', model, '--of', 'loss', '--wrt', 'v', '--shape', 'x=1x3', '-o', join(dir, 'o.onnx')],
        c.io,
      ),
    ).toBe(1);
    expect(c.err).toMatch(/gradient w.r.t. 'v': not a graph input, initializer or value of the graph/);
    c = capture();
    expect(await onnxCommand(['grad', model, '--wrt', 'w', '-o', 'x.onnx'], c.io)).toBe(2);
    expect(c.err).toMatch(/missing --of/);
    c = capture();
    expect(
      await onnxCommand(['grad', model, '--of', 'loss', '--wrt', 'w', '--shape', 'x=1xq', '-o', 'x.onnx'], c.io),
    ).toBe(2);
    expect(c.err).toMatch(/--shape 'x=1xq'/);
    c = capture();
    expect(await onnxCommand(['frobnicate'], c.io)).toBe(2);
    expect(c.err).toMatch(/unknown onnx subcommand 'frobnicate'/);
  });
});
