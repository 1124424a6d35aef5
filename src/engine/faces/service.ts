// The face bundle for nodes: loaded once per runtime and manifest URL and shared by every run on the
// engine, like the model service does for model bundles.
import type { EngineServices } from '../graph/definition.js';
import { modelService } from '../run/models-service.js';
import { createRuntime, type Runtime } from '../tensor/runtime.js';
import { loadFaceNets, type FaceNets } from './nets.js';

const loaded = new WeakMap<Runtime, Map<string, Promise<FaceNets>>>();
let fallbackRuntime: Promise<Runtime> | undefined;

async function runtimeFor(services: EngineServices): Promise<Runtime> {
  if (services.models) return modelService(services).runtime('auto');
  fallbackRuntime ??= createRuntime();
  return fallbackRuntime;
}

/** The face bundle at `url`, loaded through the host's loadBytes on the host's runtime. */
export async function faceNetsFor(services: EngineServices, url: string, signal: AbortSignal): Promise<FaceNets> {
  const runtime = await runtimeFor(services);
  const byUrl = loaded.get(runtime) ?? new Map<string, Promise<FaceNets>>();
  loaded.set(runtime, byUrl);
  let nets = byUrl.get(url);
  if (!nets) {
    nets = loadFaceNets(runtime, url, { loadBytes: services.loadBytes.bind(services) }, { signal });
    // A failed or cancelled load is forgotten, so the next run tries again.
    nets.catch(() => {
      if (byUrl.get(url) === nets) byUrl.delete(url);
    });
    byUrl.set(url, nets);
  }
  return nets;
}
