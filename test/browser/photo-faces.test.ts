// A person's photo through the editor: the photo-edit example, a photo with three faces dropped
// onto Load Image (face-api's sample1.jpg, read from the installed package, never copied into the
// repository), a run, then a click on another face's box in Detect Faces' preview, which chooses
// that face as one undoable edit, and a second run that edits that face instead.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphDocument } from '../../src/engine/graph/document.js';
import { collectPageErrors, launchChromium, serveApp, type Served } from './helpers.js';

const require = createRequire(import.meta.url);
const sample1 = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', 'sample1.jpg');
/** A long graph on two shared cores: wasm in headless chromium takes its time. */
const RUN_MS = 400_000;

let served: Served;
let browser: Browser;
let page: Page;
let pageErrors: string[];

const nodeCard = (id: string) => page.locator(`#canvas clip-pae-node[data-node-id="${id}"]`);

async function doc(): Promise<GraphDocument> {
  return page.evaluate(() => (window as any).__app.clipPae.toDocument());
}

async function params(id: string): Promise<Record<string, unknown>> {
  return (await doc()).nodes.find((n) => n.id === id)!.params;
}

/** A cheap fingerprint of what a node's canvas shows: its size and the sum of its pixels. */
async function shownPixels(id: string, output: string): Promise<string> {
  return nodeCard(id)
    .locator(`clip-pae-image[data-output="${output}"] canvas`)
    .evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let sum = 0;
      for (let i = 0; i < d.length; i++) sum += d[i]! * ((i % 97) + 1);
      return `${c.width}×${c.height}:${sum}`;
    });
}

async function runAndWait(): Promise<void> {
  await page.locator('clip-pae-toolbar [data-action="run"]').click();
  await expect
    .poll(() => nodeCard('save').getAttribute('data-state'), { timeout: RUN_MS, interval: 1000 })
    .toMatch(/^(done|error|skipped)$/);
  expect(await nodeCard('save').getAttribute('data-state')).toBe('done');
  expect(await nodeCard('compare').getAttribute('data-state')).toBe('done');
}

beforeAll(async () => {
  served = await serveApp('photo-faces');
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  pageErrors = collectPageErrors(page);
  await page.goto(served.url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

describe('a photo with several faces in the editor', () => {
  it('edits the face clicked in Detect Faces’ preview', { timeout: 2 * RUN_MS + 120_000 }, async () => {
    await page.locator('clip-pae-toolbar select[data-action="examples"]').selectOption('photo-edit');
    await expect.poll(async () => (await doc()).meta?.title).toBe('Edit a face in a photo');
    // Few steps: the point is which face is edited, not how well.
    await page.evaluate(async () => {
      const clipPae = (window as any).__app.clipPae;
      await clipPae.setParam('edit', 'steps', 1);
      await clipPae.setParam('edit', 'previewEvery', 1);
      await clipPae.setParam('invert', 'refineSteps', 0);
    });

    // Drop the photo onto Load Image, as a file from the desktop.
    const bytes = (await readFile(sample1)).toString('base64');
    const dataTransfer = await page.evaluateHandle((b64) => {
      const raw = atob(b64);
      const data = new Uint8Array(raw.length);
      for (let i = 0; i < raw.length; i++) data[i] = raw.charCodeAt(i);
      const transfer = new DataTransfer();
      transfer.items.add(new File([data], 'sample1.jpg', { type: 'image/jpeg' }));
      return transfer;
    }, bytes);
    await nodeCard('photo').locator('clip-pae-image-picker .zone').dispatchEvent('drop', { dataTransfer });
    await expect.poll(async () => String((await params('photo')).source)).toMatch(/^data:image\/jpeg;base64,/);

    await runAndWait();
    // 'largest' chose face 2 of sample1's three (the one on the right).
    const chosen = nodeCard('detect').locator('.inline-value[data-output="face"] code');
    await expect(chosen.textContent()).resolves.toMatch(/^3 faces; face 2 \(score/);
    const regions = nodeCard('detect').locator('clip-pae-image[data-output="faces"] [data-testid="region"]');
    await expect(regions.count()).resolves.toBe(3);
    const before = await shownPixels('compare', 'comparison');
    // The clickable box lies over the face as drawn: sample1's second face is at (838, 421), 186 × 228 of 1920 × 1280.
    const picture = (await nodeCard('detect').locator('clip-pae-image[data-output="faces"] canvas').boundingBox())!;
    const box = (await regions.nth(1).boundingBox())!;
    const at = [
      (box.x - picture.x) / picture.width,
      (box.y - picture.y) / picture.height,
      box.width / picture.width,
      box.height / picture.height,
    ];
    const expected = [838.1 / 1920, 420.7 / 1280, 186.4 / 1920, 227.8 / 1280];
    for (const [i, v] of at.entries()) expect(Math.abs(v - expected[i]!)).toBeLessThan(0.02);
    await nodeCard('detect').screenshot({ path: '/tmp/rete-clip-pae-detect-faces.png' });

    // Click the second face's box: Detect Faces now chooses it by index.
    await regions.nth(1).click();
    await expect.poll(async () => params('detect')).toMatchObject({ pick: 'index', index: 1 });
    await runAndWait();
    await expect(chosen.textContent()).resolves.toMatch(/^3 faces; face 1 \(score/);
    const after = await shownPixels('compare', 'comparison');
    expect(after).not.toBe(before);

    // Both params came as one edit: one undo takes both back.
    await page.keyboard.press('Control+z');
    await expect.poll(async () => params('detect')).toMatchObject({ pick: 'largest', index: 0 });
    expect(pageErrors).toEqual([]);
  });
});
