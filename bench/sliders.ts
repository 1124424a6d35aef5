// Global Direction's live sliders: the cost of one α or β change on the demo bundle, in Node
// (onnxruntime-node) and in headless chromium on wasm (the page bench/sliders-page/).
import { fileURLToPath } from 'node:url';
import { loadBundle } from '../src/engine/models/index.js';
import { createNodeServices } from '../src/engine/run/services-node.js';
import { createNodeRuntime } from '../src/engine/tensor/runtime-node.js';
import { chromiumAvailable, launchChromium, serveApp } from '../test/browser/helpers.js';
import { formatSliderRows, measureSlider, type SliderRow } from './slider-measure.js';

const DEMO = fileURLToPath(new URL('../public/models/demo/', import.meta.url));

export async function benchSliders(options: { browser: boolean; changes?: number }): Promise<SliderRow[]> {
  const changes = options.changes ?? 40;
  const rows: SliderRow[] = [];
  const runtime = await createNodeRuntime();
  const services = createNodeServices({ baseDir: DEMO });
  const bundle = await loadBundle(`${DEMO}manifest.json`, { loadBytes: services.loadBytes, runtime });
  try {
    rows.push({ host: 'Node', runtime: runtime.description, ...(await measureSlider(bundle, changes)) });
  } finally {
    await bundle.release();
  }
  if (!options.browser || !chromiumAvailable()) return rows;
  const served = await serveApp('bench-sliders', { optimizeEntries: ['bench/sliders-page/index.html'] });
  try {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${served.url}bench/sliders-page/index.html?changes=${changes}`);
      await page.waitForFunction(() => (window as { __bench?: unknown }).__bench !== undefined, undefined, {
        timeout: 300_000,
        polling: 250,
      });
      const outcome = (await page.evaluate(() => (window as { __bench?: unknown }).__bench)) as {
        result?: Omit<SliderRow, 'host'>;
        error?: string;
      };
      if (outcome.error) throw new Error(`slider bench page: ${outcome.error}`);
      rows.push({ host: 'headless chromium (onnxruntime-web)', ...outcome.result! });
    } finally {
      await browser.close();
    }
  } finally {
    await served.close();
  }
  return rows;
}

export { formatSliderRows };

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(formatSliderRows(await benchSliders({ browser: !process.argv.includes('--no-browser') })));
}
