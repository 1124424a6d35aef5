// The app's dev server sends the cross-origin isolation headers, so the page may use
// SharedArrayBuffer and onnxruntime-web's wasm runs a model on more than one thread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, serveApp, type Served } from './helpers.js';

let served: Served;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  served = await serveApp('isolation');
  browser = await launchChromium();
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

/** Dedicated workers alive in the browser (onnxruntime-web's wasm threads are workers). */
async function workerCount(): Promise<number> {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { targetInfos } = await cdp.send('Target.getTargets');
    return targetInfos.filter((t) => t.type === 'worker').length;
  } finally {
    await cdp.detach();
  }
}

describe('cross-origin isolation', () => {
  it('serves the app and its worker with COOP same-origin and COEP require-corp', async () => {
    for (const path of ['', 'src/host/worker.ts']) {
      const response = await fetch(`${served.url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(response.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    }
  });

  it('runs wasm on more than one thread in an isolated page', async () => {
    await page.goto(`${served.url}test/browser/isolation/index.html`);
    await page.waitForFunction(() => (window as { __isolation?: unknown }).__isolation !== undefined, undefined, {
      timeout: 120_000,
    });
    const outcome = (await page.evaluate(() => (window as { __isolation?: unknown }).__isolation)) as {
      result?: {
        isolated: boolean;
        cores: number;
        threads: number;
        backend: string;
        outputs: number;
        wasmFiles: string[];
      };
      error?: string;
    };
    expect(outcome.error).toBeUndefined();
    const r = outcome.result!;
    expect(r.isolated).toBe(true);
    expect(r.backend).toBe('wasm');
    expect(r.outputs).toBeGreaterThan(0);
    // With WebGPU off the runtime loads the plain wasm build, not the WebGPU bundle's Asyncify one
    // (larger, and slower to create sessions: bench/README.md).
    expect(r.wasmFiles).toEqual(['ort-wasm-simd-threaded.wasm']);
    // Chromium reports the machine's cores; every test machine has at least two.
    expect(r.cores).toBeGreaterThan(1);
    expect(r.threads).toBe(r.cores);
    // onnxruntime-web started its thread pool: one worker per thread besides the calling one.
    expect(await workerCount()).toBeGreaterThanOrEqual(r.threads - 1);
  });
});
