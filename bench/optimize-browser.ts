// Browser rows of the optimize bench: a vite dev server on 127.0.0.1 serves the bench page (and the
// bundle when it is not in public/), headless chromium runs it on wasm and on WebGPU (SwiftShader).
import { join } from 'node:path';
import { chromiumAvailable, launchChromium, serveApp, serveFolder } from '../test/browser/helpers.js';
import type { OptimizeRow } from './optimize.js';
import { benchBundleDir, ROOT } from './optimize-bundle.js';

export async function benchBrowser(steps: number): Promise<OptimizeRow[]> {
  if (!chromiumAvailable()) return [];
  const { dir, label } = await benchBundleDir();
  const bundleUrl = dir.startsWith(join(ROOT, 'public')) ? '/models/demo' : '/bench-bundle';
  const served = await serveApp('bench-optimize', {
    plugins: [serveFolder('/bench-bundle', dir)],
    optimizeEntries: ['bench/optimize-page/index.html'],
  });
  const base = served.url;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  try {
    browser = await launchChromium();
  } catch (e) {
    await served.close();
    throw e;
  }
  const rows: OptimizeRow[] = [];
  try {
    for (const backend of ['wasm', 'webgpu']) {
      const page = await browser.newPage();
      await page.goto(
        `${base}bench/optimize-page/index.html?backend=${backend}&steps=${steps}&bundle=${encodeURIComponent(bundleUrl)}`,
      );
      await page.waitForFunction(() => (window as { __bench?: unknown }).__bench !== undefined, undefined, {
        timeout: 540_000,
        polling: 500,
      });
      const outcome = (await page.evaluate(() => (window as { __bench?: unknown }).__bench)) as {
        result?: OptimizeRow & { runtime: string };
        error?: string;
      };
      await page.close();
      if (outcome.error) throw new Error(`bench page (${backend}): ${outcome.error}`);
      const { runtime, ...row } = outcome.result!;
      rows.push({
        ...row,
        host: 'headless chromium (onnxruntime-web)',
        bundle: label,
        note: `runtime: ${runtime}${backend === 'webgpu' ? ', SwiftShader' : ''}`,
      });
    }
  } finally {
    await browser.close();
    await served.close();
  }
  return rows;
}
