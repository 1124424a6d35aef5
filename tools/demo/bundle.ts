// Writes the demo bundle's own files: the CLIP and encoder entries of manifest.json (the generator
// entry comes from the generator builder), the identity entry (identity/build.ts), and MODEL_CARD.md.
import { CLIP_MEAN, CLIP_STD } from './data/render.js';
import { CLIP_IO } from './clip/export.js';
import { PAD_ID } from './clip/tokenizer.js';
import type { ClipShape } from './clip/towers.js';
import { ENCODER_IO, type EncoderShape } from './encoder/network.js';
import type { GeneratorManifest } from './generator/manifest.js';
import { IDENTITY_IO, type IdentityShape } from './identity/network.js';

export const BUNDLE_FILES = {
  manifest: 'manifest.json',
  clipImage: 'clip_image.onnx',
  clipText: 'clip_text.onnx',
  tokenizer: 'tokenizer.json',
  encoder: 'encoder.onnx',
  identity: 'identity.onnx',
  card: 'MODEL_CARD.md',
} as const;

export function bundleManifest(
  generator: GeneratorManifest,
  clip: ClipShape,
  encoder: EncoderShape,
  identity: IdentityShape,
): object {
  return {
    format: 'rete-clip-pae/bundle',
    version: 1,
    name: 'demo',
    description:
      'Embedded demo models built by tools/demo (npm run models:demo): a procedural, differentiable face generator that knows ' +
      'the true attributes of every face it draws, a small CLIP trained contrastively on its renders and generated captions ' +
      '(image and text towers take a symbolic batch dim, batch 1 works), and an encoder from renders to W+ latents (batch 1). ' +
      'See MODEL_CARD.md.',
    license: 'MIT',
    generator,
    clip: {
      image: { file: BUNDLE_FILES.clipImage, ...CLIP_IO.image },
      text: { file: BUNDLE_FILES.clipText, ...CLIP_IO.text, contextLength: clip.contextLength },
      tokenizer: BUNDLE_FILES.tokenizer,
      padId: PAD_ID,
      imageSize: clip.imageSize,
      mean: [...CLIP_MEAN],
      std: [...CLIP_STD],
      embedDim: clip.embedDim,
    },
    encoder: {
      file: BUNDLE_FILES.encoder,
      ...ENCODER_IO,
      inputSize: encoder.imageSize,
      inputRange: [-1, 1],
      addMeanLatent: true,
    },
    identity: identityManifest(identity),
  };
}

/** The manifest's identity section: the whole render, averaged to the net's input size, in [−1, 1]. */
export function identityManifest(shape: IdentityShape): object {
  return {
    file: BUNDLE_FILES.identity,
    ...IDENTITY_IO,
    imageSize: shape.imageSize,
    inputRange: [-1, 1],
    crop: [0, 0, 1, 1],
  };
}
