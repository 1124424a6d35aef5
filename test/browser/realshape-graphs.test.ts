// The editor app on the reduced-width real-architecture bundle (test/export/realshape-fixture.ts),
// served by the dev server from its temp folder: graphs/default.json edits a face for 2 steps on
// wasm, and graphs/photo-edit.json edits the face of a photo (face-api's sample2.jpg, served from the
// installed package, never copied into the repository) and shows it at the photo's size. Only the
// bundle, the photo and the short runs are set; every node finishes without an error.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphDocument } from '../../src/engine/graph/document.js';
import { realshapeBundle } from '../export/realshape-fixture.js';
import { collectPageErrors, launchChromium, type Served, serveApp, serveFolder } from './helpers.js';

const require = createRequire(import.meta.url);
const samples = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
const BUNDLE = '/realshape-bundle/manifest.json';
/** sample2.jpg's size. */
const PHOTO = { source: '/sample-photos/sample2.jpg', width: 1920, height: 1367 };
/** wasm in headless chromium on two shared cores takes its time. */
const RUN_MS = 400_000;

let served: Served;
let browser: Browser;
let page: Page;
let pageErrors: string[];

const nodeCard = (id: string) => page.locator(`#canvas clip-pae-node[data-node-id="${id}"]`);

function doc(): Promise<GraphDocument> {
  return page.evaluate(() => (window as any).__app.clipPae.toDocument());
}

function setParams(id: string, values: Record<string, unknown>): Promise<void> {
  return page.evaluate(([id, values]) => (window as any).__app.clipPae.setParams(id, values), [id, values] as const);
}

/** Runs from the toolbar until Save Image is through; returns each node's state. */
async function runGraph(): Promise<Record<string, string | null>> {
  await page.locator('clip-pae-toolbar [data-action="run"]').click();
  await expect
    .poll(() => nodeCard('save').getAttribute('data-state'), { timeout: RUN_MS, interval: 1000 })
    .toMatch(/^(done|error|skipped)$/);
  const states: Record<string, string | null> = {};
  for (const n of (await doc()).nodes) states[n.id] = await nodeCard(n.id).getAttribute('data-state');
  return states;
}

/** The size of the PNG Save Image offers for download (what it shows is downscaled to ≤ 256 px). */
async function savedSize(): Promise<[number, number]> {
  const link = nodeCard('save').locator('a[data-testid="download"]');
  await expect(link.count()).resolves.toBe(1);
  return link.evaluate(async (a: HTMLAnchorElement) => {
    const bitmap = await createImageBitmap(await (await fetch(a.href)).blob());
    return [bitmap.width, bitmap.height] as [number, number];
  });
}

/** The size of the picture a node shows for one of its outputs (downscaled to ≤ 256 px). */
function shownSize(id: string, output: string): Promise<[number, number]> {
  return nodeCard(id)
    .locator(`[data-output="${output}"] canvas`)
    .first()
    .evaluate((c: HTMLCanvasElement) => [c.width, c.height] as [number, number]);
}

beforeAll(async () => {
  const bundle = await realshapeBundle();
  served = await serveApp('realshape-graphs', {
    plugins: [serveFolder('/realshape-bundle', bundle), serveFolder('/sample-photos', samples)],
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  pageErrors = collectPageErrors(page);
  await page.goto(served.url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

describe('the editor app on a real-architecture bundle', () => {
  it('runs the default graph’s edit for 2 steps on wasm', { timeout: RUN_MS + 60_000 }, async () => {
    expect((await doc()).meta?.title).toBe('Make a random demo face happy');
    await setParams('models', { bundle: BUNDLE, device: 'wasm' });
    await setParams('edit', { steps: 2, previewEvery: 1 });
    const states = await runGraph();
    for (const [id, state] of Object.entries(states)) expect({ id, state }).toEqual({ id, state: 'done' });
    await expect
      .poll(() => page.locator('clip-pae-toolbar [data-testid="status"]').textContent())
      .toMatch(/^Ran 10 nodes in/);
    expect(await page.locator('clip-pae-toolbar [data-testid="runtime"]').textContent()).toBe('wasm');
    const models = nodeCard('models').locator('.inline-value[data-output="models"] code');
    await expect(models.textContent()).resolves.toMatch(/^realshape-64-w0\.125\b/);
    // The bundle's generator makes 64 px faces: the saved image and both halves of Compare.
    expect(await savedSize()).toEqual([64, 64]);
    expect(await shownSize('save', 'image')).toEqual([64, 64]);
    expect(await shownSize('compare', 'comparison')).toEqual([2 * 64 + 4, 64]);
  });

  it('runs the photo graph on a photo and shows the whole photo edited', { timeout: RUN_MS + 60_000 }, async () => {
    await page.locator('clip-pae-toolbar select[data-action="examples"]').selectOption('photo-edit');
    await expect.poll(async () => (await doc()).meta?.title).toBe('Edit a face in a photo');
    await setParams('models', { bundle: BUNDLE });
    await setParams('photo', { source: PHOTO.source });
    await setParams('edit', { steps: 2, previewEvery: 1 });
    await setParams('invert', { refineSteps: 2 });
    const states = await runGraph();
    // The corpus is the default graph's, kept from the first run.
    for (const [id, state] of Object.entries(states))
      expect({ id, state }).toEqual({ id, state: id === 'corpus' ? 'cached' : 'done' });
    expect(await savedSize()).toEqual([PHOTO.width, PHOTO.height]);
    expect(await shownSize('save', 'image')).toEqual([256, Math.round((256 * PHOTO.height) / PHOTO.width)]);
    // Align Face crops at the encoder's 256 px; the edit is the generator's 64 px.
    expect(await shownSize('align', 'image')).toEqual([256, 256]);
    expect(await shownSize('invert', 'latent')).toEqual([64, 64]);
  });

  it('logs no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
