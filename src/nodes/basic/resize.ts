// Resize: brings an image to the size a model expects, either stretched or keeping its
// proportions by cutting the overhang (centre crop).
import { defineNode, type ImageValue } from '../../engine/graph/definition.js';
import { isImageValue, resizeBilinear, resizeCover } from '../../engine/tensor/image.js';

const MODES = ['stretch', 'center-crop'] as const;

export const resizeImage = defineNode({
  type: 'image/resize',
  title: 'Resize',
  category: 'Image',
  help:
    'Scales an image to width × height with bilinear filtering (smoothed when shrinking). ' +
    "'center-crop' keeps the proportions and cuts what sticks out around the centre; 'stretch' fits the image exactly, distorting it if the proportions differ.",
  inputs: { image: { type: 'Image', label: 'Image' } },
  outputs: { image: { type: 'Image', label: 'Image' } },
  params: {
    width: {
      kind: 'number',
      default: 256,
      min: 1,
      max: 4096,
      step: 1,
      integer: true,
      label: 'Width',
      help: 'Width of the result in pixels.',
    },
    height: {
      kind: 'number',
      default: 256,
      min: 1,
      max: 4096,
      step: 1,
      integer: true,
      label: 'Height',
      help: 'Height of the result in pixels.',
    },
    mode: {
      kind: 'select',
      options: MODES,
      default: 'center-crop',
      label: 'Mode',
      help: "'center-crop' keeps the proportions and crops around the centre; 'stretch' ignores them.",
    },
  },
  async run(ctx) {
    const image = ctx.inputs.image;
    if (!isImageValue(image)) throw new Error("input 'image' is not an image");
    const { width, height, mode } = ctx.params;
    const out: ImageValue =
      mode === 'stretch' ? resizeBilinear(image, width, height) : resizeCover(image, width, height);
    return { image: out };
  },
});
