// Optimize: the edit itself. StyleCLIP's latent optimization toward a fixed target embedding, one
// compiled loss-and-gradient model run per step, with a live preview.
import { defineNode } from '../../engine/graph/definition.js';
import { EDIT_HOSTS, optimizeLatent } from '../../engine/optimize/index.js';
import { coefficients } from '../../engine/pae/subspace.js';
import { checkSameBundle, embeddingValue, latentValue, type CoefficientsValue } from './values.js';
import { lambdaL2Param, learningRateParam, stepsParam } from './optimizer-params.js';

export const optimizeNode = defineNode({
  type: 'optimize/edit',
  title: 'Optimize',
  category: 'Optimize',
  help:
    "Edits a latent so that the CLIP embedding of its image moves toward the target: minimizes (1 − cos(E(G(w)), target)) + λ_L2 ‖w − w0‖² (+ λ_id · identity loss) with Adam and StyleCLIP's learning-rate ramp. " +
    'Shows the face every few steps while it runs; Cancel stops it between steps. ' +
    'Outputs the edited latent and image, the CLIP embedding of the edited image (the image embedding of the next edit in a chain) and its coefficients in the target\'s subspace (the "after" bars).',
  inputs: {
    models: { type: 'Models', label: 'Models' },
    latent: { type: 'Latent', label: 'Start latent' },
    target: { type: 'Target', label: 'Target' },
  },
  outputs: {
    latent: { type: 'Latent', label: 'Latent' },
    image: { type: 'Image', label: 'Image' },
    embedding: { type: 'Embedding', label: 'Image embedding' },
    coefficients: { type: 'Coefficients', label: 'Coefficients after' },
  },
  params: {
    host: {
      kind: 'select',
      options: EDIT_HOSTS,
      default: 'styleclip',
      label: 'Host',
      help: "styleclip: StyleCLIP's loss (CLIP loss + λ_L2 + λ_id terms); naive: the CLIP loss alone (the paper's naive optimization baseline), λ_L2 and λ_id are ignored.",
    },
    steps: stepsParam(60, 'Optimization steps (StyleCLIP uses 300 on StyleGAN2; the demo bundle needs far fewer).'),
    lr: learningRateParam(
      "Adam's peak learning rate; it ramps up over the first 5% of the steps and down over the last 25%.",
    ),
    lambdaL2: lambdaL2Param(0.008, 'Weight of ‖w − w0‖²: keeps the edit close to the start latent.'),
    lambdaId: {
      kind: 'number',
      default: 0,
      min: 0,
      max: 10,
      step: 0.001,
      label: 'λ identity',
      help: "Weight of the identity loss (1 − cosine of the identity network's embeddings); needs a bundle with an identity network.",
    },
    previewEvery: {
      kind: 'number',
      default: 10,
      min: 1,
      max: 1000,
      step: 1,
      integer: true,
      label: 'Preview every',
      help: 'Steps between live previews.',
    },
  },
  async run(ctx) {
    const models = ctx.inputs.models;
    const start = ctx.inputs.latent;
    const target = ctx.inputs.target;
    checkSameBundle(models, start, 'the start latent');
    checkSameBundle(models, target, 'the target');
    const { host, steps, lr, lambdaL2, lambdaId, previewEvery } = ctx.params;
    const result = await optimizeLatent(models.bundle, {
      host,
      latent0: start.data,
      target: target.data,
      steps,
      lr,
      lambdaL2,
      lambdaId: lambdaId > 0 ? lambdaId : undefined,
      previewEvery,
      signal: ctx.signal,
      onProgress: (step, total, loss) => ctx.progress(step / total, `step ${step}/${total} · loss ${loss.toFixed(4)}`),
      onPreview: (image) => ctx.preview(image),
    });
    const after = coefficients(result.imageEmbedding, target.subspace, 'the edited image embedding');
    const coefficientsAfter: CoefficientsValue = {
      kind: 'coefficients',
      labels: [...target.subspace.labels],
      values: after,
      of: 'edited image',
    };
    const first = result.losses[0];
    const last = result.losses[result.losses.length - 1];
    ctx.show('image', { kind: 'image', image: result.image });
    ctx.show('coefficients', { kind: 'bars', labels: [...target.subspace.labels], before: target.before, after });
    if (first !== undefined && last !== undefined)
      ctx.show('loss', {
        kind: 'value',
        text: `loss ${first.toFixed(4)} → ${last.toFixed(4)} in ${result.losses.length} steps`,
      });
    return {
      latent: latentValue(models.bundle, result.latent),
      image: result.image,
      embedding: embeddingValue(models.bundle, result.imageEmbedding, 'image', `“${target.prompt}” edit`),
      coefficients: coefficientsAfter,
    };
  },
});
