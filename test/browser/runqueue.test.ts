// The editor's run queue, run history, Run to here, full-size image viewer and keyboard, in
// headless chromium, on tiny graphs (Load Image → Resize → Preview, no model).
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { collectPageErrors, launchChromium, serveApp, type Served } from './helpers.js';
import type { GraphDocument } from '../../src/engine/graph/document.js';
import { decodePng } from '../../src/engine/tensor/png.js';

let served: Served;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];

/** While set, requests for the test pattern wait here: a run cannot finish before the test says so. */
let held: Route[] | undefined;

const nodeCard = (id: string) => page.locator(`#canvas clip-pae-node[data-node-id="${id}"]`);
const queueItems = () => page.locator('clip-pae-runs [data-testid="queue-item"]');
const historyEntries = () => page.locator('clip-pae-runs [data-testid="history-entry"]');

async function waitUntilLoaded(): Promise<void> {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
}

async function doc(): Promise<GraphDocument> {
  return page.evaluate(() => (window as any).__app.clipPae.toDocument());
}

async function openExample(name: string): Promise<void> {
  await page.locator('clip-pae-toolbar select[data-action="examples"]').selectOption(name);
  await expect.poll(async () => (await doc()).meta?.title).toBeTruthy();
}

async function queueIdle(): Promise<void> {
  await page.evaluate(async () => {
    const runs = (window as any).__app.runs;
    await runs.queue.idle();
    await runs.stored();
  });
}

/** Collects which nodes the engine reported on, by event type, from now on. */
async function recordEvents(): Promise<void> {
  await page.evaluate(() => {
    const w = window as any;
    w.__events = [];
    w.__stopEvents?.();
    w.__stopEvents = w.__app.onRunEvent((e: { type: string; node?: string; cached?: boolean }) =>
      w.__events.push({ type: e.type, node: e.node, cached: e.cached }),
    );
  });
}

async function recorded(): Promise<{ type: string; node?: string; cached?: boolean }[]> {
  return page.evaluate(() => (window as any).__events);
}

function release(): void {
  const waiting = held ?? [];
  held = undefined;
  for (const route of waiting) void route.continue();
}

beforeAll(async () => {
  served = await serveApp('runqueue');
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  await context.route('**/images/test-pattern.png', (route) => {
    if (held) held.push(route);
    else void route.continue();
  });
  page = await context.newPage();
  pageErrors = collectPageErrors(page);
  await page.goto(served.url);
  await waitUntilLoaded();
});

afterAll(async () => {
  release();
  await browser?.close();
  await served?.close();
});

describe('the run queue and history', () => {
  it('queues two runs, cancels the running one, removes a waiting one, and runs the other', async () => {
    await openExample('resize-modes');
    held = [];
    // A failure below must not leave later runs waiting on held requests.
    onTestFinished(release);
    await page.locator('clip-pae-toolbar [data-action="run"]').click();
    await expect.poll(() => queueItems().count()).toBe(1);
    await page.locator('clip-pae-toolbar [data-action="run"]').click();
    await page.locator('clip-pae-toolbar [data-action="run"]').click();
    await expect.poll(() => queueItems().count()).toBe(3);
    expect(await queueItems().evaluateAll((items) => items.map((i) => (i as HTMLElement).dataset.state))).toEqual([
      'running',
      'waiting',
      'waiting',
    ]);
    await expect.poll(() => held?.length ?? 0).toBeGreaterThan(0);
    expect(await queueItems().nth(0).locator('[data-testid="queue-progress"]').count()).toBe(1);
    expect(await page.locator('clip-pae-toolbar [data-testid="status"]').textContent()).toBe(
      'Running… (2 more queued)',
    );
    await queueItems().nth(2).locator('[data-action="remove"]').click();
    await expect.poll(() => queueItems().count()).toBe(2);
    await queueItems().nth(0).locator('[data-action="cancel"]').click();
    await expect.poll(() => queueItems().count()).toBe(1);
    expect(await queueItems().nth(0).getAttribute('data-state')).toBe('running');
    release();
    await queueIdle();
    await expect.poll(() => queueItems().count()).toBe(0);
    expect(await historyEntries().evaluateAll((es) => es.map((e) => (e as HTMLElement).dataset.status))).toEqual([
      'ok',
      'cancelled',
    ]);
    // The finished run has thumbnails of its images (two previews, two resizes, the load).
    expect(await historyEntries().nth(0).locator('[data-testid="history-thumb"]').count()).toBeGreaterThan(0);
    await page.screenshot({ path: '/tmp/rete-clip-pae-runs.png' });
    expect(await nodeCard('stretched').locator('clip-pae-image canvas').count()).toBe(1);
  });

  it('keeps runs across a reload and opens one again with its outputs on the nodes', async () => {
    const ran = await doc();
    await page.locator('clip-pae-toolbar [data-action="new"]').click();
    await expect.poll(async () => (await doc()).nodes.length).toBe(0);
    await page.evaluate(() => (window as any).__app.autosaveNow());
    await page.reload();
    await waitUntilLoaded();
    expect((await doc()).nodes).toEqual([]);
    await expect.poll(() => historyEntries().count()).toBe(2);
    await page.locator('clip-pae-runs [data-testid="history-entry"][data-status="ok"]').click();
    await expect.poll(async () => (await doc()).nodes.map((n) => n.id)).toEqual(ran.nodes.map((n) => n.id));
    expect((await doc()).connections).toEqual(ran.connections);
    const canvas = nodeCard('stretched').locator('clip-pae-image canvas');
    await canvas.waitFor();
    // What the node shows now is the history's small copy (at most 128 px), not a fresh run.
    expect(await canvas.evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height])).toEqual([
      128, 64,
    ]);
  });

  it('runs to a node: only that branch runs again, the rest of the graph is left alone', async () => {
    await page.locator('clip-pae-toolbar [data-action="run"]').click();
    await queueIdle();
    await page.evaluate(async () => {
      const clipPae = (window as any).__app.clipPae;
      await clipPae.setParam('crop', 'width', 200);
      await clipPae.setParam('stretch', 'width', 200);
    });
    await recordEvents();
    await nodeCard('cropped').locator('div.title').click({ button: 'right' });
    await page.locator('clip-pae-menu [data-key="run-to-here"]').click();
    await queueIdle();
    const events = await recorded();
    expect(events.filter((e) => e.type === 'started').map((e) => e.node)).toEqual(['crop', 'cropped']);
    expect(events.filter((e) => e.type === 'done').map((e) => [e.node, e.cached])).toEqual([
      ['load', true],
      ['crop', false],
      ['cropped', false],
    ]);
    expect(events.some((e) => e.node === 'stretch' || e.node === 'stretched')).toBe(false);
    await expect.poll(() => historyEntries().nth(0).textContent()).toContain('cropped');
  });
});

describe('the image viewer', () => {
  it('opens an output full size, zooms, and downloads it as PNG', async () => {
    await nodeCard('load').locator('.thumb[data-output="image"] clip-pae-image canvas').click();
    const viewer = page.locator('clip-pae-viewer');
    await viewer.waitFor();
    // The node shows at most 256 px; the viewer asks the worker for the real 320 × 240.
    expect(await viewer.locator('[data-testid="viewer-title"]').textContent()).toContain('320 × 240');
    const zoom = viewer.locator('[data-testid="viewer-zoom"]');
    const before = await zoom.textContent();
    await viewer.locator('[data-action="zoom-in"]').click();
    expect(await zoom.textContent()).not.toBe(before);
    const afterButton = await zoom.textContent();
    await viewer.locator('[data-testid="viewer-stage"]').hover();
    await page.mouse.wheel(0, 200);
    await expect.poll(() => zoom.textContent()).not.toBe(afterButton);
    // Dragging the stage pans the picture.
    const frame = viewer.locator('.frame');
    const transformBefore = await frame.evaluate((f) => (f as HTMLElement).style.transform);
    const stage = await viewer.locator('[data-testid="viewer-stage"]').boundingBox();
    await page.mouse.move(stage!.x + 200, stage!.y + 200);
    await page.mouse.down();
    await page.mouse.move(stage!.x + 260, stage!.y + 230, { steps: 4 });
    await page.mouse.up();
    const transformAfter = await frame.evaluate((f) => (f as HTMLElement).style.transform);
    expect(transformAfter).not.toBe(transformBefore);
    expect(transformAfter).toContain('translate(60px, 30px)');
    const download = page.waitForEvent('download');
    await viewer.locator('[data-action="download"]').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('load-image.png');
    const png = decodePng(new Uint8Array(await readFile((await file.path())!)));
    expect([png.image.width, png.image.height]).toEqual([320, 240]);
    await page.keyboard.press('Escape');
    await expect.poll(() => viewer.count()).toBe(0);
  });

  it("shows Compare's before and after under a slider", async () => {
    const compare: GraphDocument = {
      format: 'rete-clip-pae/graph',
      version: 2,
      nodes: [
        { id: 'load', type: 'image/load', position: [0, 0], params: { source: 'images/test-pattern.png' } },
        { id: 'small', type: 'image/resize', position: [300, 0], params: { width: 160, height: 120, mode: 'stretch' } },
        { id: 'cmp', type: 'output/compare', position: [600, 0], params: {} },
      ],
      connections: [
        { from: { node: 'load', output: 'image' }, to: { node: 'small', input: 'image' } },
        { from: { node: 'load', output: 'image' }, to: { node: 'cmp', input: 'before' } },
        { from: { node: 'small', output: 'image' }, to: { node: 'cmp', input: 'after' } },
      ],
    } as GraphDocument;
    await page.evaluate(async (d) => {
      const app = (window as any).__app;
      await app.clipPae.loadDocument(d);
      app.runs.run();
    }, compare);
    await queueIdle();
    await nodeCard('cmp').locator('clip-pae-image[data-output="comparison"] canvas').click();
    const viewer = page.locator('clip-pae-viewer');
    const after = viewer.locator('[data-testid="viewer-after"]');
    await after.waitFor();
    expect(await viewer.locator('[data-testid="viewer-before"]').evaluate((c) => (c as HTMLCanvasElement).width)).toBe(
      320,
    );
    expect(await after.evaluate((c) => (c as HTMLCanvasElement).width)).toBe(160);
    await viewer.locator('[data-testid="viewer-split"]').evaluate((input) => {
      (input as HTMLInputElement).value = '0.25';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await expect.poll(() => after.evaluate((c) => (c as HTMLElement).style.clipPath)).toContain('25');
    await page.screenshot({ path: '/tmp/rete-clip-pae-viewer.png' });
    await viewer.locator('[data-action="close"]').click();
    await expect.poll(() => viewer.count()).toBe(0);
  });
});

describe('the keyboard', () => {
  it('shows every shortcut on ?', async () => {
    await page.locator('#canvas').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('?');
    const sheet = page.locator('clip-pae-shortcuts');
    await sheet.waitFor();
    const text = await sheet.locator('.sheet').textContent();
    for (const keys of ['Ctrl+A', 'Delete', 'Ctrl+Z', 'Shift+', '?']) expect(text).toContain(keys);
    await page.screenshot({ path: '/tmp/rete-clip-pae-shortcuts.png' });
    await page.keyboard.press('Escape');
    await expect.poll(() => sheet.count()).toBe(0);
  });

  it('nudges the selected node with the arrows and undoes it, deletes and undoes, and selects all with Ctrl+A', async () => {
    const position = () => page.evaluate(() => ({ ...(window as any).__app.area.nodeViews.get('small').position }));
    await nodeCard('small').locator('div.title').click();
    const start = await position();
    await page.keyboard.press('ArrowRight');
    await expect.poll(position).toEqual({ x: start.x + 10, y: start.y });
    await page.keyboard.press('Control+z');
    await expect.poll(position).toEqual(start);
    await page.keyboard.press('Shift+ArrowDown');
    await expect.poll(position).toEqual({ x: start.x, y: start.y + 100 });
    // Delete removes the selected node with its wires; undo brings both back.
    const wires = (await doc()).connections.length;
    await page.keyboard.press('Delete');
    await expect.poll(async () => (await doc()).nodes.map((n) => n.id)).toEqual(['load', 'cmp']);
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await doc()).connections.length).toBe(wires);
    expect((await doc()).nodes.map((n) => n.id).sort()).toEqual(['cmp', 'load', 'small']);
    await page.keyboard.press('Control+a');
    await expect
      .poll(() => page.evaluate(() => (window as any).__app.editor.getNodes().map((n: any) => n.selected)))
      .toEqual([true, true, true]);
    expect(pageErrors).toEqual([]);
  });
});

describe('clearing the history', () => {
  it('forgets every finished run, also after a reload', async () => {
    expect(await historyEntries().count()).toBeGreaterThan(0);
    await page.locator('clip-pae-runs [data-action="clear-history"]').click();
    await expect.poll(() => historyEntries().count()).toBe(0);
    await page.reload();
    await waitUntilLoaded();
    expect(await historyEntries().count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
