// Alpha Sweep: one edit at several strengths, side by side: controllability at a glance.
import { defineNode, type ImageValue } from '../../engine/graph/definition.js';
import { optimizeLatent } from '../../engine/optimize/index.js';
import { coefficients } from '../../engine/pae/subspace.js';
import { paeTarget, TARGET_VARIANTS } from '../../engine/pae/target.js';
import { sideBySide } from './strip.js';
import { checkSameBundle } from './values.js';
import { lambdaL2Param, learningRateParam, stepsParam } from './optimizer-params.js';

const MAX_ALPHAS = 12;

/** "0, 1, 2, 4, 8" → [0, 1, 2, 4, 8], with an error that names the bad entry. */
export function parseAlphas(text: string): number[] {
  const parts = text.split(/[,\s;]+/).filter((p) => p !== '');
  if (parts.length === 0) throw new Error('the α list is empty: write values like 0, 1, 2, 4, 8');
  if (parts.length > MAX_ALPHAS)
    throw new Error(`the α list has ${parts.length} values; at most ${MAX_ALPHAS} fit in one strip`);
  return parts.map((p, i) => {
    const a = Number(p);
    if (!Number.isFinite(a) || a < 0) throw new Error(`α value ${i + 1} ('${p}') is not a number ≥ 0`);
    return a;
  });
}

export const alphaSweep = defineNode({
  type: 'optimize/alpha-sweep',
  title: 'Alpha Sweep',
  category: 'Optimize',
  help:
    'Runs the same edit once per strength α (each from the same start latent, each with its own target) and lays the results side by side, smallest α first. ' +
    "The bars show, per α, the edited image's coefficient along the subspace direction the prompt points to most (before: the start image's). " +
    'A controllable edit grows steadily with α; α = 0 should leave the face as it is.',
  inputs: {
    models: { type: 'Models', label: 'Models' },
    latent: { type: 'Latent', label: 'Start latent' },
    image: { type: 'Embedding', label: 'Image embedding' },
    text: { type: 'Embedding', label: 'Prompt embedding' },
    subspace: { type: 'Subspace', label: 'Subspace' },
  },
  outputs: { image: { type: 'Image', label: 'Strip' } },
  params: {
    alphas: {
      kind: 'text',
      default: '0, 1, 2, 4, 8',
      label: 'α values',
      help: `Strengths to try, separated by commas (at most ${MAX_ALPHAS}).`,
    },
    variant: {
      kind: 'select',
      options: TARGET_VARIANTS,
      default: 'pae',
      label: 'Variant',
      help: 'Which target to build at each α (see the PAE node).',
    },
    steps: stepsParam(40, 'Optimization steps per α.'),
    lr: learningRateParam("Adam's peak learning rate (StyleCLIP's ramp)."),
    lambdaL2: lambdaL2Param(0.008, 'Weight of ‖w − w0‖².'),
  },
  sink: true,
  async run(ctx) {
    const models = ctx.inputs.models;
    const start = ctx.inputs.latent;
    const image = ctx.inputs.image;
    const text = ctx.inputs.text;
    const sub = ctx.inputs.subspace;
    checkSameBundle(models, start, 'the start latent');
    checkSameBundle(models, image, 'the image embedding');
    checkSameBundle(models, text, 'the prompt embedding');
    checkSameBundle(models, sub, 'the subspace');
    const alphas = parseAlphas(ctx.params.alphas);
    const { variant, steps, lr, lambdaL2 } = ctx.params;
    const space = sub.subspace;

    // The direction the prompt points to most: the one whose coefficient the sweep should move.
    const d = coefficients(text.data, space, 'the prompt embedding');
    let k = 0;
    for (let i = 1; i < d.length; i++) if (Math.abs(d[i]!) > Math.abs(d[k]!)) k = i;

    const results: ImageValue[] = [];
    const moved: number[] = [];
    let before = 0;
    for (const [i, alpha] of alphas.entries()) {
      const made = paeTarget({ image: image.data, text: text.data, subspace: space, alpha, variant });
      before = made.before[k]!;
      const result = await optimizeLatent(models.bundle, {
        latent0: start.data,
        target: made.target,
        steps,
        lr,
        lambdaL2,
        previewEvery: steps,
        signal: ctx.signal,
        onProgress: (step, total) =>
          ctx.progress((i + step / total) / alphas.length, `α ${alpha}: step ${step}/${total}`),
      });
      results.push(result.image);
      moved.push(coefficients(result.imageEmbedding, space, 'the edited image embedding')[k]!);
      ctx.preview(sideBySide(results));
    }
    const strip = sideBySide(results);
    ctx.show('strip', { kind: 'image', image: strip });
    ctx.show('image', { kind: 'value', text: `${alphas.length} faces · ${strip.width} × ${strip.height}` });
    ctx.show('coefficient', {
      kind: 'bars',
      labels: alphas.map((a) => `α ${a}`),
      before: alphas.map(() => before),
      after: moved,
    });
    ctx.show('direction', {
      kind: 'value',
      text: `bars: coefficient along “${space.labels[k]}” (“${text.label}”), ${variant}`,
    });
    return { image: strip };
  },
});
