// graphs/global-directions.json in the editor app (headless chromium, the engine's real worker on
// wasm): with auto-run on, dragging Global Direction's α slider redraws the edited face.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { collectPageErrors, launchChromium, REPO_ROOT, serveApp, type Served } from './helpers.js';

let served: Served;
let browser: Browser;
let page: Page;
let pageErrors: string[];

const card = (id: string) => page.locator(`#canvas clip-pae-node[data-node-id="${id}"]`);

/** A digest of the picture Global Direction shows, read from its canvas. */
function shownDigest(): Promise<string> {
  return card('global')
    .locator('clip-pae-image canvas')
    .first()
    .evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let h = 0;
      for (let i = 0; i < d.length; i++) h = (Math.imul(h, 31) + d[i]!) | 0;
      return `${c.width}x${c.height}:${h}`;
    });
}

beforeAll(async () => {
  served = await serveApp('global-directions');
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
  page = await context.newPage();
  pageErrors = collectPageErrors(page);
  await page.goto(served.url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

describe('global directions in the editor', () => {
  it('redraws the face when α is dragged', async () => {
    const doc = JSON.parse(readFileSync(path.join(REPO_ROOT, 'graphs', 'global-directions.json'), 'utf8'));
    // wasm: the test machine has no GPU, and the slider must not wait on a software adapter.
    for (const n of doc.nodes) if (n.type === 'models/load') n.params.device = 'wasm';
    await page.evaluate((d) => (window as any).__app.clipPae.loadDocument(d), doc);
    await page.locator('clip-pae-toolbar input[data-action="auto-run"]').check();
    await page.locator('clip-pae-toolbar [data-action="run"]').click();
    await expect.poll(() => card('global').getAttribute('data-state'), { timeout: 120_000 }).toBe('done');
    const first = await shownDigest();

    const slider = card('global').locator('clip-pae-param[name="alpha"] input[data-testid="slider"]');
    await slider.fill('8');
    await expect
      .poll(
        async () =>
          (await page.evaluate(() => (window as any).__app.clipPae.toDocument())).nodes.find(
            (n: { id: string }) => n.id === 'global',
          ).params.alpha,
      )
      .toBe(8);
    await expect.poll(shownDigest, { timeout: 60_000 }).not.toBe(first);
    await expect.poll(() => card('global').getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
    expect(pageErrors).toEqual([]);
  });
});
