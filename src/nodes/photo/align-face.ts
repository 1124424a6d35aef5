// Align Face: a face of a photo cropped the way FFHQ crops faces, the input a StyleGAN encoder
// and generator expect, plus the transform that Paste Back needs to put the edit back.
import { alignFace } from '../../engine/faces/align.js';
import { defineNode } from '../../engine/graph/definition.js';
import type { ModelsValue } from '../pipeline/values.js';

export const alignFaceNode = defineNode({
  type: 'face/align',
  title: 'Align Face',
  category: 'Faces',
  help:
    "Crops a face out of the photo along FFHQ's alignment: a square turned to the eye line and the mouth, " +
    'sized from the eye distance and the eye-to-mouth distance, resampled to size × size with area averaging ' +
    '(a face from a large photo is shrunk without aliasing). Outputs the aligned face and its transform for Paste Back.',
  inputs: {
    image: { type: 'Image', label: 'Photo' },
    face: { type: 'Face', label: 'Face' },
    models: { type: 'Models', label: 'Models', optional: true },
  },
  outputs: {
    image: { type: 'Image', label: 'Aligned face' },
    transform: { type: 'FaceTransform', label: 'Transform' },
  },
  params: {
    size: {
      kind: 'number',
      default: 0,
      min: 0,
      max: 4096,
      step: 1,
      integer: true,
      label: 'Size',
      help: "Side of the aligned square in pixels; 0 uses the connected bundle's encoder input size.",
    },
  },
  async run(ctx) {
    const { image: photo, face } = ctx.inputs;
    const size = ctx.params.size > 0 ? ctx.params.size : encoderSize(ctx.inputs.models);
    const { image, transform } = alignFace(photo, face, size);
    ctx.show('image', { kind: 'image', image });
    ctx.show('transform', {
      kind: 'value',
      text: `${size} px from a ${Math.round(Math.hypot(transform.quad[3][0] - transform.quad[0][0], transform.quad[3][1] - transform.quad[0][1]))} px square`,
    });
    return { image, transform };
  },
});

function encoderSize(value: ModelsValue | undefined): number {
  if (!value) throw new Error("size 0 means the bundle encoder's input size: connect Models, or set a size in pixels");
  const encoder = value.bundle.manifest.encoder;
  if (!encoder)
    throw new Error(
      `size 0 means the encoder's input size, but the bundle ${value.bundle.name} has no encoder; set a size`,
    );
  return encoder.inputSize;
}
