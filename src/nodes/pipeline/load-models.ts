// Load Models: the start of every pipeline graph. One bundle (generator, CLIP towers, tokenizer,
// optional encoder) from a manifest URL, loaded once per worker by the host's model service.
import { defineNode } from '../../engine/graph/definition.js';
import { DEVICES, modelService } from '../../engine/run/models-service.js';
import { backendLabel, type ModelsValue } from './values.js';

export const loadModels = defineNode({
  type: 'models/load',
  title: 'Load Models',
  category: 'Models',
  help:
    'Loads a model bundle: a folder with manifest.json, the generator, the CLIP image and text towers, their tokenizer and optionally an encoder. ' +
    'The demo bundle ships with the app; any other bundle in the same format works (a URL, or a path in the CLI). ' +
    'Files are cached after the first download. The node (and the toolbar) shows where the models run: WebGPU, wasm, or cpu in the CLI.',
  inputs: {},
  outputs: { models: { type: 'Models', label: 'Models' } },
  params: {
    bundle: {
      kind: 'text',
      default: 'models/demo/manifest.json',
      label: 'Bundle',
      help: "The bundle's manifest.json (or its folder): a URL relative to the app, an absolute URL, or a file path in the CLI.",
    },
    device: {
      kind: 'select',
      options: DEVICES,
      default: 'auto',
      label: 'Device',
      help:
        "'auto': WebGPU on a hardware GPU, wasm otherwise (a software WebGPU adapter is slower than wasm); 'webgpu': any WebGPU adapter; 'wasm': never WebGPU. " +
        "The CLI always runs on onnxruntime-node's CPU provider.",
    },
  },
  // A rebuilt bundle (a changed manifest or model file) is loaded again on the next run.
  async fingerprint(ctx) {
    const url = ctx.params.bundle.trim();
    return url === '' ? undefined : modelService(ctx.services).fingerprint(url, ctx.signal);
  },
  async run(ctx) {
    const url = ctx.params.bundle.trim();
    if (url === '') throw new Error('no bundle chosen: enter the URL or path of a manifest.json');
    ctx.progress(0, 'loading models');
    const service = modelService(ctx.services);
    const runtime = await service.runtime(ctx.params.device);
    const bundle = await service.load(url, {
      device: ctx.params.device,
      signal: ctx.signal,
      fingerprint: ctx.fingerprint,
      onProgress: (loaded, total) =>
        ctx.progress(total > 0 ? 0.9 * (loaded / total) : 0, `downloading ${formatMb(loaded)} of ${formatMb(total)}`),
    });
    ctx.progress(0.9, 'starting the generator');
    // Opening the generator's session here tells which backend really runs (WebGPU can fall back to
    // wasm per model) and takes that wait off the first edit.
    const generator = await bundle.session('generator');
    const models: ModelsValue = {
      kind: 'models',
      bundle,
      device: ctx.params.device,
      backend: generator.backend,
      cacheBytes: 0,
    };
    ctx.show('models', { kind: 'value', text: `${bundle.name} · ${backendLabel(generator.backend)}` });
    // 'runtime' feeds the editor's toolbar indicator; the note says why, when it is not the obvious choice.
    ctx.show('runtime', { kind: 'value', text: backendLabel(generator.backend) });
    const why =
      generator.backend !== runtime.backend && generator.fallbackReason
        ? generator.fallbackReason
        : runtime.backend === 'wasm' && runtime.description !== 'wasm'
          ? runtime.description
          : undefined;
    if (why) ctx.show('note', { kind: 'value', text: why });
    // A cache that refused a file did not fail the load, but the user should know it is not kept.
    if (bundle.warnings.length > 0) ctx.show('cache', { kind: 'value', text: bundle.warnings.join('\n') });
    return { models };
  },
});

function formatMb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
