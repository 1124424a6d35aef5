import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundle, type ModelBundle } from '../../src/engine/models/bundle.js';
import { gaussian } from '../../src/engine/random.js';
import { createRuntime } from '../../src/engine/tensor/runtime.js';
import { CONTEXT, EMBED, IMAGE, LAYERS, W, WIDTH, writeTinyBundle } from './tiny-bundle.js';

const loadBytes = async (path: string) => new Uint8Array(await readFile(path));

function unit(v: number[]): number[] {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-5) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++)
    expect(Math.abs(actual[i]! - expected[i]!), `index ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(
      tolerance,
    );
}

/** x (1×n) · M (n×m). */
function matVec(x: ArrayLike<number>, m: ArrayLike<number>, n: number, cols: number): number[] {
  return Array.from({ length: cols }, (_, j) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i]! * m[i * cols + j]!;
    return s;
  });
}

describe('loadBundle on a tiny real bundle', () => {
  let dir: string;
  let bundle: ModelBundle;
  const progress: [number, number, string][] = [];

  beforeAll(async () => {
    dir = await writeTinyBundle();
    bundle = await loadBundle(dir, {
      loadBytes,
      runtime: await createRuntime(),
      onProgress: (l, t, f) => progress.push([l, t, f]),
    });
  });
  afterAll(() => bundle?.release());

  it('reads the manifest, the mean latent and the attribute info', async () => {
    expect(bundle.name).toBe('tiny');
    expect(bundle.latentShape).toEqual([1, LAYERS, WIDTH]);
    expect(bundle.latentSize).toBe(LAYERS * WIDTH);
    expectClose(bundle.meanLatent, W.meanLatent, 0);
    expect(bundle.attributes?.names.map((a) => a.name)).toEqual(['smile', 'grey']);
    expect(bundle.roles).toEqual(['generator', 'mapping', 'clipImage', 'clipText', 'encoder']);
    expect(bundle.id).toMatch(/^tiny@.*manifest\.json#[0-9a-f]{16}$/);
    expect(bundle.modelIo('clipText').inputs.map((i) => i.dims)).toEqual([
      ['batch', CONTEXT],
      ['batch', CONTEXT],
    ]);
  });

  it('reports progress up to the total size of every file', async () => {
    const names = [
      'generator.onnx',
      'mean_latent.bin',
      'clip_image.onnx',
      'clip_text.onnx',
      'tokenizer.json',
      'mapping.onnx',
      'encoder.onnx',
    ];
    let total = 0;
    for (const n of names) total += (await readFile(join(dir, n))).byteLength;
    expect(new Set(progress.map((p) => p[2]))).toEqual(new Set(names));
    const last = progress[progress.length - 1]!;
    expect(last[0]).toBe(total);
    expect(last[1]).toBe(total);
    for (const [loaded, t] of progress) expect(loaded).toBeLessThanOrEqual(t);
  });

  it('tokenizes: pads with padId, masks the padding, truncates keeping the end token', () => {
    const [happy, sad, long, unknown] = bundle.tokenize(['A happy face', 'sad', 'a happy sad face', 'a grumpy face']);
    expect(happy).toEqual({ ids: [2, 4, 5, 7, 3], mask: [1, 1, 1, 1, 1], truncated: false });
    expect(sad).toEqual({ ids: [2, 6, 3, 0, 0], mask: [1, 1, 1, 0, 0], truncated: false });
    expect(long).toEqual({ ids: [2, 4, 5, 6, 3], mask: [1, 1, 1, 1, 1], truncated: true });
    expect(unknown!.ids).toEqual([2, 4, 1, 7, 3]);
  });

  it('encodes text: unit vectors equal to the normalized masked sum of token embeddings', async () => {
    const [happy, sad] = await bundle.encodeText(['a happy face', 'sad']);
    const row = (id: number) => Array.from(W.tokenEmbedding.subarray(id * EMBED, (id + 1) * EMBED));
    const sum = (ids: number[]) => ids.map(row).reduce((a, b) => a.map((x, i) => x + b[i]!));
    expectClose(happy!, unit(sum([2, 4, 5, 7, 3])));
    expectClose(sad!, unit(sum([2, 6, 3])));
    expect(await bundle.encodeText([])).toEqual([]);
  });

  it('encodes an image: resize to the CLIP size, normalize with mean/std, project, unit length', async () => {
    const grey = {
      kind: 'image' as const,
      width: IMAGE,
      height: IMAGE,
      data: new Float32Array(3 * IMAGE * IMAGE).fill(0.5),
    };
    const e = await bundle.encodeImage(grey);
    const mean = [0.48145466, 0.4578275, 0.40821073];
    const std = [0.26862954, 0.26130258, 0.27577711];
    const pixels = Array.from({ length: 48 }, (_, i) => (0.5 - mean[Math.floor(i / 16)]!) / std[Math.floor(i / 16)]!);
    expectClose(e, unit(matVec(pixels, W.clipImage, 48, EMBED)));
  });

  it('generates: [−1, 1] mapped to [0, 1], with the true attributes', async () => {
    const latent = Float32Array.from({ length: LAYERS * WIDTH }, (_, i) => (i - 3) / 4);
    const { image, attributes } = await bundle.generate(latent);
    expect([image.width, image.height, image.data.length]).toEqual([IMAGE, IMAGE, 3 * IMAGE * IMAGE]);
    const raw = matVec(latent, W.generator, LAYERS * WIDTH, 3 * IMAGE * IMAGE).map((x) => (Math.tanh(x) + 1) / 2);
    expectClose(image.data, raw);
    expectClose(attributes!, matVec(latent, W.attributes, LAYERS * WIDTH, 2));
    await expect(bundle.generate(new Float32Array(3))).rejects.toThrow(
      'bundle "tiny": generate needs a latent of 8 float32 values ([1, 2, 4]), got 3',
    );
  });

  it('samples a latent: seeded z → mapping → every layer → truncation toward the mean', async () => {
    const a = await bundle.sampleLatent(42, 1);
    const w = matVec(gaussian(42, WIDTH), W.mapping, WIDTH, WIDTH);
    expectClose(a, [...w, ...w]);
    expectClose(await bundle.sampleLatent(42, 1), a, 0);
    expect(Array.from(await bundle.sampleLatent(43, 1))).not.toEqual(Array.from(a));
    expectClose(await bundle.sampleLatent(42, 0), W.meanLatent);
    const half = await bundle.sampleLatent(42, 0.7);
    expectClose(
      half,
      Array.from(a, (x, i) => W.meanLatent[i]! + 0.7 * (x - W.meanLatent[i]!)),
    );
  });

  it('inverts an image with the encoder and adds the mean latent', async () => {
    const data = Float32Array.from({ length: 3 * IMAGE * IMAGE }, (_, i) => (i % 7) / 7);
    const latent = await bundle.encode({ kind: 'image', width: IMAGE, height: IMAGE, data });
    const input = Array.from(data, (v) => v * 2 - 1);
    expectClose(
      latent,
      matVec(input, W.encoder, 3 * IMAGE * IMAGE, LAYERS * WIDTH).map((x, i) => x + W.meanLatent[i]!),
    );
  });

  it('creates each session once and on demand', async () => {
    const s1 = await bundle.session('generator');
    const s2 = await bundle.session('generator');
    expect(s1).toBe(s2);
    expect(s1.name).toBe('bundle "tiny": generator.onnx');
    expect(s1.backend).toBe('cpu');
    // The generator's bytes stay for the optimizer; the mapping network's are let go once its session exists.
    expect(bundle.modelBytes('generator').byteLength).toBeGreaterThan(0);
    await bundle.session('mapping');
    expect(() => bundle.modelBytes('mapping')).toThrow(
      'bundle "tiny": the mapping network file was let go once its session existed',
    );
    await expect(bundle.session('identity')).rejects.toThrow('bundle "tiny" has no identity network');
  });
});
