// onnxruntime-web behind the Runtime interface: the native WebGPU execution provider when the
// browser has a WebGPU adapter and the model loads on it, wasm otherwise. Each session reports the
// backend it really got, so the UI can show it.
import { createOrtSession, type OrtModule } from './runtime-ort.js';
import type { Backend, Runtime, RuntimeOptions, Session, SessionOptions } from './runtime.js';

type WasmEnv = { wasmPaths?: unknown; numThreads?: number };
export type WebOrt = OrtModule & { env?: { wasm?: WasmEnv } };

export interface WebRuntimeOptions extends RuntimeOptions {
  /** An already imported onnxruntime-web module (tests in Node pass the plain wasm build). */
  ort?: WebOrt;
}

/**
 * Threads for wasm: every core in a cross-origin isolated page or worker (onnxruntime-web's own
 * default takes half of them, at most 4), one elsewhere, where it could not start more anyway.
 */
export function wasmThreadCount(): number {
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  if (!g.crossOriginIsolated) return 1;
  return Math.max(1, g.navigator?.hardwareConcurrency ?? 1);
}

interface GpuLike {
  requestAdapter(): Promise<unknown>;
}

/** Why WebGPU cannot be used here, or undefined when an adapter is available. */
async function webGpuUnavailable(): Promise<string | undefined> {
  const gpu = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  if (!gpu) return 'this browser has no WebGPU (navigator.gpu is missing)';
  try {
    return (await gpu.requestAdapter()) ? undefined : 'no WebGPU adapter is available';
  } catch (e) {
    return `requesting a WebGPU adapter failed: ${(e as Error).message}`;
  }
}

/**
 * The onnxruntime-web build for the backend. Where WebGPU will not be used, the plain wasm build:
 * the WebGPU bundle's wasm is compiled with Asyncify (so a run can wait on the GPU), twice the
 * download (26.8 against 14.2 MB), and created the 256 px edit objective's session 1.6–2.8× slower
 * for the same step time (bench/README.md, chromium wasm against onnxruntime-node).
 */
async function importOrt(wasmOnly: boolean): Promise<WebOrt> {
  return (wasmOnly
    ? await import('onnxruntime-web/wasm')
    : await import('onnxruntime-web/webgpu')) as unknown as WebOrt;
}

export async function createWebRuntime(options: WebRuntimeOptions = {}): Promise<Runtime> {
  const unavailable = options.preferWasm ? 'WebGPU was turned off' : await webGpuUnavailable();
  const backend: Backend = unavailable ? 'wasm' : 'webgpu';
  const ort = options.ort ?? (await importOrt(unavailable !== undefined));
  if (options.wasmPaths && ort.env?.wasm) ort.env.wasm.wasmPaths = options.wasmPaths;
  // Read when the wasm module starts (the first session); a module already started keeps its count.
  const wasmThreads = wasmThreadCount();
  if (ort.env?.wasm) ort.env.wasm.numThreads = wasmThreads;
  return {
    backend,
    description: unavailable ? `wasm (${unavailable})` : 'WebGPU',
    wasmThreads,
    externalData: true,
    async createSession(model: Uint8Array, sessionOptions: SessionOptions): Promise<Session> {
      if (unavailable) return createOrtSession(ort, model, sessionOptions, 'wasm', ['wasm'], unavailable);
      try {
        return await createOrtSession(ort, model, sessionOptions, 'webgpu', ['webgpu']);
      } catch (e) {
        // A model with an op the WebGPU EP cannot place still runs, slower, on wasm.
        return createOrtSession(
          ort,
          model,
          sessionOptions,
          'wasm',
          ['wasm'],
          `WebGPU could not load it: ${(e as Error).message}`,
        );
      }
    },
  };
}
