// The slider bench page: the demo bundle on onnxruntime-web wasm, the same measurement as the Node
// row (bench/slider-measure.ts); bench/sliders.ts reads the result.
import { loadBundle } from '../../src/engine/models/index.js';
import { createWebRuntime } from '../../src/engine/tensor/runtime-web.js';
import { measureSlider } from '../slider-measure.js';

const params = new URLSearchParams(location.search);
const out = document.getElementById('out')!;

async function run() {
  const runtime = await createWebRuntime({ preferWasm: true });
  const bundle = await loadBundle('/models/demo/manifest.json', {
    runtime,
    loadBytes: async (url) => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`cannot fetch ${url}: HTTP ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    },
  });
  const row = await measureSlider(bundle, Number(params.get('changes') ?? 40));
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
