// The model service a host lends to the pipeline nodes under `services.models`: one ONNX runtime
// per device choice and one loaded bundle per (manifest URL, device), shared by every run on the
// engine. Loading a bundle means downloading and checking every model, so it is done once per
// worker (or CLI process), not once per run or per node.
import type { EngineServices } from '../graph/definition.js';
import { defaultCache, type BundleCache } from '../models/cache.js';
import { loadBundle, type ModelBundle } from '../models/bundle.js';
import type { LoadBytes, ProgressCallback } from '../models/source.js';
import type { Runtime } from '../tensor/runtime.js';

/**
 * Where models run in a browser: `auto` takes WebGPU on a hardware adapter and wasm otherwise (a
 * software adapter such as SwiftShader is slower than wasm), `webgpu` takes any WebGPU adapter,
 * `wasm` never uses WebGPU. Node has one device, onnxruntime-node's CPU provider.
 */
export const DEVICES = ['auto', 'webgpu', 'wasm'] as const;
export type Device = (typeof DEVICES)[number];

export interface ModelService {
  /** The runtime for a device choice, created on first use. */
  runtime(device: Device): Promise<Runtime>;
  /** The bundle at `url` (a manifest URL or a bundle folder) on that device, loaded once. */
  load(
    url: string,
    options: { device: Device; signal: AbortSignal; onProgress?: ProgressCallback },
  ): Promise<ModelBundle>;
  /** Releases every session; later loads start afresh. */
  releaseAll(): Promise<void>;
}

export interface ModelServiceOptions {
  loadBytes: LoadBytes;
  createRuntime(device: Device): Promise<Runtime>;
  /** Makes a bundle URL absolute (the browser resolves against the app); default: as given. */
  resolve?: (url: string) => string;
  /** Where downloaded model files are kept (default: the host's, see defaultCache). */
  cache?: () => Promise<BundleCache | undefined>;
}

/** The key nodes find the service under in EngineServices. */
export const MODEL_SERVICE_KEY = 'models';

export function createModelService(options: ModelServiceOptions): ModelService {
  const runtimes = new Map<Device, Promise<Runtime>>();
  const bundles = new Map<string, Promise<ModelBundle>>();
  let cache: Promise<BundleCache | undefined> | undefined;

  const runtime = (device: Device): Promise<Runtime> => {
    let r = runtimes.get(device);
    if (!r) {
      r = options.createRuntime(device);
      r.catch(() => runtimes.delete(device));
      runtimes.set(device, r);
    }
    return r;
  };

  return {
    runtime,
    load(given, { device, signal, onProgress }) {
      const url = options.resolve ? options.resolve(given) : given;
      const key = `${device} ${url}`;
      let b = bundles.get(key);
      if (!b) {
        b = (async () => {
          cache ??= (options.cache ?? (() => defaultCache()))().catch(() => undefined);
          return loadBundle(url, {
            loadBytes: options.loadBytes,
            runtime: await runtime(device),
            cache: await cache,
            signal,
            onProgress,
          });
        })();
        // A failed or cancelled load is forgotten, so the next run tries again.
        b.catch(() => {
          if (bundles.get(key) === b) bundles.delete(key);
        });
        bundles.set(key, b);
      }
      return b;
    },
    async releaseAll() {
      const all = [...bundles.values()];
      bundles.clear();
      for (const b of all) {
        try {
          await (await b).release();
        } catch {
          // A bundle that never loaded holds no sessions.
        }
      }
    },
  };
}

/** The host's model service, or a clear error for a host that was set up without one. */
export function modelService(services: EngineServices): ModelService {
  const service = services[MODEL_SERVICE_KEY] as ModelService | undefined;
  if (!service || typeof service.load !== 'function') {
    throw new Error(
      `this host has no model service (services.${MODEL_SERVICE_KEY}); create the engine with createNodeServices() or the browser worker`,
    );
  }
  return service;
}
