// The slider bench page: the demo bundle on onnxruntime-web wasm, the same measurement as the Node
// row (bench/slider-measure.ts); bench/sliders.ts reads the result.
import { loadBundle } from '../../src/engine/models/index.js';
import { createWebRuntime } from '../../src/engine/tensor/runtime-web.js';
import { fetchBytes, publishResult } from '../page.js';
import { measureSlider } from '../slider-measure.js';

const params = new URLSearchParams(location.search);
const out = document.getElementById('out')!;

async function run() {
  const runtime = await createWebRuntime({ preferWasm: true });
  const bundle = await loadBundle('/models/demo/manifest.json', {
    runtime,
    loadBytes: fetchBytes,
  });
  const row = await measureSlider(bundle, Number(params.get('changes') ?? 40));
  await bundle.release();
  return { ...row, runtime: runtime.description };
}

publishResult(run(), out);
