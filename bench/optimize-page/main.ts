// The bench page: loads the bundle named in ?bundle= on onnxruntime-web (?backend=wasm turns WebGPU
// off) and runs the same measurement as the Node bench; bench/optimize-browser.ts reads the result.
import { loadBundle } from '../../src/engine/models/index.js';
import { createWebRuntime } from '../../src/engine/tensor/runtime-web.js';
import { fetchBytes, publishResult } from '../page.js';
import { measure } from '../optimize-measure.js';

const params = new URLSearchParams(location.search);
const out = document.getElementById('out')!;

async function run() {
  const runtime = await createWebRuntime({ preferWasm: params.get('backend') === 'wasm' });
  const bundle = await loadBundle(params.get('bundle') ?? 'models/demo', {
    runtime,
    loadBytes: fetchBytes,
  });
  const row = await measure(bundle, Number(params.get('steps') ?? 10));
  await bundle.release();
  return { ...row, runtime: runtime.description };
}

publishResult(run(), out);
