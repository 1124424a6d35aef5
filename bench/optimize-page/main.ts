// The bench page: loads the bundle named in ?bundle= on onnxruntime-web (?backend=wasm turns WebGPU
// off) and runs the same measurement as the Node bench; bench/optimize-browser.ts reads the result.
import { loadBundle } from '../../src/engine/models/index.js';
import { createWebRuntime } from '../../src/engine/tensor/runtime-web.js';
import { measure } from '../optimize-measure.js';

const params = new URLSearchParams(location.search);
const out = document.getElementById('out')!;

async function run() {
  const runtime = await createWebRuntime({ preferWasm: params.get('backend') === 'wasm' });
  const bundle = await loadBundle(params.get('bundle') ?? 'models/demo', {
    runtime,
    loadBytes: async (url) => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`cannot fetch ${url}: HTTP ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    },
  });
  const row = await measure(bundle, Number(params.get('steps') ?? 10));
  await bundle.release();
  return { ...row, runtime: runtime.description };
}

run().then(
  (result) => {
    out.textContent = JSON.stringify(result, null, 2);
    Object.assign(window, { __bench: { result } });
  },
  (e: unknown) => {
    out.textContent = String(e);
    Object.assign(window, { __bench: { error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) } });
  },
);
