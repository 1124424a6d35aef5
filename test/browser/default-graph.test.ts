// graphs/default.json in headless chromium, in the engine's real Web Worker with onnxruntime-web:
// on the WebGPU execution provider (SwiftShader, a software adapter) and on wasm it gives the same
// edit within tolerance; cancelling mid-optimization leaves the engine ready for the next run; and
// the editor app opens the graph and runs it from the toolbar.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { GraphDocument } from '../../src/engine/graph/document.js';
import type { PageRun } from './default-graph/main.js';
import { collectPageErrors, launchChromium, serveApp, type Served } from './helpers.js';

const BUNDLE = 'models/demo/manifest.json';
/**
 * Enough steps to move the face, few enough to compare back ends: float rounding differences between
 * wasm and WebGPU grow with every step at the ramp's peak learning rate (on the demo bundle, mean
 * pixel difference 5e-8 after 2 steps, 2e-5 after 5, 5e-3 after 10).
 */
const STEPS = 5;

let served: Served;
let browser: Browser;
let page: Page;
let pageErrors: string[];

beforeAll(async () => {
  served = await serveApp('default-graph');
  browser = await launchChromium();
  page = await browser.newPage();
  pageErrors = collectPageErrors(page);
  await page.goto(`${served.url}test/browser/default-graph/index.html`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

/** default.json with the device and the edit's steps set, run in the page's engine worker. */
function runDefault(options: {
  device: 'auto' | 'webgpu' | 'wasm';
  steps: number;
  cancelAfterProgress?: { node: string; events: number };
}): Promise<PageRun> {
  return page.evaluate(
    async ({ device, steps, bundle, cancelAfterProgress }) => {
      const p = (
        window as unknown as {
          __pipeline: { defaultGraph: GraphDocument; run(doc: GraphDocument, o: unknown): Promise<PageRun> };
        }
      ).__pipeline;
      const doc = structuredClone(p.defaultGraph);
      for (const n of doc.nodes) {
        if (n.type === 'models/load') Object.assign(n.params, { device, bundle });
        if (n.type === 'optimize/edit') Object.assign(n.params, { steps, previewEvery: 2 });
      }
      return p.run(doc, { cancelAfterProgress });
    },
    { ...options, bundle: BUNDLE },
  );
}

type ImageSummary = { kind: 'image'; image: { width: number; height: number; data: number[] } };
type BarsSummary = { kind: 'bars'; labels: string[]; before: number[]; after: number[] };

function pixelDifference(a: ImageSummary, b: ImageSummary): { mean: number; max: number } {
  expect([a.image.width, a.image.height]).toEqual([b.image.width, b.image.height]);
  let sum = 0;
  let max = 0;
  a.image.data.forEach((v, i) => {
    const d = Math.abs(v - b.image.data[i]!);
    sum += d;
    max = Math.max(max, d);
  });
  return { mean: sum / a.image.data.length, max };
}

describe('default.json in the browser', () => {
  let wasm: PageRun;

  it('runs on wasm and edits the face', async () => {
    wasm = await runDefault({ device: 'wasm', steps: STEPS });
    expect(wasm.errors).toEqual([]);
    expect(wasm.summary.status).toBe('ok');
    expect(wasm.done.models!.models).toMatchObject({ kind: 'value', text: expect.stringMatching(/ · wasm$/) });
    expect(wasm.done.models!.runtime).toEqual({ kind: 'value', text: 'wasm' });
    expect(wasm.done.models!.note).toEqual({ kind: 'value', text: 'wasm (WebGPU was turned off)' });
    expect(wasm.previews.edit).toBeGreaterThanOrEqual(2);
    const start = wasm.done.decode!.image as ImageSummary;
    const edited = wasm.done.edit!.image as ImageSummary;
    // The edit changed the face, and Compare shows both side by side with the coefficient bars.
    expect(pixelDifference(start, edited).mean).toBeGreaterThan(0.002);
    const comparison = wasm.done.compare!.comparison as ImageSummary;
    expect(comparison.kind).toBe('image');
    expect(comparison.image.width / comparison.image.height).toBeCloseTo(
      (2 * start.image.width + 4) / start.image.height,
      1,
    );
    expect((wasm.done.compare!.coefficients as BarsSummary).labels[0]).toBe('a happy face');
  });

  it('gives the same edit on the WebGPU execution provider (SwiftShader)', async () => {
    const gpu = await runDefault({ device: 'webgpu', steps: STEPS });
    expect(gpu.errors).toEqual([]);
    expect(gpu.summary.status).toBe('ok');
    expect(gpu.done.models!.models).toMatchObject({ kind: 'value', text: expect.stringMatching(/ · WebGPU$/) });
    expect(gpu.done.models!.runtime).toEqual({ kind: 'value', text: 'WebGPU' });
    const difference = pixelDifference(wasm.done.edit!.image as ImageSummary, gpu.done.edit!.image as ImageSummary);
    // Measured here: mean 2e-5, max 2e-4 after 5 steps; the bounds leave room for other GPUs' rounding.
    expect(difference.mean).toBeLessThan(1e-3);
    expect(difference.max).toBeLessThan(0.02);
    const coefficientsAfter = (r: PageRun) => (r.done.edit!.coefficients as BarsSummary).after;
    for (const [k, v] of coefficientsAfter(gpu).entries())
      expect(Math.abs(v - coefficientsAfter(wasm)[k]!)).toBeLessThan(1e-3);
    const losses = (r: PageRun) => ((r.done.edit!.loss as { text: string }).text.match(/\d+\.\d+/g) ?? []).map(Number);
    expect(losses(gpu)).toHaveLength(2);
    for (const [i, v] of losses(gpu).entries()) expect(Math.abs(v - losses(wasm)[i]!)).toBeLessThanOrEqual(1e-3);
  });

  it('cancels mid-optimization and the next run completes, reusing what finished', async () => {
    const cancelled = await runDefault({
      device: 'wasm',
      steps: 400,
      cancelAfterProgress: { node: 'edit', events: 3 },
    });
    expect(cancelled.summary.status).toBe('cancelled');
    expect(cancelled.summary.nodes.edit).toEqual({ status: 'cancelled' });
    expect(cancelled.progress.edit).toBeLessThan(400);
    const again = await runDefault({ device: 'wasm', steps: STEPS + 1 });
    expect(again.errors).toEqual([]);
    expect(again.summary.status).toBe('ok');
    expect(again.summary.nodes).toMatchObject({
      models: { cached: true },
      face: { cached: true },
      pae: { cached: true },
      edit: { status: 'done', cached: false },
    });
  });

  it('logs no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});

describe('the editor app', () => {
  it('opens default.json on first start and Run edits the face, on wasm where WebGPU is only a software adapter', async () => {
    // A fresh context: no autosave, so the app opens the default graph as `npm start` does.
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const app = await context.newPage();
    const errors = collectPageErrors(app);
    try {
      await app.goto(served.url);
      await app.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
      const opened = await app.evaluate(() =>
        (window as unknown as { __app: { clipPae: { toDocument(): GraphDocument } } }).__app.clipPae.toDocument(),
      );
      expect(opened.meta?.title).toBe('Make a random demo face happy');
      expect(opened.nodes).toHaveLength(10);
      await app.locator('clip-pae-toolbar [data-action="run"]').click();
      const status = app.locator('clip-pae-toolbar [data-testid="status"]');
      await expect.poll(() => status.textContent(), { timeout: 200_000, interval: 500 }).toMatch(/^Ran 10 nodes in/);
      await expect.poll(() => app.locator('clip-pae-toolbar [data-testid="runtime"]').textContent()).toBe('wasm');
      const compare = app.locator('#canvas clip-pae-node[data-node-id="compare"]');
      await expect.poll(() => compare.locator('clip-pae-image[data-output="comparison"]').count()).toBe(1);
      await expect.poll(() => compare.locator('clip-pae-bars').count()).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 240_000);
});
