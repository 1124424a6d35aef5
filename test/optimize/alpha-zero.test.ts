// α = 0 is no edit (docs/method.md: the PAE target at α = 0 is e_I itself). The start then already
// reaches the target, and Optimize must hand the start back untouched: the gradient there is only
// rounding noise, which Adam's per-coordinate normalization would turn into full learning-rate steps.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageValue } from '../../src/engine/graph/definition.js';
import type { ModelBundle } from '../../src/engine/models/index.js';
import { editObjective, optimizeLatent, runLoop } from '../../src/engine/optimize/index.js';
import { paeTarget, semanticBasis } from '../../src/engine/pae/index.js';
import { createNodeRuntime } from '../../src/engine/tensor/runtime-node.js';
import { loadOptimizeBundle } from './fixture.js';

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('an α = 0 PAE target', () => {
  let bundle: ModelBundle;
  let latent0: Float32Array;
  let start: ImageValue;
  let imageEmbedding: Float32Array;
  const targetAt = async (alpha: number) => {
    const prompts = ['a happy face', 'a sad face'];
    const subspace = semanticBasis(await bundle.encodeText(prompts), prompts);
    const [text] = await bundle.encodeText(['a happy face']);
    return paeTarget({ image: imageEmbedding, text: text!, subspace, alpha, variant: 'pae' }).target;
  };

  beforeAll(async () => {
    bundle = await loadOptimizeBundle(await createNodeRuntime(), { name: 'alpha-zero' });
    latent0 = await bundle.sampleLatent(4, 0.7);
    start = (await bundle.generate(latent0)).image;
    imageEmbedding = await bundle.encodeImage(start);
  });

  it('leaves the latent exactly as it was, with the start image, one loss and a finished progress', async () => {
    const target = await targetAt(0);
    const progress: [number, number, number][] = [];
    const previews: [ImageValue, number][] = [];
    const result = await optimizeLatent(bundle, {
      latent0,
      target,
      steps: 20,
      lr: 0.1,
      lambdaL2: 0.008,
      previewEvery: 5,
      onProgress: (s, n, l) => progress.push([s, n, l]),
      onPreview: (image, s) => previews.push([image, s]),
    });
    expect(result.latent).toEqual(latent0);
    expect(result.losses).toHaveLength(1);
    expect(result.losses[0]).toBeLessThan(1e-6);
    expect(progress).toEqual([[20, 20, result.losses[0]]]);
    expect(previews.map(([, s]) => s)).toEqual([20]);
    expect(previews[0]![0].data).toEqual(result.image.data);
    expect(maxAbsDiff(result.image.data, start.data)).toBeLessThan(1e-5);
    expect(
      maxAbsDiff(
        result.imageEmbedding,
        imageEmbedding.map((v) => v / Math.hypot(...imageEmbedding)),
      ),
    ).toBeLessThan(1e-4);
  });

  it('would move the latent without the check: Adam turns the noise gradient into full steps', async () => {
    const target = await targetAt(0);
    const objective = await editObjective(bundle);
    const loop = await runLoop({
      what: 'Optimize',
      start: latent0,
      steps: 20,
      lr: 0.1,
      evaluate: (latent, image) => objective.evaluate(latent, latent0, target, 0.008, 0, { image }),
    });
    expect(loop.losses[0]).toBeLessThan(1e-6);
    expect(maxAbsDiff(loop.latent, latent0)).toBeGreaterThan(0.05);
  });

  it('still edits for α > 0', async () => {
    const target = await targetAt(2);
    const result = await optimizeLatent(bundle, { latent0, target, steps: 20, lr: 0.1, lambdaL2: 0 });
    expect(result.losses).toHaveLength(21);
    expect(result.losses[0]).toBeGreaterThan(1e-6);
    expect(result.losses[20]).toBeLessThan(result.losses[0]!);
    expect(maxAbsDiff(result.latent, latent0)).toBeGreaterThan(0.01);
  });

  it('still reports a NaN start loss as an error, not as reached', async () => {
    const target = (await targetAt(0)).map(() => NaN);
    await expect(optimizeLatent(bundle, { latent0, target, steps: 5, lr: 0.1, lambdaL2: 0 })).rejects.toThrow(
      /^Optimize: the loss became NaN at step 0 \(the start latent\)/,
    );
  });
});
