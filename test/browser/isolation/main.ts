// Runs the demo generator on the web runtime's wasm backend and reports whether the page is
// cross-origin isolated and how many threads the runtime asked onnxruntime-web for.
import { hostTensor } from '../../../src/engine/onnx/model.js';
import { createWebRuntime } from '../../../src/engine/tensor/runtime-web.js';

async function run() {
  const runtime = await createWebRuntime({ preferWasm: true });
  const response = await fetch('/models/demo/generator.onnx');
  const session = await runtime.createSession(new Uint8Array(await response.arrayBuffer()), { name: 'generator' });
  const input = session.inputs[0]!;
  const dims = input.dims.map((d) => (typeof d === 'number' ? d : 1));
  const latent = hostTensor('float32', dims, new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(0.1));
  const out = await session.runToHost({ [input.name]: latent });
  await session.release();
  return {
    isolated: globalThis.crossOriginIsolated,
    cores: navigator.hardwareConcurrency,
    threads: runtime.wasmThreads,
    backend: session.backend,
    outputs: Object.keys(out).length,
    // The onnxruntime-web .wasm files the page fetched (file names only).
    wasmFiles: performance
      .getEntriesByType('resource')
      .map((e) => new URL(e.name).pathname.split('/').pop()!)
      .filter((f) => f.endsWith('.wasm')),
  };
}

run().then(
  (result) => Object.assign(window, { __isolation: { result } }),
  (e: unknown) => Object.assign(window, { __isolation: { error: e instanceof Error ? e.message : String(e) } }),
);
