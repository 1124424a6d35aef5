// PAE: the optimization target of one edit, built from the start image's embedding, the prompt and
// the corpus subspace (formulas in src/engine/pae and docs/method.md), held fixed while Optimize runs.
import { defineNode } from '../../engine/graph/definition.js';
import { coefficients, project } from '../../engine/pae/subspace.js';
import { paeTarget, TARGET_VARIANTS } from '../../engine/pae/target.js';
import { norm } from '../../engine/pae/vector.js';
import type { CoefficientsValue, TargetValue } from './values.js';

export const paeNode = defineNode({
  type: 'pae/target',
  title: 'PAE',
  category: 'PAE',
  help:
    'Builds the target embedding for an edit. With e_I the image embedding, e_T the prompt embedding and b_k the subspace directions: ' +
    "c_k = e_I·b_k, d_k = e_T·b_k, and PAE = e_I − α Σ|c_k| b_k + (α Σ|c_k| / Σ d_k) P_W(e_T): the image keeps everything outside the corpus subspace and trades its own subspace component for the prompt's. " +
    "Variants: 'pae' (the paper), 'pae-reference' (the reference code: adds e_T itself), 'naive' (e_I + α e_T), 'text' (e_T, StyleCLIP's plain text target). " +
    'α = 0 is no edit; larger α edits harder. The prompt is the param (or a Text output connected to it); an embedding on the Target embedding input (e.g. of another image) takes its place. ' +
    "The bars show the image's coefficients (before) and the target's (where the edit aims). In a chain, feed the image embedding from the previous Optimize.",
  inputs: {
    image: { type: 'Embedding', label: 'Image embedding' },
    subspace: { type: 'Subspace', label: 'Subspace' },
    embedding: { type: 'Embedding', label: 'Target embedding', optional: true },
  },
  // Documents from before params could be fed by inputs connected a Text to the optional input 'text'.
  renamedInputs: { text: 'prompt' },
  outputs: {
    target: { type: 'Target', label: 'Target' },
    coefficients: { type: 'Coefficients', label: 'Coefficients' },
  },
  params: {
    prompt: {
      kind: 'text',
      default: 'a happy face',
      label: 'Prompt',
      help: 'What the face should become, when the Target embedding input is not connected.',
    },
    alpha: {
      kind: 'number',
      default: 4,
      min: 0,
      max: 16,
      step: 0.5,
      label: 'Strength α',
      help: '0 keeps the image; the paper shows 0–4, the reference code uses 8 for long runs.',
    },
    variant: {
      kind: 'select',
      options: TARGET_VARIANTS,
      default: 'pae',
      label: 'Variant',
      help: "'pae', 'pae-reference', 'naive' or 'text' (see the node's help).",
    },
  },
  async run(ctx) {
    const image = ctx.inputs.image;
    const sub = ctx.inputs.subspace;
    if (image.bundleId !== sub.bundleId) {
      throw new Error(
        `the image embedding was made with the bundle ${image.bundleId}, the subspace with ${sub.bundleId}; use one Load Models node for both`,
      );
    }
    if (image.of !== 'image')
      throw new Error(
        `input 'image' needs the embedding of an image, got the embedding of the prompt "${image.label}"`,
      );
    let text: Float32Array;
    let prompt: string;
    if (ctx.inputs.embedding !== undefined) {
      const e = ctx.inputs.embedding;
      if (e.bundleId !== sub.bundleId)
        throw new Error(
          `the target embedding was made with the bundle ${e.bundleId}, the subspace with ${sub.bundleId}`,
        );
      text = e.data;
      prompt = e.label;
    } else {
      prompt = ctx.params.prompt.trim();
      if (prompt === '') throw new Error('the prompt is empty');
      [text] = (await sub.models.bundle.encodeText([prompt], ctx.signal)) as [Float32Array];
    }
    const { alpha, variant } = ctx.params;
    const space = sub.subspace;
    const made = paeTarget({ image: image.data, text, subspace: space, alpha, variant });
    const aimed = coefficients(made.target, space, 'the target');
    const target: TargetValue = {
      kind: 'target',
      data: made.target,
      variant,
      alpha,
      prompt,
      subspace: space,
      before: made.before,
      bundleId: sub.bundleId,
    };
    const before: CoefficientsValue = {
      kind: 'coefficients',
      labels: [...space.labels],
      values: made.before,
      of: 'start image',
    };
    // How much of the prompt the corpus captures: PAE can only move the image along that part.
    const captured = norm(project(text, space)) / norm(text);
    ctx.show('target', { kind: 'bars', labels: [...space.labels], before: made.before, after: aimed });
    ctx.show('coefficients', { kind: 'value', text: `${made.before.length} of the start image` });
    ctx.show('prompt', {
      kind: 'value',
      text: `“${prompt}” · ${variant} · α ${alpha} · ${(captured * 100).toFixed(0)}% of the prompt lies in the subspace`,
    });
    return { target, coefficients: before };
  },
});
