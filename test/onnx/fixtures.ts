// Loads the PyTorch gradient fixtures in ../shared/fixtures/grad (model.onnx, fixture.json, raw tensors).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures/grad');
export const FIXTURES = ['stylegan_like_synthesis', 'vit_like_encoder', 'guided_loss', 'cnn_training_loss'] as const;

export interface FixtureTensor {
  data: Float32Array;
  dims: number[];
}

export interface Fixture {
  name: string;
  model: Uint8Array;
  inputs: Record<string, FixtureTensor>;
  of: string;
  seed: FixtureTensor;
  output: FixtureTensor;
  /** reference gradients by input or initializer name */
  grads: Record<string, FixtureTensor>;
}

export function fixturesAvailable(): boolean {
  return existsSync(join(FIXTURE_ROOT, FIXTURES[0], 'fixture.json'));
}

export function loadFixture(name: string): Fixture {
  const dir = join(FIXTURE_ROOT, name);
  const meta = JSON.parse(readFileSync(join(dir, 'fixture.json'), 'utf8')) as {
    inputs: string[];
    outputs: string[];
    wrt_inputs: string[];
    wrt_params: string[];
    tensors: Record<string, { file: string; shape: number[]; dtype: string }>;
  };
  const load = (key: string): FixtureTensor => {
    const t = meta.tensors[key];
    if (!t) throw new Error(`fixture ${name}: no tensor '${key}'`);
    if (t.dtype !== 'float32') throw new Error(`fixture ${name}: tensor '${key}' is ${t.dtype}, expected float32`);
    const b = readFileSync(join(dir, t.file));
    return { data: new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)), dims: t.shape };
  };
  const of = meta.outputs[0]!;
  const grads: Record<string, FixtureTensor> = {};
  for (const w of meta.wrt_inputs) grads[w] = load(`grad:${w}`);
  for (const p of meta.wrt_params) grads[p] = load(`grad_param:${p}`);
  return {
    name,
    model: new Uint8Array(readFileSync(join(dir, 'model.onnx'))),
    inputs: Object.fromEntries(meta.inputs.map((i) => [i, load(`input:${i}`)])),
    of,
    seed: load(`seed:${of}`),
    output: load(`output:${of}`),
    grads,
  };
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
