// CLIP Text and CLIP Image: unit embeddings in the bundle's joint space.
import { defineNode } from '../../engine/graph/definition.js';
import { embeddingValue } from './values.js';

export const clipText = defineNode({
  type: 'clip/text',
  title: 'CLIP Text',
  category: 'CLIP',
  help:
    "Embeds a prompt with the bundle's CLIP text tower (L2-normalized). The prompt is the param, or a Text output connected to it. " +
    "Use it for a text target, an Alpha Sweep, or PAE's target embedding.",
  inputs: { models: { type: 'Models', label: 'Models' } },
  // Documents from before params could be fed by inputs connected a Text to the optional input 'text'.
  renamedInputs: { text: 'prompt' },
  outputs: { embedding: { type: 'Embedding', label: 'Embedding' } },
  params: {
    prompt: {
      kind: 'text',
      default: 'a happy face',
      label: 'Prompt',
      help: 'The prompt to embed.',
    },
  },
  async run(ctx) {
    const { bundle } = ctx.inputs.models;
    const prompt = ctx.params.prompt.trim();
    if (prompt === '') throw new Error('the prompt is empty');
    const [data] = await bundle.encodeText([prompt], ctx.signal);
    ctx.show('embedding', { kind: 'value', text: `“${prompt}” · ${data!.length}-d` });
    return { embedding: embeddingValue(bundle, data!, 'text', prompt) };
  },
});

export const clipImage = defineNode({
  type: 'clip/image',
  title: 'CLIP Image',
  category: 'CLIP',
  help:
    "Embeds an image with the bundle's CLIP image tower (centre square, resized to CLIP's input size, normalized with CLIP's mean and std; the result is L2-normalized). " +
    "PAE needs the embedding of the image being edited: for a first edit, embed the decoded start face; a later edit in a chain takes the previous Optimize's embedding instead.",
  inputs: { models: { type: 'Models', label: 'Models' }, image: { type: 'Image', label: 'Image' } },
  outputs: { embedding: { type: 'Embedding', label: 'Embedding' } },
  params: {},
  async run(ctx) {
    const { bundle } = ctx.inputs.models;
    const image = ctx.inputs.image;
    const data = await bundle.encodeImage(image, ctx.signal);
    ctx.show('embedding', { kind: 'value', text: `image · ${data.length}-d` });
    return { embedding: embeddingValue(bundle, data, 'image', 'image') };
  },
});
