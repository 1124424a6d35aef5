// The editor app in headless chromium, driven the way a user drives it: drag from the palette,
// wire sockets, type into controls, press keys, click the toolbar, open and save files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { collectPageErrors, dragWire as dragWireOnPage, launchChromium, serveApp, type Served } from './helpers.js';
import type { GraphDocument } from '../../src/engine/graph/document.js';
import { parseDocument } from '../../src/engine/graph/validate.js';
import { GRAPH_PNG_KEY, decodePng, encodePng } from '../../src/engine/tensor/png.js';
import { catalogue } from '../../src/nodes/registry.js';

let served: Served;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];

const canvas = () => page.locator('#canvas');
const nodeCard = (id: string) => page.locator(`#canvas clip-pae-node[data-node-id="${id}"]`);
const socket = (id: string, side: 'in' | 'out', key: string) =>
  nodeCard(id).locator(`.port.${side}[data-${side === 'in' ? 'input' : 'output'}="${key}"] clip-pae-socket .dot`);

async function doc(): Promise<GraphDocument> {
  return page.evaluate(() => (window as any).__app.clipPae.toDocument());
}

async function waitUntilLoaded(): Promise<void> {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
}

/** Drags a palette entry to a point on the canvas (HTML5 drag and drop, as a user does). */
async function dragFromPalette(type: string, at: { x: number; y: number }): Promise<void> {
  await page.locator(`clip-pae-palette .slot[data-type="${type}"]`).dragTo(canvas(), { targetPosition: at });
}

const dragWire = (from: Locator, to: Locator) => dragWireOnPage(page, from, to);

async function clickToolbar(action: string): Promise<void> {
  await page.locator(`clip-pae-toolbar [data-action="${action}"]`).click();
}

async function openWithPicker(path: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await clickToolbar('open');
  await (await chooser).setFiles(path);
}

/** A small solid-colour PNG, made here so the test knows every pixel. */
function solidPng(width: number, height: number, rgb: [number, number, number]): Buffer {
  const data = new Float32Array(width * height * 3);
  for (let c = 0; c < 3; c++) data.fill(rgb[c]!, c * width * height, (c + 1) * width * height);
  return Buffer.from(encodePng({ kind: 'image', width, height, data }));
}

beforeAll(async () => {
  served = await serveApp('editor');
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  pageErrors = collectPageErrors(page);
  await page.goto(served.url);
  await waitUntilLoaded();
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

describe('the editor app', () => {
  it('opens graphs/default.json when nothing is autosaved', async () => {
    const expected = parseDocument(
      await readFile(new URL('../../graphs/default.json', import.meta.url), 'utf8'),
      catalogue,
    );
    if (!expected.ok) throw new Error('graphs/default.json is invalid');
    expect(await doc()).toEqual(expected.document);
    expect(await page.locator('#canvas clip-pae-node').count()).toBe(expected.document.nodes.length);
    await page.screenshot({ path: '/tmp/rete-clip-pae-default.png' });
  });

  it('opens an example from the Examples menu', async () => {
    await page.locator('clip-pae-toolbar select[data-action="examples"]').selectOption('test-pattern');
    const expected = parseDocument(
      await readFile(new URL('../../graphs/test-pattern.json', import.meta.url), 'utf8'),
      catalogue,
    );
    if (!expected.ok) throw new Error('graphs/test-pattern.json is invalid');
    await expect.poll(async () => doc()).toEqual(expected.document);
  });

  it('New empties the graph', async () => {
    await clickToolbar('new');
    await expect.poll(async () => (await doc()).nodes.length).toBe(0);
    expect(await page.locator('#canvas clip-pae-node').count()).toBe(0);
  });

  it('adds nodes by dragging them from the palette', async () => {
    await dragFromPalette('image/load', { x: 120, y: 120 });
    await dragFromPalette('image/resize', { x: 460, y: 120 });
    await dragFromPalette('image/preview', { x: 800, y: 120 });
    await dragFromPalette('value/number', { x: 120, y: 520 });
    await expect
      .poll(async () => (await doc()).nodes.map((n) => n.type))
      .toEqual(['image/load', 'image/resize', 'image/preview', 'value/number']);
    await expect(nodeCard('load-1').isVisible()).resolves.toBe(true);
    // The drop point becomes the node's position, and positions live in the document.
    const load = (await doc()).nodes.find((n) => n.id === 'load-1')!;
    const preview = (await doc()).nodes.find((n) => n.id === 'preview-1')!;
    expect(preview.position[0] - load.position[0]).toBeGreaterThan(500);
  });

  it('connects two compatible sockets by dragging a wire', async () => {
    await dragWire(socket('load-1', 'out', 'image'), socket('resize-1', 'in', 'image'));
    await dragWire(socket('resize-1', 'out', 'image'), socket('preview-1', 'in', 'image'));
    await expect
      .poll(async () => (await doc()).connections)
      .toEqual([
        { from: { node: 'load-1', output: 'image' }, to: { node: 'resize-1', input: 'image' } },
        { from: { node: 'resize-1', output: 'image' }, to: { node: 'preview-1', input: 'image' } },
      ]);
    expect(await page.locator('#canvas clip-pae-connection').count()).toBe(2);
  });

  it('refuses to connect sockets of different types', async () => {
    // Number → Image: the wire is dropped, the existing wire into that input stays.
    await dragWire(socket('number-1', 'out', 'value'), socket('resize-1', 'in', 'image'));
    await expect
      .poll(() => page.locator('clip-pae-notices [data-testid="toast"]').allTextContents())
      .toContainEqual(expect.stringContaining('gives Number'));
    const connections = (await doc()).connections;
    expect(connections).toHaveLength(2);
    expect(connections).toContainEqual({
      from: { node: 'load-1', output: 'image' },
      to: { node: 'resize-1', input: 'image' },
    });
  });

  it('edits a param inline, and undo/redo (Ctrl+Z / Ctrl+Shift+Z) include the edit', async () => {
    const width = nodeCard('resize-1').locator('clip-pae-param[name="width"] input[type="number"]');
    await width.fill('128');
    await width.press('Enter');
    await expect.poll(async () => (await doc()).nodes.find((n) => n.id === 'resize-1')!.params.width).toBe(128);

    // Undo is a canvas shortcut: with focus in a text field the field keeps its own undo.
    await page.mouse.click(700, 700);
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await doc()).nodes.find((n) => n.id === 'resize-1')!.params.width).toBe(256);
    await expect(width.inputValue()).resolves.toBe('256');

    await page.keyboard.press('Control+Shift+z');
    await expect.poll(async () => (await doc()).nodes.find((n) => n.id === 'resize-1')!.params.width).toBe(128);
    await expect(width.inputValue()).resolves.toBe('128');
  });

  it('undo also takes back a node that was added', async () => {
    await dragFromPalette('value/text', { x: 460, y: 560 });
    await expect.poll(async () => (await doc()).nodes.some((n) => n.id === 'text-1')).toBe(true);
    await page.mouse.click(700, 750);
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await doc()).nodes.some((n) => n.id === 'text-1')).toBe(false);
  });

  it('runs the graph in the worker and shows the preview', async () => {
    // Picking the image with the node's own file input (red, 40 × 30).
    await nodeCard('load-1')
      .locator('input[type="file"]')
      .setInputFiles({ name: 'red.png', mimeType: 'image/png', buffer: solidPng(40, 30, [1, 0, 0]) });
    await expect
      .poll(async () => String((await doc()).nodes.find((n) => n.id === 'load-1')!.params.source))
      .toMatch(/^data:image\/png;base64,/);

    await clickToolbar('run');
    const shown = nodeCard('preview-1').locator('clip-pae-image canvas');
    await shown.first().waitFor({ timeout: 60_000 });
    await expect.poll(() => nodeCard('preview-1').getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
    // Resize made it 128 × 256 (width was set to 128 above); the preview shows that picture, red.
    const pixels = await shown.first().evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(c.width >> 1, c.height >> 1, 1, 1).data;
      return { w: c.width, h: c.height, rgb: [d[0], d[1], d[2]] };
    });
    expect(pixels.w / pixels.h).toBeCloseTo(128 / 256, 2);
    expect(pixels.rgb).toEqual([255, 0, 0]);
    await expect(page.locator('clip-pae-toolbar [data-testid="status"]').textContent()).resolves.toMatch(
      /^Ran \d+ nodes/,
    );
  });

  it('shows a node error on the node and skips what depends on it', async () => {
    await nodeCard('load-1').locator('clip-pae-image-picker button', { hasText: 'Clear' }).click();
    await clickToolbar('run');
    const badge = nodeCard('load-1').locator('[data-testid="error"]');
    await badge.waitFor({ timeout: 60_000 });
    expect(await badge.textContent()).toContain('no image chosen');
    await expect.poll(() => nodeCard('preview-1').getAttribute('data-state')).toBe('skipped');
    await page.mouse.click(700, 750);
    await page.keyboard.press('Control+z');
    await expect
      .poll(async () => String((await doc()).nodes.find((n) => n.id === 'load-1')!.params.source))
      .toMatch(/^data:image\/png/);
  });

  it('deletes the selected node with its wires, and undo brings all of it back', async () => {
    const before = await doc();
    await nodeCard('resize-1').locator('.card > .title').click();
    await expect.poll(() => nodeCard('resize-1').locator('.card.selected').count()).toBe(1);
    await page.keyboard.press('Delete');
    await expect.poll(async () => (await doc()).nodes.some((n) => n.id === 'resize-1')).toBe(false);
    expect((await doc()).connections).toEqual([]);
    await page.keyboard.press('Control+z');
    const sorted = (list: unknown[]) => list.map((c) => JSON.stringify(c)).sort();
    await expect.poll(async () => sorted((await doc()).connections)).toEqual(sorted(before.connections));
    expect((await doc()).nodes.map((n) => n.id).sort()).toEqual(before.nodes.map((n) => n.id).sort());
  });

  it('saves the graph as JSON and opens it again', async () => {
    const before = await doc();
    const download = page.waitForEvent('download');
    await clickToolbar('save');
    const file = await (await download).path();
    const text = await readFile(file, 'utf8');
    const parsed = parseDocument(text, catalogue);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.document).toEqual(before);

    await clickToolbar('new');
    await expect.poll(async () => (await doc()).nodes.length).toBe(0);
    await openWithPicker(file);
    await expect.poll(async () => doc()).toEqual(before);
    expect(await page.locator('#canvas clip-pae-connection').count()).toBe(2);
  });

  it('lists the errors of a bad document and leaves the open graph alone', async () => {
    const before = await doc();
    const bad = '/tmp/rete-clip-pae-bad-graph.json';
    await writeFile(
      bad,
      JSON.stringify({
        format: 'rete-clip-pae/graph',
        version: 1,
        nodes: [
          { id: 'a', type: 'image/load', position: [0, 0], params: { source: 3 } },
          { id: 'b', type: 'no/such-node', position: [0, 0], params: {} },
        ],
        connections: [],
      }),
    );
    await openWithPicker(bad);
    const problems = page.locator('clip-pae-notices [data-testid="problem"]');
    await problems.first().waitFor();
    const listed = await problems.allTextContents();
    expect(listed.some((t) => t.includes('nodes[0].params.source'))).toBe(true);
    expect(listed.some((t) => t.includes('nodes[1].type'))).toBe(true);
    expect(await doc()).toEqual(before);
    await page.locator('clip-pae-notices button[data-action="dismiss"]').click();
  });

  it('opens the graph embedded in a PNG written by Save Image', async () => {
    await dragFromPalette('image/save', { x: 800, y: 560 });
    await expect.poll(async () => (await doc()).nodes.some((n) => n.id === 'save-1')).toBe(true);
    await dragWire(socket('resize-1', 'out', 'image'), socket('save-1', 'in', 'image'));
    await expect.poll(async () => (await doc()).connections.length).toBe(3);
    const saved = await doc();

    await clickToolbar('run');
    const link = nodeCard('save-1').locator('a[data-testid="download"]');
    await link.waitFor({ state: 'attached', timeout: 60_000 });
    await clickToolbar('fit');
    const download = page.waitForEvent('download');
    await link.click();
    const pngPath = await (await download).path();
    const png = decodePng(new Uint8Array(await readFile(pngPath)));
    expect(png.image.width).toBe(128);
    expect(JSON.parse(png.text[GRAPH_PNG_KEY]!).nodes.map((n: { id: string }) => n.id)).toEqual(
      saved.nodes.map((n) => n.id),
    );

    await clickToolbar('new');
    await expect.poll(async () => (await doc()).nodes.length).toBe(0);
    await openWithPicker(pngPath);
    await expect.poll(async () => doc()).toEqual(saved);
  });

  it('adds a node from the right-click menu search', async () => {
    // The canvas corner is empty: zoom-to-fit leaves a margin around the graph.
    const box = (await canvas().boundingBox())!;
    await page.mouse.click(box.x + 8, box.y + 8, { button: 'right' });
    const search = page.locator('clip-pae-menu input[type="search"]');
    await search.waitFor();
    await search.fill('numb');
    await search.press('Enter');
    await expect.poll(async () => (await doc()).nodes.filter((n) => n.type === 'value/number').length).toBe(2);
  });

  it('opens a graph dropped onto the canvas', async () => {
    const before = await doc();
    const dropped: GraphDocument = {
      format: 'rete-clip-pae/graph',
      version: 2,
      nodes: [{ id: 'n', type: 'value/number', position: [40, 40], params: { value: 7 } }],
      connections: [],
    };
    const dataTransfer = await page.evaluateHandle((json) => {
      const data = new DataTransfer();
      data.items.add(new File([json], 'dropped.json', { type: 'application/json' }));
      return data;
    }, JSON.stringify(dropped));
    await canvas().dispatchEvent('drop', { dataTransfer });
    await expect.poll(async () => (await doc()).nodes).toEqual(dropped.nodes);
    // Back to the graph from before, for the tests that follow.
    await page.evaluate((d) => (window as any).__app.clipPae.loadDocument(d), before);
    await expect.poll(async () => doc()).toEqual(before);
  });

  it('auto-run runs the graph shortly after an edit', async () => {
    await page.locator('clip-pae-toolbar input[data-action="auto-run"]').check();
    const height = nodeCard('resize-1').locator('clip-pae-param[name="height"] input[type="number"]');
    await height.fill('64');
    await height.press('Enter');
    const shown = nodeCard('preview-1').locator('clip-pae-image canvas').first();
    await expect
      .poll(() => shown.evaluate((c: HTMLCanvasElement) => `${c.width}x${c.height}`), { timeout: 60_000 })
      .toBe('128x64');
    // The toggle stays on through the run it started, and off is remembered for the reload below.
    const toggle = page.locator('clip-pae-toolbar input[data-action="auto-run"]');
    await expect(toggle.isChecked()).resolves.toBe(true);
    await toggle.uncheck();
    await expect.poll(() => page.evaluate(() => localStorage.getItem('rete-clip-pae/auto-run'))).toBe('off');
  });

  it('restores the autosaved graph after a reload', async () => {
    const before = await doc();
    await page.evaluate(() => (window as any).__app.autosaveNow());
    await page.reload();
    await waitUntilLoaded();
    expect(await doc()).toEqual(before);
    expect(await page.locator('#canvas clip-pae-node').count()).toBe(before.nodes.length);
  });

  it('looks right', async () => {
    await clickToolbar('run');
    await expect
      .poll(() => nodeCard('preview-1').getAttribute('data-state'), { timeout: 60_000 })
      .toMatch(/done|cached/);
    await clickToolbar('fit');
    await page.screenshot({ path: '/tmp/rete-clip-pae-editor.png' });
    expect(pageErrors).toEqual([]);
  });
});
