// The browser's decoder path of decodeImageFile, in headless Chromium: a JPEG stored sideways
// with an EXIF turn comes out upright, and a WebP decodes, as they do under Node through sharp.
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, serveApp, type Served } from './helpers.js';

let served: Served;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  served = await serveApp('image-decode');
  browser = await launchChromium();
  page = await browser.newPage();
  // Any page of the dev server's origin lets the test import the engine's modules.
  await page.goto(`${served.url}test/browser/host/index.html`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

/**
 * Decodes the bytes with the engine's decodeImageFile in the page: size and the RGB of some
 * pixels. The page script is a string, so vitest leaves its dynamic import for the page to resolve.
 */
async function decodeInPage(bytes: Buffer, points: [number, number][]) {
  const script = `(async () => {
    const { decodeImageFile } = await import('/src/engine/tensor/image-file.ts');
    const raw = Uint8Array.from(atob(${JSON.stringify(bytes.toString('base64'))}), (c) => c.charCodeAt(0));
    const image = await decodeImageFile(raw, 'test image');
    const plane = image.width * image.height;
    const rgb = ${JSON.stringify(points)}.map(([x, y]) =>
      [0, 1, 2].map((c) => Math.round(image.data[c * plane + y * image.width + x] * 255)),
    );
    return { width: image.width, height: image.height, rgb };
  })()`;
  return (await page.evaluate(script)) as { width: number; height: number; rgb: number[][] };
}

/** Left half red, right half blue. */
function halves(width: number, height: number) {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) raw.set(x < width / 2 ? [230, 20, 20] : [20, 20, 230], (y * width + x) * 3);
  return sharp(raw, { raw: { width, height, channels: 3 } });
}

describe('decoding photos in the browser', () => {
  it('turns a JPEG stored sideways upright by its EXIF orientation', async () => {
    const jpeg = await halves(40, 20).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const { width, height, rgb } = await decodeInPage(jpeg, [
      [10, 5],
      [10, 34],
    ]);
    expect([width, height]).toEqual([20, 40]);
    expect(rgb[0]![0]).toBeGreaterThan(200);
    expect(rgb[0]![2]).toBeLessThan(50);
    expect(rgb[1]![2]).toBeGreaterThan(200);
    expect(rgb[1]![0]).toBeLessThan(50);
  }, 60_000);

  it('reads a lossless WebP exactly', async () => {
    const webp = await halves(16, 8).webp({ lossless: true }).toBuffer();
    const { width, height, rgb } = await decodeInPage(webp, [
      [2, 3],
      [13, 3],
    ]);
    expect([width, height]).toEqual([16, 8]);
    expect(rgb).toEqual([
      [230, 20, 20],
      [20, 20, 230],
    ]);
  }, 60_000);
});
