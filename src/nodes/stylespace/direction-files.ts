// Save Direction and Load Direction: a style direction as a NumPy .npy file, float32 of shape (1, S).
import { defineNode } from '../../engine/graph/definition.js';
import { decodeNpy, encodeNpy } from '../../engine/tensor/npy.js';
import { styleSize } from '../../engine/stylespace/index.js';
import { npyFileName } from '../photo/latent-files.js';
import { styleDirectionValue } from './values.js';
import { chosenSource, sourceFingerprint } from '../file-source.js';

export const saveDirection = defineNode({
  type: 'stylespace/save-direction',
  title: 'Save Direction',
  category: 'Output',
  help: 'Saves the style direction as a NumPy .npy file (float32, shape (1, S)): a download in the browser, a file in the CLI.',
  inputs: { direction: { type: 'StyleDirection', label: 'Direction' } },
  outputs: {},
  params: {
    filename: {
      kind: 'text',
      default: 'direction.npy',
      label: 'File name',
      help: "Name of the .npy file; '.npy' is added if missing.",
    },
  },
  sink: true,
  async run(ctx) {
    const { direction } = ctx.inputs;
    const bytes = encodeNpy(direction.data, [1, direction.data.length]);
    const name = npyFileName(ctx.params.filename);
    ctx.emitFile({ name, mime: 'application/octet-stream', bytes });
    ctx.show('file', { kind: 'value', text: `${name} · ${direction.data.length} style channels · ${bytes.length} B` });
    return {};
  },
});

export const loadDirection = defineNode({
  type: 'stylespace/load-direction',
  title: 'Load Direction',
  category: 'StyleSpace',
  help: "Reads a style direction from a .npy file (float32, (1, S) or (S,), S = the bundle's style channels).",
  inputs: { models: { type: 'Models', label: 'Models' } },
  outputs: { direction: { type: 'StyleDirection', label: 'Direction' } },
  params: {
    source: {
      kind: 'text',
      default: '',
      label: 'File',
      help: 'A URL or data: URL of the .npy file, or (CLI) a file path.',
    },
  },
  fingerprint: sourceFingerprint,
  async run(ctx) {
    const { bundle } = ctx.inputs.models;
    const { source, name } = chosenSource(
      ctx.params.source,
      'the chosen direction file',
      'no direction file chosen: enter the path or URL of a .npy file',
    );
    const info = bundle.manifest.styleSpace;
    if (!info) throw new Error(`Load Direction: bundle "${bundle.name}" has no StyleSpace`);
    const size = styleSize(info);
    const array = decodeNpy(await ctx.services.loadBytes(source, ctx.signal), name);
    const ok =
      (array.shape.length === 2 && array.shape[0] === 1 && array.shape[1] === size) ||
      (array.shape.length === 1 && array.shape[0] === size);
    if (!ok)
      throw new Error(
        `${name} has shape (${array.shape.join(', ')}); a style direction of bundle "${bundle.name}" is (1, ${size}) or (${size},)`,
      );
    ctx.show('direction', { kind: 'value', text: `${size} style channels` });
    return { direction: styleDirectionValue(bundle, Float32Array.from(array.data), name) };
  },
});
