// The model service a host lends to the pipeline nodes under `services.models`: one ONNX runtime
// per device choice and one loaded bundle per (manifest URL, device), shared by every run on the
// engine. Loading a bundle means downloading and checking every model, so it is done once per
// worker (or CLI process), not once per run or per node.
import type { EngineServices } from '../graph/definition.js';
import { sha256Hex } from '../io/read.js';
import { defaultCache, type BundleCache } from '../models/cache.js';
import { loadBundle, type ModelBundle } from '../models/bundle.js';
import { bundleFiles, parseManifest } from '../models/manifest.js';
import { manifestUrl, resolveFile, type LoadBytes, type ProgressCallback } from '../models/source.js';
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
  /**
   * The bundle at `url` (a manifest URL or a bundle folder) on that device, loaded once, and again
   * when `fingerprint` (from fingerprint()) differs from the one it was loaded with.
   */
  load(
    url: string,
    options: { device: Device; signal: AbortSignal; onProgress?: ProgressCallback; fingerprint?: string },
  ): Promise<ModelBundle>;
  /** Changes whenever the manifest or any file it lists changes (a rebuilt bundle). */
  fingerprint(url: string, signal: AbortSignal): Promise<string>;
  /** Releases every session; later loads start afresh. */
  releaseAll(): Promise<void>;
}

export interface ModelServiceOptions {
  loadBytes: LoadBytes;
  fingerprint: EngineServices['fingerprint'];
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
  const bundles = new Map<string, { fingerprint?: string; bundle: Promise<ModelBundle> }>();
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
    load(given, { device, signal, onProgress, fingerprint }) {
      const url = options.resolve ? options.resolve(given) : given;
      const key = `${device} ${url}`;
      const known = bundles.get(key);
      if (known && (fingerprint === undefined || known.fingerprint === fingerprint)) return known.bundle;
      // The bundle was rebuilt: its sessions are of no further use (results made with it are keyed
      // by the old fingerprint, which no run asks for again).
      if (known) void release(known.bundle);
      const b = (async () => {
        cache ??= (options.cache ?? (() => defaultCache()))().catch(() => undefined);
        return loadBundle(url, {
          loadBytes: options.loadBytes,
          runtime: await runtime(device),
          cache: await cache,
          signal,
          onProgress,
          version: fingerprint,
        });
      })();
      // A failed or cancelled load is forgotten, so the next run tries again.
      b.catch(() => {
        if (bundles.get(key)?.bundle === b) bundles.delete(key);
      });
      bundles.set(key, { fingerprint, bundle: b });
      return b;
    },
    async fingerprint(given, signal) {
      const where = manifestUrl(options.resolve ? options.resolve(given) : given);
      let parts: string[];
      try {
        parts = [await options.fingerprint(where, signal)];
      } catch (e) {
        signal.throwIfAborted();
        throw new Error(`cannot read the bundle manifest ${where}: ${(e as Error).message}`);
      }
      let files: string[] = [];
      try {
        files = bundleFiles(parseManifest(await options.loadBytes(where, signal), where)).map((f) => f.file);
      } catch {
        // A broken manifest: loading it says what is wrong; its own fingerprint is enough here.
        signal.throwIfAborted();
      }
      for (const file of files) {
        try {
          parts.push(`${file} ${await options.fingerprint(resolveFile(where, file), signal)}`);
        } catch {
          signal.throwIfAborted();
          parts.push(`${file} missing`);
        }
      }
      return `bundle:${await sha256Hex(parts.join('\n'), 16)}`;
    },
    async releaseAll() {
      const all = [...bundles.values()];
      bundles.clear();
      for (const b of all) await release(b.bundle);
    },
  };
}

async function release(bundle: Promise<ModelBundle>): Promise<void> {
  try {
    await (await bundle).release();
  } catch {
    // A bundle that never loaded holds no sessions.
  }
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
