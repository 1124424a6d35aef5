// Load Models: the start of every pipeline graph. One bundle (generator, CLIP towers, tokenizer,
// optional encoder) from a manifest URL, a path or a folder kept in the browser, loaded once per
// worker by the host's model service. It shows the bundle's licence and whether a model card comes with it.
import { defineNode, type EngineServices } from '../../engine/graph/definition.js';
import { manifestUrl, resolveFile } from '../../engine/models/source.js';
import { DEVICES, modelService } from '../../engine/run/models-service.js';
import { backendLabel, type ModelsValue } from './values.js';
import { formatMb } from '../../engine/bytes.js';

export const loadModels = defineNode({
  type: 'models/load',
  title: 'Load Models',
  category: 'Models',
  help:
    'Loads a model bundle: a folder with manifest.json, the generator, the CLIP image and text towers, their tokenizer and optionally an encoder. ' +
    'The demo bundle ships with the app; any other bundle in the same format works (a URL, or a path in the CLI). ' +
    'In the app, Open folder… (or dropping a folder on the node) copies a bundle folder into the browser, where it is kept across reloads as folder:<name>/manifest.json; the models panel lists and removes kept folders. ' +
    'Downloaded files are cached after the first download (kept folders are not: they are already in the browser). ' +
    "The node shows the bundle's licence (the manifest's license) and whether a MODEL_CARD.md comes with it, and (with the toolbar) where the models run: WebGPU, wasm, or cpu in the CLI.",
  inputs: {},
  outputs: { models: { type: 'Models', label: 'Models' } },
  params: {
    bundle: {
      kind: 'bundle',
      default: 'models/demo/manifest.json',
      label: 'Bundle',
      help:
        "The bundle's manifest.json (or its folder): a URL relative to the app, an absolute URL, a file path in the CLI, " +
        "or folder:<name>/manifest.json for a folder opened in the app (kept in this browser's storage; the CLI needs the folder's path instead).",
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
    if (url === '')
      throw new Error('no bundle chosen: enter the URL or path of a manifest.json, or open a bundle folder');
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
    const card = (await hasModelCard(ctx.services, url, ctx.signal)) ? 'model card: MODEL_CARD.md' : 'no model card';
    ctx.show('license', {
      kind: 'value',
      text: `Licence: ${bundle.manifest.license ?? 'not stated in the manifest'} · ${card}`,
    });
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

/** Whether MODEL_CARD.md sits next to the manifest (read through the host, as the bundle's files are). */
async function hasModelCard(services: EngineServices, bundle: string, signal: AbortSignal): Promise<boolean> {
  try {
    await services.fingerprint(resolveFile(manifestUrl(bundle), 'MODEL_CARD.md'), signal);
    return true;
  } catch {
    signal.throwIfAborted();
    return false;
  }
}
