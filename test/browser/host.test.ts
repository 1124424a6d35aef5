// The plugin on its own: a minimal second host page (test/browser/host/) gets the nodes, typed
// sockets, palette, lit rendering, undo and worker runs from setupClipPae and the package entry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { collectPageErrors, dragWire, launchChromium, paletteTypes, serveApp, type Served } from './helpers.js';
import type { GraphDocument } from '../../src/engine/graph/document.js';

let served: Served;
let browser: Browser;
let page: Page;
let pageErrors: string[];

const card = (type: string) => page.locator(`#editor clip-pae-node[data-type="${type}"]`);
const dot = (type: string, side: 'in' | 'out', key: string) =>
  card(type)
    .first()
    .locator(`.port.${side}[data-${side === 'in' ? 'input' : 'output'}="${key}"] clip-pae-socket .dot`);

async function doc(): Promise<GraphDocument> {
  return page.evaluate(() => (window as any).__host.clipPae.toDocument());
}

beforeAll(async () => {
  served = await serveApp('host');
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  pageErrors = collectPageErrors(page);
  await page.goto(`${served.url}test/browser/host/index.html`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

describe('the plugin in a host of its own', () => {
  it('draws the nodes the host added, with coloured sockets and the wire between them', async () => {
    await expect.poll(() => page.locator('#editor clip-pae-node').count()).toBe(3);
    expect(await card('image/load').locator('.title .name').textContent()).toBe('Load Image');
    const colour = await dot('image/load', 'out', 'image').evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(colour).toBe('rgb(76, 175, 80)'); // SOCKET_TYPES.Image
    expect(await page.locator('#editor clip-pae-connection').count()).toBe(1);
    // The relative image path resolves against the app (as the engine reads it), not this page.
    const thumb = card('image/load').locator('clip-pae-image-picker img');
    await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(320);
  });

  it('leaves the host’s own nodes in Rete’s stock look and out of the document', async () => {
    await expect.poll(() => page.locator('#editor rete-node').count()).toBe(1);
    expect(await page.locator('#editor rete-node [data-testid="title"]').textContent()).toBe('Host note');
    expect((await doc()).nodes.map((n) => n.type).sort()).toEqual(['image/load', 'image/preview', 'value/number']);
  });

  it('offers only the host’s catalogue in its palette, and a palette drag adds a node', async () => {
    expect(await paletteTypes(page)).toEqual([
      'image/load',
      'image/preview',
      'image/resize',
      'image/save',
      'value/number',
      'value/text',
    ]);
    await page
      .locator('clip-pae-palette .slot[data-type="image/resize"]')
      .dragTo(page.locator('#editor'), { targetPosition: { x: 700, y: 500 } });
    await expect.poll(async () => (await doc()).nodes.map((n) => n.type)).toContain('image/resize');
  });

  it('refuses a Number wire into an Image input, then connects Image to Image', async () => {
    await dragWire(page, dot('value/number', 'out', 'value'), dot('image/resize', 'in', 'image'));
    await expect.poll(() => page.evaluate(() => (window as any).__host.refused.length)).toBe(1);
    expect((await doc()).connections).toHaveLength(1);

    await dragWire(page, dot('image/load', 'out', 'image'), dot('image/resize', 'in', 'image'));
    await expect.poll(async () => (await doc()).connections.length).toBe(2);
  });

  it('undoes with Ctrl+Z in the host page too', async () => {
    await page.mouse.click(1150, 760);
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await doc()).connections.length).toBe(1);
  });

  it('takes an image for Load Image from a dropped file or a typed URL', async () => {
    const picker = card('image/load').locator('clip-pae-image-picker .zone');
    const source = async () => (await doc()).nodes.find((n) => n.type === 'image/load')!.params.source as string;
    const dataTransfer = await page.evaluateHandle(async () => {
      const bytes = await (await fetch('/images/test-pattern.png')).blob();
      const data = new DataTransfer();
      data.items.add(new File([bytes], 'pattern.png', { type: 'image/png' }));
      return data;
    });
    await picker.dispatchEvent('drop', { dataTransfer });
    await expect.poll(source).toMatch(/^data:image\/png;base64,/);
    expect(await page.locator('#editor clip-pae-node').count()).toBe(4); // a dropped image is not a graph to open

    const url = card('image/load').locator('clip-pae-image-picker input[type="url"]');
    await url.fill('images/test-pattern.png?again');
    await url.press('Enter');
    await expect.poll(source).toBe('images/test-pattern.png?again');
  });

  it('runs the graph in the engine worker and shows the picture on the Preview node', async () => {
    const summary = await page.evaluate(() => (window as any).__host.run());
    expect(summary.status).toBe('ok');
    const shown = card('image/preview').locator('clip-pae-image canvas').first();
    await shown.waitFor();
    const size = await shown.evaluate((c: HTMLCanvasElement) => [c.width, c.height]);
    expect(size).toEqual([256, 192]); // the 320 × 240 test pattern, summarized to at most 256 px
    expect(await card('image/preview').getAttribute('data-state')).toBe('done');
    await page.screenshot({ path: '/tmp/rete-clip-pae-host.png' });
    expect(pageErrors).toEqual([]);
  });
});
