// Optimize and Invert end to end on the demo generator with a small random CLIP: the loss falls,
// progress and previews arrive when promised, non-finite values stop the run with the step named,
// cancellation is prompt and leaves the compiled objective usable.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageValue } from '../../src/engine/graph/definition.js';
import type { ModelBundle } from '../../src/engine/models/index.js';
import { invertImage, optimizeLatent, type EditRun } from '../../src/engine/optimize/index.js';
import { createNodeRuntime } from '../../src/engine/tensor/runtime-node.js';
import { loadOptimizeBundle } from './fixture.js';

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('optimizeLatent', () => {
  let bundle: ModelBundle;
  let latent0: Float32Array;
  let target: Float32Array;
  const run = (over: Partial<EditRun> = {}): EditRun => ({ latent0, target, steps: 20, lr: 0.1, lambdaL2: 0, ...over });

  beforeAll(async () => {
    bundle = await loadOptimizeBundle(await createNodeRuntime());
    latent0 = await bundle.sampleLatent(1, 0.7);
    // The CLIP image embedding of another face: a target the generator can reach.
    target = await bundle.encodeImage((await bundle.generate(await bundle.sampleLatent(2, 0.7))).image);
  });

  it('moves toward the CLIP embedding of another face, with progress and previews', async () => {
    const progress: [number, number, number][] = [];
    const previews: [ImageValue, number][] = [];
    const result = await optimizeLatent(
      bundle,
      run({
        previewEvery: 5,
        onProgress: (s, n, l) => progress.push([s, n, l]),
        onPreview: (im, s) => previews.push([im, s]),
      }),
    );
    expect(result.losses).toHaveLength(21);
    expect(result.losses[20]).toBeLessThan(0.25 * result.losses[0]!);
    expect(progress.map(([s]) => s)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(progress.every(([, n]) => n === 20)).toBe(true);
    expect(progress.map(([, , l]) => l)).toEqual(result.losses.slice(1));
    expect(previews.map(([, s]) => s)).toEqual([5, 10, 15, 20]);
    expect(previews[3]![0].data).toEqual(result.image.data);
    // The result is self-consistent: its image is G(latent), its embedding is that image's.
    const generated = await bundle.generate(result.latent);
    expect(maxAbsDiff(generated.image.data, result.image.data)).toBeLessThan(1e-5);
    expect(maxAbsDiff(await bundle.encodeImage(result.image), result.imageEmbedding)).toBeLessThan(1e-4);
    expect(maxAbsDiff(result.latent, latent0)).toBeGreaterThan(0.05);
    // The start latent is not touched.
    expect(latent0).toEqual(await bundle.sampleLatent(1, 0.7));
  });

  it('keeps the latent closer to the start with λ_L2', async () => {
    const distance = (w: Float32Array) => Math.sqrt(w.reduce((s, v, i) => s + (v - latent0[i]!) ** 2, 0));
    const free = await optimizeLatent(bundle, run());
    const held = await optimizeLatent(bundle, run({ lambdaL2: 0.05 }));
    expect(distance(held.latent)).toBeLessThan(0.8 * distance(free.latent));
  });

  it('stops with the step named when the loss is NaN (a target of NaNs)', async () => {
    await expect(optimizeLatent(bundle, run({ target: new Float32Array(target.length).fill(NaN) }))).rejects.toThrow(
      /^Optimize: the loss became NaN at step 0 \(the start latent\) \(lr 0\.1\)/,
    );
  });

  it('stops with the step named when a huge learning rate blows the latent up', async () => {
    await expect(optimizeLatent(bundle, run({ steps: 10, lr: 1e39 }))).rejects.toThrow(
      /^Optimize: the latent became (-)?Infinity at step 2 of 10 \(lr 1e\+39/,
    );
  });

  it('refuses bad settings before running', async () => {
    await expect(optimizeLatent(bundle, run({ steps: 2.5 }))).rejects.toThrow(
      /steps must be a whole number ≥ 0, got 2.5/,
    );
    await expect(optimizeLatent(bundle, run({ lr: -1 }))).rejects.toThrow(
      /learning rate must be a finite number ≥ 0, got -1/,
    );
    await expect(optimizeLatent(bundle, run({ previewEvery: 0 }))).rejects.toThrow(
      /previewEvery must be a whole number ≥ 1, got 0/,
    );
    await expect(optimizeLatent(bundle, run({ lambdaId: 0.1 }))).rejects.toThrow(/has no identity network/);
  });

  it('cancels mid-run with an AbortError, and the next run still works', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const cancelled = optimizeLatent(
      bundle,
      run({
        signal: controller.signal,
        onProgress: (s) => {
          seen.push(s);
          if (s === 3) controller.abort();
        },
      }),
    );
    await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual([1, 2, 3]);

    const withReason = new AbortController();
    const custom = optimizeLatent(
      bundle,
      run({
        signal: withReason.signal,
        onProgress: (s) => s === 2 && withReason.abort(new Error('user pressed stop')),
      }),
    );
    await expect(custom).rejects.toMatchObject({ name: 'AbortError' });

    const after = await optimizeLatent(bundle, run({ steps: 10 }));
    expect(after.losses).toHaveLength(11);
    expect(after.losses[10]).toBeLessThan(after.losses[0]!);
  });

  it('returns the start unchanged for 0 steps', async () => {
    const result = await optimizeLatent(bundle, run({ steps: 0 }));
    expect(result.latent).toEqual(latent0);
    expect(result.losses).toHaveLength(1);
  });
});

describe('invertImage', () => {
  let bundle: ModelBundle;
  let photo: ImageValue;

  beforeAll(async () => {
    bundle = await loadOptimizeBundle(await createNodeRuntime(), { name: 'invert-test' });
    photo = (await bundle.generate(await bundle.sampleLatent(3, 0.7))).image;
  });

  it('without refinement returns the encoder latent and its reconstruction error', async () => {
    const result = await invertImage(bundle, { image: photo, refineSteps: 0, lr: 0.05 });
    expect(result.latent).toEqual(await bundle.encode(photo));
    expect(result.losses).toHaveLength(1);
    const mse = result.image.data.reduce((s, v, i) => s + (v - photo.data[i]!) ** 2, 0) / photo.data.length;
    expect(result.losses[0]).toBeCloseTo(mse, 6);
  });

  it('refinement lowers the pixel error', async () => {
    const encoder = await invertImage(bundle, { image: photo, refineSteps: 0, lr: 0.05 });
    const previews: number[] = [];
    const refined = await invertImage(bundle, {
      image: photo,
      refineSteps: 20,
      lr: 0.05,
      previewEvery: 10,
      onPreview: (_, s) => previews.push(s),
    });
    expect(refined.losses).toHaveLength(21);
    expect(refined.losses[0]).toBeCloseTo(encoder.losses[0]!, 4);
    expect(refined.losses[20]).toBeLessThan(0.3 * encoder.losses[0]!);
    expect(previews).toEqual([10, 20]);
    const mse = refined.image.data.reduce((s, v, i) => s + (v - photo.data[i]!) ** 2, 0) / photo.data.length;
    expect(mse).toBeLessThan(0.3 * encoder.losses[0]!);
  });

  it('cancels with an AbortError', async () => {
    const controller = new AbortController();
    const run = invertImage(bundle, {
      image: photo,
      refineSteps: 20,
      lr: 0.05,
      signal: controller.signal,
      onProgress: (s) => s === 2 && controller.abort(),
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('refuses a grey image with a clear message', async () => {
    const grey: ImageValue = { kind: 'image', width: 8, height: 8, data: new Float32Array(64) };
    await expect(invertImage(bundle, { image: grey, refineSteps: 0, lr: 0.05 })).rejects.toThrow(
      /Invert: expected an RGB image \(3 channels\), got 1 channels/,
    );
  });
});
