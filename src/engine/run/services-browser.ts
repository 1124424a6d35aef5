// What the engine lends to nodes in the browser (inside the engine's worker): bytes by fetch,
// relative URLs resolved against the app's base (not the worker script's URL), data: URLs
// decoded directly, folder: URLs read from the bundle folders kept in the origin private file system. Further services (model bundles, the ONNX runtime) are added by key.
import type { EngineServices } from '../graph/definition.js';
import { isDataUrl } from '../io/data-url.js';
import { readUrl, urlFingerprint } from '../io/read.js';
import { isFolderSource } from '../models/folders.js';
import { keptFileFingerprint, readKeptFile } from '../models/kept-folders.js';
import { createRuntime, type Runtime } from '../tensor/runtime.js';
import { createModelService, MODEL_SERVICE_KEY, type Device } from './models-service.js';

export interface BrowserServicesOptions {
  /** The app's base URL; relative URLs such as `models/demo/manifest.json` resolve against it. */
  base?: string;
  extra?: Record<string, unknown>;
}

/**
 * The app's base URL as the bundler knows it. In a worker, `location` is the worker script, so
 * only its origin is used, joined with the configured base path.
 */
export function defaultAppBase(): string {
  const basePath = (import.meta as { env?: { BASE_URL?: string } }).env?.BASE_URL ?? '/';
  return new URL(basePath, globalThis.location?.origin ?? 'http://localhost/').href;
}

/** The description of a software-only WebGPU adapter (SwiftShader), or undefined for a hardware one or none. */
async function softwareAdapter(): Promise<string | undefined> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
  if (!gpu) return undefined;
  try {
    const adapter = (await gpu.requestAdapter()) as {
      isFallbackAdapter?: boolean;
      info?: { isFallbackAdapter?: boolean; architecture?: string };
    } | null;
    if (adapter && (adapter.info?.isFallbackAdapter || adapter.isFallbackAdapter))
      return adapter.info?.architecture || 'software';
  } catch {
    // No adapter: createRuntime finds that out itself and says so.
  }
  return undefined;
}

/** The runtime for a device choice: see DEVICES for what `auto` picks. */
async function browserRuntime(device: Device): Promise<Runtime> {
  if (device === 'wasm') return createRuntime({ preferWasm: true });
  if (device === 'auto') {
    const software = await softwareAdapter();
    if (software) {
      const runtime = await createRuntime({ preferWasm: true });
      return {
        ...runtime,
        description: `wasm (the only WebGPU adapter is ${software}, a software one that is slower than wasm; choose device 'webgpu' to use it anyway)`,
      };
    }
  }
  return createRuntime();
}

export function createBrowserServices(options: BrowserServicesOptions = {}): EngineServices {
  // Bundle and image URLs are made absolute against the app, so the model cache keys do not depend
  // on where the worker script happens to live.
  const absolute = (url: string) =>
    isDataUrl(url) || isFolderSource(url) ? url : new URL(url, options.base ?? defaultAppBase()).href;
  const loadBytes: EngineServices['loadBytes'] = async (url, signal, onProgress) =>
    isFolderSource(url)
      ? readKeptFile(url, signal, onProgress)
      : (await readUrl(absolute(url), { signal, onProgress })).bytes;
  const fingerprint: EngineServices['fingerprint'] = (url, signal) =>
    isFolderSource(url) ? keptFileFingerprint(url, signal) : urlFingerprint(absolute(url), signal);
  const models = createModelService({ loadBytes, fingerprint, createRuntime: browserRuntime, resolve: absolute });
  return { [MODEL_SERVICE_KEY]: models, ...options.extra, loadBytes, fingerprint };
}
