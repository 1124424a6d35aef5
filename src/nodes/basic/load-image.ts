// Load Image: the start of every edit. The picture comes from a URL, a data: URL (what the
// editor stores for a picked or dropped file) or, in the CLI, a file path.
import { defineNode } from '../../engine/graph/definition.js';
import { decodeImageFile, IMAGE_DECODER_KEY, type ImageDecoder } from '../../engine/tensor/image-file.js';
import { chosenSource, sourceFingerprint } from '../file-source.js';

export const loadImage = defineNode({
  type: 'image/load',
  title: 'Load Image',
  category: 'Image',
  help:
    'Reads an image as RGB values in [0, 1]. The source is a URL (relative ones resolve against the app, ' +
    'e.g. images/test-pattern.png), a data: URL from a picked or dropped file, or a file path in the CLI. ' +
    'PNG, JPEG and WebP (turned upright by their EXIF orientation) work in the editor and the CLI.',
  inputs: {},
  outputs: { image: { type: 'Image', label: 'Image' } },
  params: {
    source: {
      kind: 'image',
      default: '',
      label: 'Image',
      help: 'A URL, a data: URL or (CLI) a file path; pick or drop a file in the editor.',
    },
  },
  // An image edited on disk (or a changed URL) is read again on the next run.
  fingerprint: sourceFingerprint,
  async run(ctx) {
    const { source, name } = chosenSource(
      ctx.params.source,
      'the chosen image',
      'no image chosen: pick or drop a file, or enter a URL',
    );
    ctx.progress(0, 'reading');
    const bytes = await ctx.services.loadBytes(source, ctx.signal);
    ctx.progress(0.5, 'decoding');
    const decoder = ctx.services[IMAGE_DECODER_KEY] as ImageDecoder | undefined;
    const image = { ...(await decodeImageFile(bytes, name, decoder)), name };
    ctx.show('size', { kind: 'value', text: `${image.width} × ${image.height}` });
    return { image };
  },
});
