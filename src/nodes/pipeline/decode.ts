// Decode: a latent through the generator to the face it stands for.
import { defineNode } from '../../engine/graph/definition.js';
import { checkSameBundle, readLatent, readModels } from './values.js';

export const decodeLatent = defineNode<Record<string, never>>({
  type: 'latent/decode',
  title: 'Decode',
  category: 'Latent',
  help: "Runs the bundle's generator on a latent and outputs the image (RGB in [0, 1], the generator's size).",
  inputs: { models: { type: 'Models', label: 'Models' }, latent: { type: 'Latent', label: 'Latent' } },
  outputs: { image: { type: 'Image', label: 'Image' } },
  params: {},
  async run(ctx) {
    const models = readModels(ctx.inputs.models);
    const latent = readLatent(ctx.inputs.latent);
    checkSameBundle(models, latent, "the latent on input 'latent'");
    const { image } = await models.bundle.generate(latent.data, ctx.signal);
    return { image };
  },
});
