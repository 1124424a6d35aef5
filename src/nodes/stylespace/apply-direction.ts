// Apply Direction: s + α Δs for any face and any style direction (a global direction, a learned
// StyleMC direction, one loaded from a file): one styles and one synthesis forward.
import { defineNode } from '../../engine/graph/definition.js';
import { applyDelta, styleSpaceOf } from '../../engine/stylespace/index.js';
import { checkSameBundle } from '../pipeline/values.js';
import { faceStyles } from './face-styles.js';

export const applyDirection = defineNode({
  type: 'stylespace/apply-direction',
  title: 'Apply Direction',
  category: 'StyleSpace',
  help: "Adds α times a style direction to the face's style vector and draws it (s + α Δs).",
  inputs: {
    models: { type: 'Models', label: 'Models' },
    latent: { type: 'Latent', label: 'Face latent' },
    direction: { type: 'StyleDirection', label: 'Direction' },
  },
  outputs: { image: { type: 'Image', label: 'Image' } },
  params: {
    alpha: {
      kind: 'number',
      default: 1,
      min: -10,
      max: 10,
      step: 0.1,
      label: 'Strength α',
      help: '0 is the face itself; negative values edit the other way.',
    },
  },
  async run(ctx) {
    const { models, latent, direction } = ctx.inputs;
    checkSameBundle(models, latent, 'the face latent');
    checkSameBundle(models, direction, 'the direction');
    const space = styleSpaceOf(models.bundle, 'Apply Direction');
    const face = await faceStyles(models.bundle, latent.data, 'Apply Direction', ctx.signal);
    const { image } = await space.synthesize(applyDelta(face.styles, direction.data, ctx.params.alpha), ctx.signal);
    ctx.show('image', { kind: 'image', image });
    return { image };
  },
});
