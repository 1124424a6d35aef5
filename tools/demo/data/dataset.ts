// The training corpus: sampled faces (latents, true attributes, classes) with their renders.
import type { ModelProto } from 'onnx-buf';
import type { LatentModel } from '../generator/latent.js';
import type { Rng } from '../../../src/engine/random.js';
import { sampleFaces, type Face, type FaceSamplerOptions } from './faces.js';
import { renderFaces, type RenderedFaces } from './render.js';

export interface Corpus {
  faces: Face[];
  images: RenderedFaces;
}

/** `generator`: the generator model (any static batch) that draws latents of `model`. */
export async function buildCorpus(
  generator: ModelProto,
  model: LatentModel,
  rng: Rng,
  count: number,
  opts: { quiet?: boolean; sampler?: FaceSamplerOptions; label?: string } = {},
): Promise<Corpus> {
  const faces = sampleFaces(model, rng, count, opts.sampler);
  const images = await renderFaces(generator, faces, { quiet: opts.quiet, label: opts.label ?? 'render faces' });
  return { faces, images };
}
