// Load Latent and Save Latent: W+ latents as NumPy .npy files ([1, num_ws, 512] float32), to
// carry an inversion or an edit between graphs, sessions and Python tools.
import { defineNode } from '../../engine/graph/definition.js';
import { decodeLatentNpy, encodeLatentNpy } from '../../engine/tensor/latent-npy.js';
import type { LatentValue } from '../pipeline/values.js';
import { chosenSource, sourceFingerprint } from '../file-source.js';

export const loadLatent = defineNode({
  type: 'latent/load',
  title: 'Load Latent',
  category: 'Latent',
  help:
    'Reads a W+ latent from a .npy file (float32, shape (1, num_ws, 512) as StyleGAN projectors and e4e save it; ' +
    '(num_ws, 512) and a single W (1, 512) are accepted too). The shape must fit the connected bundle.',
  inputs: { models: { type: 'Models', label: 'Models' } },
  outputs: { latent: { type: 'Latent', label: 'Latent' } },
  params: {
    source: {
      kind: 'text',
      default: '',
      label: 'File',
      help: 'A URL or data: URL of the .npy file, or (CLI) a file path.',
    },
  },
  // A latent file rewritten on disk (or a changed URL) is read again on the next run.
  fingerprint: sourceFingerprint,
  async run(ctx) {
    const { models } = ctx.inputs;
    const { source, name } = chosenSource(
      ctx.params.source,
      'the chosen latent file',
      'no latent file chosen: enter the path or URL of a .npy file',
    );
    const bytes = await ctx.services.loadBytes(source, ctx.signal);
    const { bundle } = models;
    const latent: LatentValue = {
      kind: 'latent',
      data: decodeLatentNpy(bytes, bundle.latentShape, name),
      shape: bundle.latentShape,
      bundleId: bundle.id,
    };
    ctx.show('latent', { kind: 'value', text: `W+ ${bundle.latentShape.join('×')}` });
    return { latent };
  },
});

export const saveLatent = defineNode({
  type: 'latent/save',
  title: 'Save Latent',
  category: 'Output',
  help:
    'Saves the latent as a NumPy .npy file (float32, shape (1, num_ws, 512)): the browser offers it as a download, ' +
    'the CLI writes it to its output folder. NumPy reads it with numpy.load.',
  inputs: { latent: { type: 'Latent', label: 'Latent' } },
  outputs: {},
  params: {
    filename: {
      kind: 'text',
      default: 'latent.npy',
      label: 'File name',
      help: "Name of the .npy file; '.npy' is added if missing.",
    },
  },
  sink: true,
  async run(ctx) {
    const { latent } = ctx.inputs;
    const bytes = encodeLatentNpy(latent.data, latent.shape);
    const name = npyFileName(ctx.params.filename);
    ctx.emitFile({ name, mime: 'application/octet-stream', bytes });
    ctx.show('file', { kind: 'value', text: `${name} · ${latent.shape.join('×')} · ${bytes.length} B` });
    return {};
  },
});

/** A plain file name: no folders (a graph must not write outside the output folder), ends in .npy. */
export function npyFileName(name: string): string {
  const base = name
    .split(/[\\/]/)
    .pop()!
    .replace(/[<>:"|?*]/g, '_')
    .replace(/\p{Cc}/gu, '_')
    .trim()
    .replace(/^\.+/, '');
  const stem = base === '' ? 'latent' : base;
  return /\.npy$/i.test(stem) ? stem : `${stem}.npy`;
}
