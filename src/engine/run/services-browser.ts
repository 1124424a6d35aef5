// What the engine lends to nodes in the browser (inside the engine's worker): bytes by fetch,
// relative URLs resolved against the app's base (not the worker script's URL), data: URLs
// decoded directly. Further services (model bundles, the ONNX runtime) are added by key.
import type { EngineServices } from '../graph/definition.js';
import { createRuntime } from '../tensor/runtime.js';
import { decodeDataUrl, isDataUrl } from './data-url.js';
import { createModelService, MODEL_SERVICE_KEY } from './models-service.js';
import { readResponse } from './read-response.js';

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

export function createBrowserServices(options: BrowserServicesOptions = {}): EngineServices {
  const loadBytes: EngineServices['loadBytes'] = async (url, signal, onProgress) => {
    signal.throwIfAborted();
    if (isDataUrl(url)) return decodeDataUrl(url);
    const absolute = new URL(url, options.base ?? defaultAppBase()).href;
    let response: Response;
    try {
      response = await fetch(absolute, { signal });
    } catch (e) {
      if (signal.aborted) throw e;
      throw new Error(`cannot load ${url}: ${(e as Error).message}`);
    }
    if (!response.ok) throw new Error(`cannot load ${url}: HTTP ${response.status} ${response.statusText}`);
    return readResponse(response, onProgress);
  };
  // The WebGPU execution provider when the browser has an adapter, wasm otherwise or when asked.
  // Bundle URLs are made absolute against the app, so the model cache keys do not depend on where
  // the worker script happens to live.
  const models = createModelService({
    loadBytes,
    createRuntime: (device) => createRuntime({ preferWasm: device === 'wasm' }),
    resolve: (url) => (isDataUrl(url) ? url : new URL(url, options.base ?? defaultAppBase()).href),
  });
  return { [MODEL_SERVICE_KEY]: models, ...options.extra, loadBytes };
}
