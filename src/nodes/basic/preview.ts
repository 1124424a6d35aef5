// Preview: shows an image on the node. A sink, so the graph runs up to it.
import { defineNode } from '../../engine/graph/definition.js';
import { isImageValue } from '../../engine/tensor/image.js';

export const previewImage = defineNode({
  type: 'image/preview',
  title: 'Preview',
  category: 'Output',
  help: 'Shows the image it receives on the node. Running the graph always evaluates what a Preview needs.',
  inputs: { image: { type: 'Image', label: 'Image' } },
  outputs: {},
  params: {},
  sink: true,
  async run(ctx) {
    const image = ctx.inputs.image;
    if (!isImageValue(image)) throw new Error("input 'image' is not an image");
    ctx.show('image', { kind: 'image', image });
    ctx.show('size', { kind: 'value', text: `${image.width} × ${image.height}` });
    return {};
  },
});
