// Organising a graph in the editor app, in headless chromium: frames and notes that survive save,
// open and reload, the minimap, auto-arrange, copy and paste (frames and notes included) between two
// tabs, reroute points that survive save, open and reload, the search that a
// wire dropped on the canvas opens, and the models panel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { centerOf, collectPageErrors, launchChromium, serveApp, type Served } from './helpers.js';
import type { GraphDocument } from '../../src/engine/graph/document.js';
import { parseDocument } from '../../src/engine/graph/validate.js';
import { catalogue } from '../../src/nodes/registry.js';

let served: Served;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];

const nodeCard = (p: Page, id: string) => p.locator(`#canvas clip-pae-node[data-node-id="${id}"]`);
const doc = (p: Page = page): Promise<GraphDocument> => p.evaluate(() => (window as any).__app.clipPae.toDocument());
const selectedIds = (p: Page = page): Promise<string[]> =>
  p.evaluate(() =>
    (window as any).__app.editor
      .getNodes()
      .filter((n: { selected?: boolean }) => n.selected)
      .map((n: { id: string }) => n.id)
      .sort(),
  );
const waitUntilLoaded = (p: Page) => p.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
const clickToolbar = (p: Page, action: string) => p.locator(`clip-pae-toolbar [data-action="${action}"]`).click();

async function openExample(p: Page, name: string): Promise<void> {
  const file = JSON.parse(await readFile(new URL(`../../graphs/${name}.json`, import.meta.url), 'utf8'));
  await p.evaluate(() =>
    (window as any).__app.clipPae.loadDocument({ ...(window as any).__app.clipPae.toDocument(), meta: {} }),
  );
  await p.locator('clip-pae-toolbar select[data-action="examples"]').selectOption(name);
  await expect.poll(async () => (await doc(p)).meta?.title).toBe(file.meta.title);
  await expect.poll(async () => (await doc(p)).connections.length).toBe(file.connections.length);
}

async function select(p: Page, ids: string[]): Promise<void> {
  await nodeCard(p, ids[0]!).locator('.card > .title').click();
  for (const id of ids.slice(1))
    await nodeCard(p, id)
      .locator('.card > .title')
      .click({ modifiers: ['Control'] });
  await expect.poll(() => p.locator('#canvas clip-pae-node .card.selected').count()).toBe(ids.length);
}

/** Node boxes on screen, by id. */
async function boxes(p: Page): Promise<Map<string, { x: number; y: number; width: number; height: number }>> {
  const out = new Map();
  for (const card of await p.locator('#canvas clip-pae-node').all()) {
    out.set(await card.getAttribute('data-node-id'), await card.locator('.card').boundingBox());
  }
  return out;
}

beforeAll(async () => {
  served = await serveApp('organize');
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: served.url.replace(/\/$/, '') });
  page = await context.newPage();
  pageErrors = collectPageErrors(page);
  await page.goto(served.url);
  await waitUntilLoaded(page);
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

describe('organising a graph', () => {
  it('shows a minimap with a mark per node', async () => {
    const nodes = (await doc()).nodes.length;
    const map = page.locator('#canvas [data-testid="minimap"]');
    await expect.poll(() => map.isVisible()).toBe(true);
    await expect.poll(() => map.locator('rete-mini-node').count()).toBe(nodes);
    // In a corner of the canvas, and its marks have the nodes' proportions (the cards' sizes are known).
    const canvas = (await page.locator('#canvas').boundingBox())!;
    const box = (await map.boundingBox())!;
    expect(box.width).toBeGreaterThan(50);
    expect(box.x + box.width).toBeLessThanOrEqual(canvas.x + canvas.width);
    expect(box.y + box.height).toBeLessThanOrEqual(canvas.y + canvas.height);
    const marks = await map
      .locator('[data-testid="minimap-node"]')
      .evaluateAll((els) => els.map((e) => (e as HTMLElement).getBoundingClientRect().width));
    expect(marks.every((w) => w > 0)).toBe(true);
  });

  it('keeps a frame and a note through save, open and reload', async () => {
    const ids = (await doc()).nodes.slice(0, 2).map((n) => n.id);
    await select(page, ids);
    await clickToolbar(page, 'frame');
    await clickToolbar(page, 'comment');
    await expect.poll(async () => (await doc()).frames?.map((f) => [...f.nodes].sort())).toEqual([[...ids].sort()]);
    expect((await doc()).comments?.map((c) => c.text)).toEqual(['Note']);
    await expect.poll(() => page.locator('#canvas .frame-comment').count()).toBe(1);
    await expect.poll(() => page.locator('#canvas .inline-comment').count()).toBe(1);
    // Adding a note is a step of its own: undo takes it away, redo brings it back.
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('#canvas .inline-comment').count()).toBe(0);
    expect((await doc()).comments).toBeUndefined();
    expect((await doc()).frames).toHaveLength(1);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => page.locator('#canvas .inline-comment').count()).toBe(1);
    expect((await doc()).comments?.map((c) => c.text)).toEqual(['Note']);

    // The frame is drawn around its nodes.
    const frame = (await page.locator('#canvas .frame-comment').boundingBox())!;
    for (const id of ids) {
      const card = (await nodeCard(page, id).locator('.card').boundingBox())!;
      expect(card.x).toBeGreaterThanOrEqual(frame.x);
      expect(card.y).toBeGreaterThanOrEqual(frame.y);
      expect(card.x + card.width).toBeLessThanOrEqual(frame.x + frame.width);
      expect(card.y + card.height).toBeLessThanOrEqual(frame.y + frame.height);
    }
    // Dragging the frame moves its nodes with it.
    const before = (await doc()).nodes.filter((n) => ids.includes(n.id)).map((n) => n.position);
    await page.mouse.move(frame.x + 12, frame.y + 12);
    await page.mouse.down();
    await page.mouse.move(frame.x + 62, frame.y + 42, { steps: 5 });
    await page.mouse.up();
    await expect
      .poll(async () => (await doc()).nodes.filter((n) => ids.includes(n.id)).map((n) => n.position))
      .not.toEqual(before);
    // Right-click a frame to name it.
    page.once('dialog', (dialog) => void dialog.accept('Edit 1: happy'));
    await page.locator('#canvas .frame-comment').click({ button: 'right', position: { x: 8, y: 8 } });
    await expect.poll(async () => (await doc()).frames?.[0]?.text).toBe('Edit 1: happy');
    const saved = await doc();

    const download = page.waitForEvent('download');
    await clickToolbar(page, 'save');
    const file = await (await download).path();
    const parsed = parseDocument(await readFile(file, 'utf8'), catalogue);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.document.version).toBe(2);
    expect(parsed.document.frames).toEqual(saved.frames);
    expect(parsed.document.comments).toEqual(saved.comments);

    await clickToolbar(page, 'new');
    await expect.poll(() => page.locator('#canvas .frame-comment').count()).toBe(0);
    const chooser = page.waitForEvent('filechooser');
    await clickToolbar(page, 'open');
    await (await chooser).setFiles(file);
    await expect.poll(async () => (await doc()).frames).toEqual(saved.frames);
    expect((await doc()).comments).toEqual(saved.comments);
    await expect.poll(() => page.locator('#canvas .frame-comment').count()).toBe(1);

    await page.evaluate(() => (window as any).__app.autosaveNow());
    await page.reload();
    await waitUntilLoaded(page);
    await expect.poll(async () => (await doc()).frames).toEqual(saved.frames);
    expect((await doc()).comments).toEqual(saved.comments);
    await expect.poll(() => page.locator('#canvas .frame-comment').count()).toBe(1);
    await expect.poll(() => page.locator('#canvas .inline-comment').count()).toBe(1);
  });

  it('auto-arrange moves the nodes so that none overlap', async () => {
    await openExample(page, 'chain-three-edits');
    const before = (await doc()).nodes.map((n) => n.position);
    await clickToolbar(page, 'arrange');
    await expect.poll(async () => (await doc()).nodes.map((n) => n.position)).not.toEqual(before);
    const placed = [...(await boxes(page)).values()];
    expect(placed.length).toBe(before.length);
    for (let i = 0; i < placed.length; i++) {
      for (let j = i + 1; j < placed.length; j++) {
        const a = placed[i]!;
        const b = placed[j]!;
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        expect(apart, `nodes ${i} and ${j} overlap`).toBe(true);
      }
    }
  });

  it('copies nodes with their frame, a selected note and their inner wires into another tab, selected, as one undo step', async () => {
    await openExample(page, 'test-pattern');
    const wire = (await doc()).connections[0]!;
    const ids = [wire.from.node, wire.to.node];
    await select(page, ids);
    await clickToolbar(page, 'frame');
    const noteId = await page.evaluate(() => (window as any).__app.clipPae.addComment('Copied note', [120, 60]));
    const note = page.locator(`#canvas .inline-comment[data-note-id="${noteId}"]`);
    // Ctrl+click adds the note to the selection; the nodes stay selected.
    await note.click({ modifiers: ['Control'] });
    await expect.poll(() => note.getAttribute('class')).toContain('selected');
    expect(await selectedIds()).toEqual([...ids].sort());
    const source = await doc();
    expect(source.frames?.map((f) => [...f.nodes].sort())).toEqual([[...ids].sort()]);
    await page.keyboard.press('Control+c');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    const part = JSON.parse(copied) as GraphDocument;
    expect(part.nodes.map((n) => n.id).sort()).toEqual([...ids].sort());
    expect(part.frames?.map((f) => [...f.nodes].sort())).toEqual([[...ids].sort()]);
    expect(part.comments?.map((c) => c.text)).toEqual(['Copied note']);

    const other = await context.newPage();
    await other.goto(served.url);
    await waitUntilLoaded(other);
    await other.locator('clip-pae-toolbar [data-action="new"]').click();
    await expect.poll(async () => (await doc(other)).nodes.length).toBe(0);
    await other.locator('#canvas').click({ position: { x: 400, y: 300 } });
    await other.keyboard.press('Control+v');
    await expect.poll(async () => (await doc(other)).nodes.length).toBe(2);
    await expect.poll(async () => (await doc(other)).frames?.length).toBe(1);
    const pasted = await doc(other);
    expect(pasted.nodes.map((n) => n.type).sort()).toEqual(
      source.nodes
        .filter((n) => ids.includes(n.id))
        .map((n) => n.type)
        .sort(),
    );
    expect(pasted.connections).toHaveLength(
      source.connections.filter((c) => ids.includes(c.from.node) && ids.includes(c.to.node)).length,
    );
    // The frame arrives around the pasted nodes, the note with them, and the paste is the selection.
    const pastedIds = pasted.nodes.map((n) => n.id).sort();
    expect(pasted.frames!.map((f) => [...f.nodes].sort())).toEqual([pastedIds]);
    expect(pasted.comments?.map((c) => c.text)).toEqual(['Copied note']);
    expect(await selectedIds(other)).toEqual(pastedIds);
    await expect.poll(() => other.locator('#canvas .frame-comment').count()).toBe(1);
    const frame = (await other.locator('#canvas .frame-comment').boundingBox())!;
    for (const id of pastedIds) {
      const card = (await nodeCard(other, id).locator('.card').boundingBox())!;
      expect(card.x).toBeGreaterThanOrEqual(frame.x);
      expect(card.y).toBeGreaterThanOrEqual(frame.y);
      expect(card.x + card.width).toBeLessThanOrEqual(frame.x + frame.width);
      expect(card.y + card.height).toBeLessThanOrEqual(frame.y + frame.height);
    }
    // Selected, the pasted nodes move together at once.
    await other.keyboard.press('ArrowRight');
    await expect
      .poll(async () =>
        (await doc(other)).nodes.map((n) => n.position[0] - pasted.nodes.find((p) => p.id === n.id)!.position[0]),
      )
      .toEqual([10, 10]);
    // The note moves with them, and the frame stays around them.
    await expect
      .poll(async () => (await doc(other)).comments?.[0]?.position[0])
      .toBe(pasted.comments![0]!.position[0] + 10);
    const moved = (await other.locator('#canvas .frame-comment').boundingBox())!;
    expect(moved.x).toBeGreaterThan(frame.x);
    await other.close();

    // Pasted again into the first tab: fresh ids, offset from the originals, selected instead of them.
    await page.keyboard.press('Control+v');
    await expect.poll(async () => (await doc()).nodes.length).toBe(source.nodes.length + 2);
    await expect.poll(async () => (await doc()).frames?.length).toBe(2);
    const after = await doc();
    const added = after.nodes.filter((n) => !source.nodes.some((s) => s.id === n.id));
    expect(added).toHaveLength(2);
    for (const n of added) {
      const original = source.nodes.find((s) => s.type === n.type && ids.includes(s.id))!;
      expect(n.position[0] - original.position[0]).toBe(40);
      expect(n.position[1] - original.position[1]).toBe(40);
    }
    const addedIds = added.map((n) => n.id).sort();
    expect(await selectedIds()).toEqual(addedIds);
    expect(after.frames!.find((f) => !source.frames!.some((s) => s.id === f.id))!.nodes.sort()).toEqual(addedIds);
    const pastedNote = after.comments!.find((c) => c.id !== noteId)!;
    expect(pastedNote.text).toBe('Copied note');
    const originalNote = source.comments!.find((c) => c.id === noteId)!;
    expect(pastedNote.position).toEqual([originalNote.position[0] + 40, originalNote.position[1] + 40]);
    expect(await note.getAttribute('class')).not.toContain('selected');

    // One undo takes the nodes, wires, frame and note away; redo brings them back.
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await doc()).nodes.length).toBe(source.nodes.length);
    expect((await doc()).connections).toEqual(source.connections);
    expect((await doc()).frames).toEqual(source.frames);
    expect((await doc()).comments).toEqual(source.comments);
    await expect.poll(() => page.locator('#canvas .frame-comment').count()).toBe(1);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(async () => (await doc()).nodes.length).toBe(source.nodes.length + 2);
    await expect.poll(async () => (await doc()).frames?.length).toBe(2);
    expect((await doc()).comments).toHaveLength(2);
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await doc()).nodes.length).toBe(source.nodes.length);
    expect((await doc()).frames).toEqual(source.frames);

    // Ctrl+D duplicates without the clipboard; one node of the frame leaves the frame behind.
    await select(page, [ids[0]!]);
    await page.keyboard.press('Control+d');
    await expect.poll(async () => (await doc()).nodes.length).toBe(source.nodes.length + 1);
    const duplicate = (await doc()).nodes.find((n) => !source.nodes.some((s) => s.id === n.id))!;
    expect(await selectedIds()).toEqual([duplicate.id]);
    // (A click on a framed node lets the frame take it again, which may change the order of its nodes.)
    expect((await doc()).frames?.map((f) => [f.id, [...f.nodes].sort()])).toEqual(
      source.frames?.map((f) => [f.id, [...f.nodes].sort()]),
    );
  });

  it('a wire dropped on the canvas opens a search of only the nodes that take it, and connects the pick', async () => {
    await openExample(page, 'test-pattern');
    const start = await doc();
    const load = start.nodes.find((n) => n.type === 'image/load')!;
    const dot = nodeCard(page, load.id).locator('.port.out[data-output="image"] clip-pae-socket .dot');
    const from = await centerOf(dot);
    const box = (await page.locator('#canvas').boundingBox())!;
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width - 60, box.y + 40, { steps: 8 });
    await page.mouse.up();
    const menu = page.locator('#canvas clip-pae-menu[data-socket-search]');
    await menu.waitFor();
    expect(await menu.getAttribute('data-socket-search')).toBe('output:Image');
    const keys = await menu
      .locator('[data-testid="context-menu-item"]')
      .evaluateAll((items) => items.map((i) => (i as HTMLElement).dataset.key ?? ''));
    expect(keys.length).toBeGreaterThan(0);
    const takesImage = catalogue
      .list()
      .filter(
        (d) =>
          Object.values(d.inputs).some((i) => catalogue.canConnect('Image', i.type)) ||
          Object.keys(d.params).some((p) => {
            const s = catalogue.paramSocket(d.type, p);
            return s !== undefined && catalogue.canConnect('Image', s);
          }),
      )
      .map((d) => d.type)
      .sort();
    expect([...keys].sort()).toEqual(takesImage);
    await menu.locator('input[type="search"]').fill('preview');
    await menu.locator('input[type="search"]').press('Enter');
    await expect.poll(async () => (await doc()).nodes.length).toBe(start.nodes.length + 1);
    const after = await doc();
    const added = after.nodes.find((n) => !start.nodes.some((s) => s.id === n.id))!;
    expect(added.type).toBe('image/preview');
    expect(after.connections).toContainEqual({
      from: { node: load.id, output: 'image' },
      to: { node: added.id, input: 'image' },
    });
  });

  it('routes a wire through a point added by double-click, kept through reload, save and open, removed by double-click or right-click', async () => {
    await openExample(page, 'test-pattern');
    const wire = (await doc()).connections[0]!;
    // The middle of the wire's path, on screen.
    const middle = await page.evaluate((to) => {
      const { editor, area } = (window as any).__app;
      const c = editor.getConnections().find((c: any) => c.target === to.node && c.targetInput === to.input);
      // The wire's element sits inside the wrapper's shadow root: search through shadow roots.
      const stack: (Element | ShadowRoot)[] = [area.connectionViews.get(c.id).element];
      let wireElement: any;
      while (stack.length && !wireElement) {
        const at = stack.pop()!;
        wireElement = at.querySelector('clip-pae-connection');
        for (const child of at.querySelectorAll('*')) if (child.shadowRoot) stack.push(child.shadowRoot);
        if ('shadowRoot' in at && at.shadowRoot) stack.push(at.shadowRoot);
      }
      const path = wireElement.shadowRoot.querySelector('path');
      const point = path.getPointAtLength(path.getTotalLength() / 2).matrixTransform(path.getScreenCTM());
      return { x: point.x, y: point.y };
    }, wire.to);
    await page.mouse.dblclick(middle.x, middle.y);
    await expect.poll(async () => (await doc()).reroutes?.map((r) => r.to)).toEqual([wire.to]);
    const dot = page.locator('#canvas [data-testid="pin"]');
    await expect.poll(() => dot.count()).toBe(1);
    const first = (await doc()).reroutes![0]!.points[0]!;

    // Dragged 60 px down, the point and the wire follow.
    const at = await centerOf(dot);
    await page.mouse.move(at.x, at.y);
    await page.mouse.down();
    await page.mouse.move(at.x, at.y + 60, { steps: 6 });
    await page.mouse.up();
    await expect.poll(async () => (await doc()).reroutes![0]!.points[0]![1]).toBeGreaterThan(first[1] + 20);
    // A pressed point is selected; a click on the empty canvas clears the selection.
    await expect.poll(() => dot.getAttribute('class')).toContain('selected');
    const canvas = (await page.locator('#canvas').boundingBox())!;
    await page.mouse.click(canvas.x + canvas.width - 60, canvas.y + 40);
    await expect.poll(() => dot.getAttribute('class')).not.toContain('selected');
    const moved = await centerOf(dot);
    const d = await page.evaluate((to) => {
      const { editor, area } = (window as any).__app;
      const c = editor.getConnections().find((c: any) => c.target === to.node && c.targetInput === to.input);
      // The wire's element sits inside the wrapper's shadow root: search through shadow roots.
      const stack: (Element | ShadowRoot)[] = [area.connectionViews.get(c.id).element];
      let wireElement: any;
      while (stack.length && !wireElement) {
        const at = stack.pop()!;
        wireElement = at.querySelector('clip-pae-connection');
        for (const child of at.querySelectorAll('*')) if (child.shadowRoot) stack.push(child.shadowRoot);
        if ('shadowRoot' in at && at.shadowRoot) stack.push(at.shadowRoot);
      }
      return wireElement.path as string;
    }, wire.to);
    expect(d.split(' C ')).toHaveLength(3);

    const saved = (await doc()).reroutes;
    await page.evaluate(() => (window as any).__app.autosaveNow());
    await page.reload();
    await waitUntilLoaded(page);
    await expect.poll(async () => (await doc()).reroutes).toEqual(saved);
    await expect.poll(() => dot.count()).toBe(1);
    const restored = await centerOf(dot);
    expect(Math.abs(restored.x - moved.x) + Math.abs(restored.y - moved.y)).toBeLessThan(200);

    // Saved to a file and opened again, the point is back on its wire.
    const download = page.waitForEvent('download');
    await clickToolbar(page, 'save');
    const file = await (await download).path();
    const parsed = parseDocument(await readFile(file, 'utf8'), catalogue);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.document.reroutes).toEqual(saved);
    await clickToolbar(page, 'new');
    await expect.poll(() => dot.count()).toBe(0);
    const chooser = page.waitForEvent('filechooser');
    await clickToolbar(page, 'open');
    await (await chooser).setFiles(file);
    await expect.poll(async () => (await doc()).reroutes).toEqual(saved);
    await expect.poll(() => dot.count()).toBe(1);

    await dot.dblclick();
    await expect.poll(async () => (await doc()).reroutes).toBeUndefined();
    await expect.poll(() => dot.count()).toBe(0);

    // A right-click on a point takes it out too, and a plain click on a wire adds none.
    await page.mouse.dblclick(middle.x, middle.y);
    await expect.poll(() => dot.count()).toBe(1);
    await dot.click({ button: 'right' });
    await expect.poll(() => dot.count()).toBe(0);
    expect((await doc()).reroutes).toBeUndefined();
    await page.mouse.click(middle.x, middle.y);
    await page.mouse.click(middle.x, middle.y, { button: 'right' });
    await page.mouse.click(canvas.x + canvas.width - 60, canvas.y + 40);
    expect(await dot.count()).toBe(0);
    expect((await doc()).reroutes).toBeUndefined();
  });

  it('the models panel lists the demo bundle with its licence and size', async () => {
    await clickToolbar(page, 'models');
    const demo = page.locator('clip-pae-models [data-testid="bundle"][data-source="models/demo/manifest.json"]');
    await demo.waitFor();
    await expect.poll(() => demo.locator('[data-testid="bundle-license"]').textContent()).toContain('MIT');
    expect(await demo.locator('[data-testid="bundle-size"]').textContent()).toMatch(/MB in \d+ files/);
    const faces = page.locator('clip-pae-models [data-testid="bundle"][data-source="models/faces/manifest.json"]');
    expect(await faces.locator('[data-testid="bundle-license"]').textContent()).toContain('MIT');
    await clickToolbar(page, 'models');

    // A cached file of the demo bundle (as the loader stores it: the file's URL and the manifest's tag).
    await page.evaluate(async () => {
      const cache = await caches.open('rete-clip-pae-models');
      const url = new URL('models/demo/mean_latent.bin?bundle=test', location.href).href;
      await cache.put(url, new Response(new Uint8Array(768), { headers: { 'content-length': '768' } }));
    });
    await clickToolbar(page, 'models');
    await expect.poll(() => demo.locator('[data-testid="bundle-cache"]').textContent()).toBe('1 files, 768 B');
    expect(await faces.locator('[data-testid="bundle-cache"]').textContent()).toBe('not cached');
    await demo.locator('[data-action="clear-cache"]').click();
    await expect.poll(() => demo.locator('[data-testid="bundle-cache"]').textContent()).toBe('not cached');
    expect(await page.evaluate(async () => (await (await caches.open('rete-clip-pae-models')).keys()).length)).toBe(0);
    await clickToolbar(page, 'models');

    // A bundle a Load Models node names is listed (here one that is not there, which the row says),
    // and remembered after the graph stops naming it.
    await openExample(page, 'default');
    const models = (await doc()).nodes.find((n) => n.type === 'models/load')!;
    await page.evaluate(
      (id) => (window as any).__app.clipPae.setParam(id, 'bundle', 'models/mine/manifest.json'),
      models.id,
    );
    await clickToolbar(page, 'models');
    const mine = page.locator('clip-pae-models [data-testid="bundle"][data-source="models/mine/manifest.json"]');
    await mine.waitFor();
    expect(await mine.textContent()).toContain('cannot read');
    await clickToolbar(page, 'models');
    await openExample(page, 'test-pattern');
    await clickToolbar(page, 'models');
    await mine.waitFor();
    await clickToolbar(page, 'models');
    expect(pageErrors.filter((e) => !e.includes('404'))).toEqual([]);
  });
});
