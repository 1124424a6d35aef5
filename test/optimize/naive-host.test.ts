// The naive host (the paper's baseline): the CLIP loss alone, so λ_L2 (and λ_id) change nothing,
// while StyleCLIP's host keeps the latent closer to the start as λ_L2 grows.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelBundle } from '../../src/engine/models/index.js';
import { optimizeLatent, type EditRun } from '../../src/engine/optimize/index.js';
import { createNodeRuntime } from '../../src/engine/tensor/runtime-node.js';
import { loadOptimizeBundle } from './fixture.js';

describe('Optimize host', () => {
  let bundle: ModelBundle;
  let latent0: Float32Array;
  let target: Float32Array;
  const run = (over: Partial<EditRun>): EditRun => ({ latent0, target, steps: 12, lr: 0.1, lambdaL2: 0, ...over });

  beforeAll(async () => {
    bundle = await loadOptimizeBundle(await createNodeRuntime());
    latent0 = await bundle.sampleLatent(3, 0.7);
    target = await bundle.encodeImage((await bundle.generate(await bundle.sampleLatent(4, 0.7))).image);
  });

  it('naive ignores λ_L2; styleclip does not', async () => {
    const naiveLow = await optimizeLatent(bundle, run({ host: 'naive', lambdaL2: 0 }));
    const naiveHigh = await optimizeLatent(bundle, run({ host: 'naive', lambdaL2: 0.5 }));
    expect(naiveHigh.latent).toEqual(naiveLow.latent);
    expect(naiveHigh.losses).toEqual(naiveLow.losses);
    const clipLow = await optimizeLatent(bundle, run({ host: 'styleclip', lambdaL2: 0 }));
    const clipHigh = await optimizeLatent(bundle, run({ host: 'styleclip', lambdaL2: 0.5 }));
    expect(clipLow.latent).toEqual(naiveLow.latent);
    const moved = (w: Float32Array) => Math.sqrt(w.reduce((s, v, i) => s + (v - latent0[i]!) ** 2, 0));
    expect(moved(clipHigh.latent)).toBeLessThan(0.9 * moved(clipLow.latent));
  });

  it('names the hosts it knows when given another', async () => {
    await expect(optimizeLatent(bundle, run({ host: 'tedigan' as never }))).rejects.toThrow(
      /host must be one of styleclip, naive/,
    );
  });
});
