// Invert: a picture to a latent, so a real image can be edited like a sampled face.
import { defineNode } from '../../engine/graph/definition.js';
import { invertImage } from '../../engine/optimize/index.js';
import { latentValue } from './values.js';

export const invertNode = defineNode({
  type: 'latent/invert',
  title: 'Invert',
  category: 'Latent',
  help:
    "Finds a latent whose image looks like the input: the bundle's encoder gives a first latent (e4e-style, offsets added to the mean latent), " +
    'then optional refinement steps minimize the pixel difference between the generated and the input image (+ λ_L2 ‖w − w_enc‖²) with Adam, using the same compiled-gradient machinery as Optimize. ' +
    'The image is centre-cropped to a square and resized to what the encoder and generator expect. Outputs the latent and its reconstruction.',
  inputs: { models: { type: 'Models', label: 'Models' }, image: { type: 'Image', label: 'Image' } },
  outputs: { latent: { type: 'Latent', label: 'Latent' }, image: { type: 'Image', label: 'Reconstruction' } },
  params: {
    refineSteps: {
      kind: 'number',
      default: 30,
      min: 0,
      max: 2000,
      step: 1,
      integer: true,
      label: 'Refine steps',
      help: 'Pixel-space refinement steps after the encoder; 0 uses the encoder alone.',
    },
    lr: {
      kind: 'number',
      default: 0.05,
      min: 0.0001,
      max: 2,
      step: 0.01,
      label: 'Learning rate',
      help: "Adam's peak learning rate for the refinement.",
    },
    lambdaL2: {
      kind: 'number',
      default: 0.001,
      min: 0,
      max: 10,
      step: 0.001,
      label: 'λ L2',
      help: "Weight of ‖w − w_enc‖²: keeps the refinement near the encoder's latent.",
    },
  },
  async run(ctx) {
    const { bundle } = ctx.inputs.models;
    const image = ctx.inputs.image;
    const { refineSteps, lr, lambdaL2 } = ctx.params;
    const result = await invertImage(bundle, {
      image,
      refineSteps,
      lr,
      lambdaL2,
      signal: ctx.signal,
      onProgress: (step, steps, loss) =>
        ctx.progress(step / steps, `refining ${step}/${steps} · loss ${loss.toFixed(4)}`),
      onPreview: (preview) => ctx.preview(preview),
    });
    const last = result.losses[result.losses.length - 1];
    ctx.show('latent', { kind: 'image', image: result.image });
    if (last !== undefined)
      ctx.show('loss', { kind: 'value', text: `pixel loss ${last.toFixed(4)} after ${result.losses.length} steps` });
    return { latent: latentValue(bundle, result.latent), image: result.image };
  },
});
