// Learn Direction: StyleMC with the paper's target. One global Δs for a prompt, optimized over a
// batch of random faces with the CLIP loss (+ the identity loss when the bundle has an identity network); with a PAE variant each face's target is PAE computed
// from that face's own image embedding, with 'text' it is the prompt's embedding.
import { defineNode } from '../../engine/graph/definition.js';
import { paeTarget, TARGET_VARIANTS } from '../../engine/pae/target.js';
import { learnDirection } from '../../engine/stylespace/index.js';
import { styleDirectionValue } from './values.js';
import { lambdaL2Param, learningRateParam, stepsParam } from '../pipeline/optimizer-params.js';

export const learnDirectionNode = defineNode({
  type: 'stylespace/learn-direction',
  title: 'Learn Direction',
  category: 'StyleSpace',
  help:
    'StyleMC: learns one style direction Δs that edits every face toward the prompt, by Adam on the mean over a batch of random faces of 1 − cos(E(G(s_i + Δs)), t_i) + λ_L2 ‖Δs‖². ' +
    "With a PAE variant t_i is PAE built from face i's own image embedding in the connected subspace (how the paper applies PAE to StyleMC); with 'text' it is the prompt's embedding. " +
    'Apply it to any face with Apply Direction; Save Direction writes it as .npy.',
  inputs: {
    models: { type: 'Models', label: 'Models' },
    subspace: { type: 'Subspace', label: 'Subspace' },
  },
  outputs: { direction: { type: 'StyleDirection', label: 'Direction' } },
  params: {
    prompt: { kind: 'text', default: 'a happy face', label: 'Prompt', help: 'What every face should become.' },
    variant: {
      kind: 'select',
      options: TARGET_VARIANTS,
      default: 'pae',
      label: 'Target',
      help: "'pae' (the paper), 'pae-reference', 'naive' or 'text' (StyleMC's own target).",
    },
    alpha: {
      kind: 'number',
      default: 4,
      min: 0,
      max: 16,
      step: 0.5,
      label: 'PAE α',
      help: "PAE's strength α for each face's target (unused for 'text').",
    },
    faces: {
      kind: 'number',
      default: 4,
      min: 1,
      max: 256,
      step: 1,
      integer: true,
      label: 'Faces',
      help: 'Random faces the direction is learned on.',
    },
    seed: {
      kind: 'number',
      default: 300,
      min: 0,
      max: 2147483647,
      step: 1,
      integer: true,
      label: 'First seed',
      help: 'The batch is the random faces of seeds seed, seed + 1, … (truncation 0.7).',
    },
    steps: stepsParam(30, 'Adam steps.'),
    lr: learningRateParam("Adam's learning rate."),
    lambdaL2: lambdaL2Param(0.01, 'Weight of ‖Δs‖²: keeps the direction small.'),
    lambdaId: {
      kind: 'number',
      default: 0.1,
      min: 0,
      max: 10,
      step: 0.01,
      label: 'λ identity',
      help: "Weight of the identity loss (1 − cosine of the identity network's embeddings of each face before and after); used when the bundle has an identity network.",
    },
  },
  async run(ctx) {
    const { models, subspace } = ctx.inputs;
    if (subspace.bundleId !== models.bundle.id)
      throw new Error(
        `the subspace was made with the bundle ${subspace.bundleId}, the models input is ${models.bundle.id}; connect the same Load Models node`,
      );
    const prompt = ctx.params.prompt.trim();
    if (prompt === '') throw new Error('Learn Direction: the prompt is empty');
    const { bundle } = models;
    const [text] = (await bundle.encodeText([prompt], ctx.signal)) as [Float32Array];
    const { variant, alpha, faces, seed, steps, lr, lambdaL2 } = ctx.params;
    const withIdentity = bundle.roles.includes('identity');
    const lambdaId = withIdentity ? ctx.params.lambdaId : 0;
    const learned = await learnDirection(bundle, {
      faces,
      seed,
      steps,
      lr,
      lambdaL2,
      lambdaId,
      signal: ctx.signal,
      targetFor: (image) => paeTarget({ image, text, subspace: subspace.subspace, alpha, variant }).target,
      onProgress: (step, total, loss) => ctx.progress(step / total, `step ${step}/${total} · loss ${loss.toFixed(4)}`),
    });
    const first = learned.losses[0]!;
    const last = learned.losses[learned.losses.length - 1]!;
    ctx.show('loss', {
      kind: 'value',
      text: `mean loss over ${faces} faces ${first.toFixed(4)} → ${last.toFixed(4)} · ${variant}${withIdentity ? ` · λ_id ${lambdaId}` : ' · no identity network'}`,
    });
    return { direction: styleDirectionValue(bundle, learned.delta, `${prompt} (${variant})`) };
  },
});
