// Save Image: writes the image as a PNG that carries the whole graph document in a text chunk,
// so opening the PNG again restores the graph that produced it.
import { defineNode } from '../../engine/graph/definition.js';
import { serializeDocument, type GraphDocument } from '../../engine/graph/document.js';
import { isImageValue } from '../../engine/tensor/image.js';
import { encodePng, GRAPH_PNG_KEY } from '../../engine/tensor/png.js';
import { formatBytes } from '../../engine/bytes.js';

export const saveImage = defineNode({
  type: 'image/save',
  title: 'Save Image',
  category: 'Output',
  help:
    'Saves the image as a PNG with this graph embedded: the browser offers it as a download, the CLI writes it to its output folder. ' +
    'Open the PNG in the editor (or pass it to the CLI) to get the graph back.',
  inputs: { image: { type: 'Image', label: 'Image' } },
  outputs: {},
  params: {
    filename: {
      kind: 'text',
      default: 'edit.png',
      label: 'File name',
      help: "Name of the PNG file; '.png' is added if missing.",
    },
  },
  sink: true,
  dependsOnDocument: true,
  async run(ctx) {
    const image = ctx.inputs.image;
    if (!isImageValue(image)) throw new Error("input 'image' is not an image");
    const name = safeFileName(ctx.params.filename);
    const bytes = encodePng(image, { text: { [GRAPH_PNG_KEY]: serializeDocument(ctx.document as GraphDocument) } });
    ctx.emitFile({ name, mime: 'image/png', bytes });
    ctx.show('image', { kind: 'image', image });
    ctx.show('file', { kind: 'value', text: `${name} · ${formatBytes(bytes.length)}` });
    return {};
  },
});

/** A plain file name: no folders (a graph must not write outside the output folder), ends in .png. */
export function safeFileName(name: string): string {
  const base = name
    .split(/[\\/]/)
    .pop()!
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are not allowed in file names
    .replace(/[\x00-\x1f<>:"|?*]/g, '_')
    .trim()
    .replace(/^\.+/, '');
  const stem = base === '' ? 'image' : base;
  return /\.png$/i.test(stem) ? stem : `${stem}.png`;
}
