// Reads the PyTorch gradient fixtures (test/fixtures/grad, made by
// tools/fixtures/make_grad_fixtures.py, and test/fixtures/unseen, made by make_unseen_fixtures.py):
// model.onnx, fixture.json and the raw little-endian tensors it names. The one reader for tests and
// benchmarks alike.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from '../paths.js';

/** The four fixtures the autodiff was developed against. */
export const FIXTURE_ROOT = repoPath('test', 'fixtures', 'grad');
/** Exporter-made networks it was not developed against. */
export const UNSEEN_ROOT = repoPath('test', 'fixtures', 'unseen');
export const FIXTURES = ['stylegan_like_synthesis', 'vit_like_encoder', 'guided_loss', 'cnn_training_loss'] as const;

export interface FixtureTensor {
  data: Float32Array;
  dims: number[];
}

/** A model input: float32, or int64 for token ids. */
export type FixtureInput =
  | { dtype: 'float32'; data: Float32Array; dims: number[] }
  | { dtype: 'int64'; data: BigInt64Array; dims: number[] };

export interface Fixture {
  name: string;
  model: Uint8Array;
  /** Graph inputs, in the model's order. */
  inputs: Record<string, FixtureInput>;
  /** The differentiated output. */
  of: string;
  /** The upstream gradient of `of` (the gradient model's `${of}_grad` input). */
  seed: FixtureTensor;
  output: FixtureTensor;
  /** Inputs, then initializers, that PyTorch differentiated. */
  wrt: string[];
  /** reference gradients by input or initializer name */
  grads: Record<string, FixtureTensor>;
}

interface Meta {
  inputs: string[];
  outputs: string[];
  wrt_inputs: string[];
  wrt_params: string[];
  tensors: Record<string, { file: string; shape: number[]; dtype: string }>;
}

/** Loads fixture `name` from `root` (the grad fixtures unless told). */
export function loadFixture(name: string, root: string = FIXTURE_ROOT): Fixture {
  const dir = join(root, name);
  const where = join(dir, 'fixture.json');
  const meta = JSON.parse(readFileSync(where, 'utf8')) as Meta;
  const bytes = (key: string) => {
    const t = meta.tensors[key];
    if (!t) throw new Error(`${where}: no tensor '${key}'`);
    const b = readFileSync(join(dir, t.file));
    return { t, buffer: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) };
  };
  const float = (key: string): FixtureTensor => {
    const { t, buffer } = bytes(key);
    if (t.dtype !== 'float32') throw new Error(`${where}: tensor '${key}' is ${t.dtype}, expected float32`);
    return { data: new Float32Array(buffer), dims: t.shape };
  };
  const input = (key: string): FixtureInput => {
    const { t, buffer } = bytes(key);
    if (t.dtype === 'int64') return { dtype: 'int64', data: new BigInt64Array(buffer), dims: t.shape };
    if (t.dtype === 'float32') return { dtype: 'float32', data: new Float32Array(buffer), dims: t.shape };
    throw new Error(`${where}: tensor '${key}' is ${t.dtype}, expected float32 or int64`);
  };
  const of = meta.outputs[0];
  if (!of) throw new Error(`${where}: no outputs`);
  const grads: Record<string, FixtureTensor> = {};
  for (const w of meta.wrt_inputs) grads[w] = float(`grad:${w}`);
  for (const p of meta.wrt_params) grads[p] = float(`grad_param:${p}`);
  return {
    name,
    model: new Uint8Array(readFileSync(join(dir, 'model.onnx'))),
    inputs: Object.fromEntries(meta.inputs.map((i) => [i, input(`input:${i}`)])),
    of,
    seed: float(`seed:${of}`),
    output: float(`output:${of}`),
    wrt: [...meta.wrt_inputs, ...meta.wrt_params],
    grads,
  };
}

/** The feeds of a fixture's gradient model: its inputs plus `${of}_grad`, the seed. */
export function gradientFeeds<T>(
  fx: Fixture,
  tensor: (dtype: 'float32' | 'int64', data: Float32Array | BigInt64Array, dims: number[]) => T,
): Record<string, T> {
  const feeds: Record<string, T> = {};
  for (const [k, t] of Object.entries(fx.inputs)) feeds[k] = tensor(t.dtype, t.data, t.dims);
  feeds[`${fx.of}_grad`] = tensor('float32', fx.seed.data, fx.seed.dims);
  return feeds;
}

/** max |a − b| / max |b| */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let md = 0,
    mr = 0;
  for (let i = 0; i < b.length; i++) {
    md = Math.max(md, Math.abs(a[i]! - b[i]!));
    mr = Math.max(mr, Math.abs(b[i]!));
  }
  return md / Math.max(mr, 1e-30);
}
