// Exporter-made graphs the autodiff was not developed against (test/fixtures/unseen, made by
// tools/fixtures/make_unseen_fixtures.py with PyTorch): the CLI writes each gradient model, and
// every gradient matches PyTorch autograd on onnxruntime-node.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { onnxCommand } from '../../src/cli/onnx.js';
import { gradientModel } from '../../src/engine/onnx/gradient.js';
import { readModel, writeModel } from '../../src/engine/onnx/model.js';
import { relErr } from './fixtures.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/unseen');
const out = mkdtempSync(join(tmpdir(), 'onnx-unseen-'));

interface Meta {
  inputs: string[];
  outputs: string[];
  wrt_inputs: string[];
  wrt_params: string[];
  tensors: Record<string, { file: string; shape: number[]; dtype: 'float32' | 'int64' }>;
}

function tensor(dir: string, meta: Meta, key: string): ort.Tensor {
  const t = meta.tensors[key];
  if (!t) throw new Error(`${dir}: fixture.json has no tensor '${key}'`);
  const b = readFileSync(join(dir, t.file));
  const buf = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  return t.dtype === 'int64'
    ? new ort.Tensor('int64', new BigInt64Array(buf), t.shape)
    : new ort.Tensor('float32', new Float32Array(buf), t.shape);
}

async function compare(name: string, dir: string, meta: Meta, session: ort.InferenceSession) {
  const of = meta.outputs[0]!;
  const feeds: Record<string, ort.Tensor> = { [`${of}_grad`]: tensor(dir, meta, `seed:${of}`) };
  for (const i of meta.inputs) feeds[i] = tensor(dir, meta, `input:${i}`);
  const r = await session.run(feeds);
  const ref = tensor(dir, meta, `output:${of}`);
  expect(relErr(r[of]!.data as Float32Array, ref.data as Float32Array), `${name}: ${of}`).toBeLessThan(1e-4);
  for (const w of [...meta.wrt_inputs, ...meta.wrt_params]) {
    const want = tensor(dir, meta, meta.wrt_inputs.includes(w) ? `grad:${w}` : `grad_param:${w}`);
    const got = r[`${w}_grad`];
    expect(got, `${name}: ${w}_grad is an output`).toBeDefined();
    expect([...got!.dims], `${name}: ${w}_grad dims`).toEqual([...want.dims]);
    // A gradient that is all zeros in PyTorch would make the relative error meaningless.
    expect(Math.max(...Array.from(want.data as Float32Array, Math.abs)), `${name}: ${w} reference`).toBeGreaterThan(0);
    expect(relErr(got!.data as Float32Array, want.data as Float32Array), `${name}: ${w}_grad`).toBeLessThanOrEqual(
      1e-3,
    );
  }
  await session.release();
}

const names = readdirSync(ROOT)
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
      const dir = join(ROOT, name);
      const meta = JSON.parse(readFileSync(join(dir, 'fixture.json'), 'utf8')) as Meta;
      const of = meta.outputs[0]!;
      const wrt = [...meta.wrt_inputs, ...meta.wrt_params];
      const file = join(out, `${name}.grad.onnx`);
      let err = '';
      const code = await onnxCommand(
        ['grad', join(dir, 'model.onnx'), '--of', of, '--wrt', wrt.join(','), '-o', file],
        {
          out: () => {},
          err: (s) => {
            err += s;
          },
        },
      );
      expect(err).toBe('');
      expect(code).toBe(0);

      await compare(name, dir, meta, await ort.InferenceSession.create(file));
    });

    it(`${name}, CPU target (API)`, async () => {
      const dir = join(ROOT, name);
      const meta = JSON.parse(readFileSync(join(dir, 'fixture.json'), 'utf8')) as Meta;
      const gm = gradientModel(readModel(new Uint8Array(readFileSync(join(dir, 'model.onnx'))), name), {
        of: meta.outputs[0]!,
        wrt: [...meta.wrt_inputs, ...meta.wrt_params],
        target: 'cpu',
      });
      await compare(name, dir, meta, await ort.InferenceSession.create(writeModel(gm)));
    });
  }
});
