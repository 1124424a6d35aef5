// Global Direction: StyleCLIP's global directions. The target's CLIP-space direction becomes a Δs
// over the bundle's style channels (built once per bundle: `rete-clip-pae directions build`), and
// α · Δs is added to the face's style vector; α and β are sliders that cost one synthesis forward.
import { defineNode } from '../../engine/graph/definition.js';
import { applyDelta, bundleDirections, styleDelta, styleSpaceOf } from '../../engine/stylespace/index.js';
import { checkSameBundle } from '../pipeline/values.js';
import { faceStyles, textEmbedding } from './face-styles.js';
import { styleDirectionValue } from './values.js';

/** a − b, normalized; `what` names it when a and b coincide. */
function unitDifference(a: Float32Array, b: Float32Array, what: string): Float32Array {
  const out = new Float32Array(a.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    out[i] = a[i]! - b[i]!;
    n += out[i]! ** 2;
  }
  n = Math.sqrt(n);
  if (!(n > 1e-9)) throw new Error(`${what} is zero: the target and its reference are the same embedding`);
  for (let i = 0; i < out.length; i++) out[i]! /= n;
  return out;
}

export const globalDirection = defineNode({
  type: 'stylespace/global-direction',
  title: 'Global Direction',
  category: 'StyleSpace',
  help:
    "StyleCLIP's global directions on the bundle's StyleSpace. The CLIP-space direction Δt is e_T − e_neutral for a text target (the neutral prompt as StyleCLIP uses it) " +
    "and target − e_I for PAE and the other variants (the paper's projection, applied to this host). Each style channel's relevance (how it turns the CLIP image embedding, measured once per bundle) " +
    'dotted with Δt gives its weight; channels whose |weight| < β are left alone (disentanglement), and s + α Δs is drawn. ' +
    'α and β are live: a change redraws with one synthesis forward. Needs a bundle with a StyleSpace and global directions.',
  inputs: {
    models: { type: 'Models', label: 'Models' },
    latent: { type: 'Latent', label: 'Face latent' },
    target: { type: 'Target', label: 'Target' },
  },
  outputs: {
    image: { type: 'Image', label: 'Image' },
    direction: { type: 'StyleDirection', label: 'Direction' },
  },
  params: {
    alpha: {
      kind: 'number',
      default: 3,
      min: -10,
      max: 10,
      step: 0.1,
      label: 'Strength α',
      help: 'How far to move along Δs, in channel σ: 0 is the face itself, negative values edit away from the target.',
    },
    beta: {
      kind: 'number',
      default: 0.1,
      min: 0,
      max: 1,
      step: 0.01,
      label: 'Threshold β',
      help: 'Disentanglement threshold: channels whose |relevance · Δt| is below β stay unchanged. Higher β changes fewer channels.',
    },
    neutral: {
      kind: 'text',
      default: 'a face',
      label: 'Neutral prompt',
      help: 'For a text target: Δt = e_T − e(neutral prompt).',
    },
  },
  async run(ctx) {
    const { models, latent, target } = ctx.inputs;
    checkSameBundle(models, latent, 'the face latent');
    checkSameBundle(models, target, 'the target');
    const { bundle } = models;
    const what = 'Global Direction';
    const space = styleSpaceOf(bundle, what);
    const directions = bundleDirections(bundle, what);
    const face = await faceStyles(bundle, latent.data, what, ctx.signal);
    let direction: Float32Array;
    if (target.variant === 'text') {
      const neutral = ctx.params.neutral.trim();
      if (neutral === '') throw new Error('Global Direction: the neutral prompt is empty');
      direction = unitDifference(target.data, await textEmbedding(bundle, neutral, ctx.signal), 'e_T − e_neutral');
    } else direction = unitDifference(target.data, face.embedding, 'target − e_I');
    const { alpha, beta } = ctx.params;
    const delta = styleDelta(directions, direction, beta);
    if (delta.kept === 0)
      throw new Error(
        `Global Direction: β = ${beta} keeps no style channel; the largest |relevance · Δt| is ${delta.largest.toFixed(3)}, so use a smaller β`,
      );
    const { image } = await space.synthesize(applyDelta(face.styles, delta.delta, alpha), ctx.signal);
    ctx.show('image', { kind: 'image', image });
    ctx.show('channels', {
      kind: 'value',
      text: `${delta.kept} of ${space.size} style channels · α ${alpha} · β ${beta}`,
    });
    return { image, direction: styleDirectionValue(bundle, delta.delta, target.prompt) };
  },
});
