// Random Face: a start latent from a seed, pulled toward the mean face by the truncation ψ.
import { defineNode } from '../../engine/graph/definition.js';
import { latentValue } from './values.js';

export const randomFace = defineNode({
  type: 'latent/random',
  title: 'Random Face',
  category: 'Latent',
  help:
    "Samples a face: z ~ N(0, 1) from the seed, the bundle's mapping network gives w, and the truncation ψ pulls w toward the mean latent " +
    "(w̄ + ψ·(w − w̄)). The same seed gives the same face in the browser and the CLI. ψ = 0.7 is StyleCLIP's choice for random starts: typical faces, fewer artifacts.",
  inputs: { models: { type: 'Models', label: 'Models' } },
  outputs: { latent: { type: 'Latent', label: 'Latent' } },
  params: {
    seed: {
      kind: 'number',
      default: 1,
      min: 0,
      max: 2147483647,
      step: 1,
      integer: true,
      label: 'Seed',
      help: 'Which face: any whole number.',
    },
    truncation: {
      kind: 'number',
      default: 0.7,
      min: 0,
      max: 1.5,
      step: 0.05,
      label: 'Truncation ψ',
      help: '0 gives the mean face, 1 the untruncated sample; lower values give more typical faces.',
    },
  },
  async run(ctx) {
    const { bundle } = ctx.inputs.models;
    const data = await bundle.sampleLatent(ctx.params.seed, ctx.params.truncation, ctx.signal);
    // A thumbnail on the latent output: the face this seed stands for.
    const { image } = await bundle.generate(data, ctx.signal);
    ctx.show('latent', { kind: 'image', image });
    return { latent: latentValue(bundle, data) };
  },
});
