// The edit bench page: reads the bundle named in ?manifest=, then runs the same measurement as the
// Node side on onnxruntime-web (?backend=wasm turns WebGPU off); bench/edit.ts reads the result.
import { parseManifest } from '../../src/engine/models/manifest.js';
import { resolveFile } from '../../src/engine/models/source.js';
import { createWebRuntime, type WebOrt } from '../../src/engine/tensor/runtime-web.js';
import { fetchBytes, publishResult } from '../page.js';
import { measureEdit } from '../edit-measure.js';

const params = new URLSearchParams(location.search);
const out = document.getElementById('out')!;
let phase = 'loading';

// The wasm heap's size: onnxruntime-web's threaded build makes its (shared) memory in JS, so the
// page keeps a handle on every WebAssembly.Memory made after this point. A heap only grows, so
// its size when a phase ends is the most that phase took of it.
const memories: WebAssembly.Memory[] = [];
const NativeMemory = WebAssembly.Memory;
WebAssembly.Memory = new Proxy(NativeMemory, {
  construct(target, args: [WebAssembly.MemoryDescriptor]) {
    const memory = new target(...args);
    memories.push(memory);
    return memory;
  },
});
const wasmHeapBytes = () => memories.reduce((a, m) => a + m.buffer.byteLength, 0);

/**
 * Names the phase on the console too: the driver samples the renderer's memory per phase, and
 * reads the wasm heap's size at the end of the phase before.
 */
function enter(p: string): void {
  console.log(`bench-wasm ${phase} ${wasmHeapBytes()}`);
  phase = p;
  out.textContent = p;
  console.log(`bench-phase ${p}`);
}

async function run() {
  enter('fetch');
  const where = params.get('manifest')!;
  const manifest = parseManifest(await fetchBytes(where), where);
  // ?build=webgpu runs wasm on the WebGPU bundle's (Asyncify) build, which the app used for wasm
  // before; by default the runtime picks the build, as the app does.
  const build = params.get('build');
  const ort = build === 'webgpu' ? await import('onnxruntime-web/webgpu') : undefined;
  const runtime = await createWebRuntime({
    preferWasm: params.get('backend') === 'wasm',
    ort: ort as unknown as WebOrt | undefined,
  });
  const load = async () => ({
    manifest,
    generator: await fetchBytes(resolveFile(where, manifest.generator.file)),
    clipImage: await fetchBytes(resolveFile(where, manifest.clip.image.file)),
  });
  const row = await measureEdit(load, runtime, {
    steps: Number(params.get('steps') ?? 3),
    forward: params.get('forward') !== 'false',
    onPhase: enter,
  });
  enter('done');
  const threads =
    runtime.backend === 'wasm' || row.backend === 'wasm' ? `, ${runtime.wasmThreads ?? 1} wasm threads` : '';
  return {
    ...row,
    description: `${runtime.description}${threads}, crossOriginIsolated: ${globalThis.crossOriginIsolated}`,
  };
}

publishResult(run(), out, (e) => ({ error: e instanceof Error ? e.message : String(e), phase }));
