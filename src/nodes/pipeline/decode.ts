// Decode: a latent through the generator to the face it stands for.
import { defineNode } from '../../engine/graph/definition.js';
import { checkSameBundle } from './values.js';

export const decodeLatent = defineNode({
  type: 'latent/decode',
  title: 'Decode',
  category: 'Latent',
  help: "Runs the bundle's generator on a latent and outputs the image (RGB in [0, 1], the generator's size).",
  inputs: { models: { type: 'Models', label: 'Models' }, latent: { type: 'Latent', label: 'Latent' } },
  outputs: { image: { type: 'Image', label: 'Image' } },
  params: {},
  async run(ctx) {
    const models = ctx.inputs.models;
    const latent = ctx.inputs.latent;
    checkSameBundle(models, latent, "the latent on input 'latent'");
    const { image } = await models.bundle.generate(latent.data, ctx.signal);
    return { image };
  },
});
