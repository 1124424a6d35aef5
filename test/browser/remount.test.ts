// The plugin taken out of an editor and set up again in the same one (test/browser/remount/):
// nothing of the first setup is left, and nothing happens twice — one palette, one connection
// per drag, one undo step per param edit, one menu.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { collectPageErrors, dragWire, launchChromium, paletteTypes, serveApp, type Served } from './helpers.js';
import type { GraphDocument } from '../../src/engine/graph/document.js';

let served: Served;
let browser: Browser;
let page: Page;
let pageErrors: string[];

const card = (type: string) => page.locator(`#editor clip-pae-node[data-type="${type}"]`);
const port = (type: string, side: 'in' | 'out', key: string) =>
  side === 'out'
    ? card(type).locator(`.port.out[data-output="${key}"] clip-pae-socket .dot`)
    : card(type).locator(`[data-input="${key}"] clip-pae-socket .dot`);

async function doc(): Promise<GraphDocument> {
  return page.evaluate(() => (window as any).__remount.clipPae().toDocument());
}

const historyLength = () =>
  page.evaluate(() => (window as any).__remount.clipPae().history.getHistorySnapshot().length as number);

const drag = (from: Locator, to: Locator) => dragWire(page, from, to);

beforeAll(async () => {
  served = await serveApp('remount');
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  pageErrors = collectPageErrors(page);
  await page.goto(`${served.url}test/browser/remount/index.html`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  await page.evaluate(async () => {
    const clipPae = (window as any).__remount.clipPae();
    await clipPae.addNode('image/load', { x: 240, y: 40 });
    await clipPae.addNode('image/resize', { x: 620, y: 40 });
    await clipPae.addNode('value/number', { x: 240, y: 420 });
  });
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

describe('setupClipPae, destroy() and setupClipPae again in one editor', () => {
  it('takes out every pipe and node of the first setup, and the second adds as many pipes as the first', async () => {
    const { stages, leftAfterDestroy } = await page.evaluate(() => (window as any).__remount);
    expect(stages.destroyed).toEqual(stages.bare);
    expect(stages.second).toEqual(stages.first);
    expect(stages.first.area).toBeGreaterThan(stages.bare.area);
    expect(leftAfterDestroy).toBe(0);
  });

  it('takes out what the first setup drew: nodes, a wire with its reroute dots, a note', async () => {
    const { drawn } = await page.evaluate(() => (window as any).__remount);
    // Three nodes, the wire, its dots' container and the note.
    expect(drawn.mounted).toBe(drawn.bare + 6);
    expect(drawn.destroyed).toBe(drawn.bare);
  });

  it('shows one palette with each node type once', async () => {
    expect(await page.locator('clip-pae-palette').count()).toBe(1);
    expect(await paletteTypes(page)).toEqual([
      'image/load',
      'image/preview',
      'image/resize',
      'image/save',
      'value/number',
      'value/text',
    ]);
    expect(await page.locator('#editor clip-pae-node').count()).toBe(3);
  });

  it('creates one connection for one drag', async () => {
    await drag(port('image/load', 'out', 'image'), port('image/resize', 'in', 'image'));
    await expect.poll(async () => (await doc()).connections.length).toBe(1);
    expect(await page.evaluate(() => (window as any).__remount.created)).toEqual(['load-1→resize-1']);
    // A second connection plugin left over would try the same drop and be refused (input taken).
    expect(await page.evaluate(() => (window as any).__remount.refused)).toEqual([]);
  });

  it('records one undo step for one param edit, and one Ctrl+Z takes back just that', async () => {
    const before = await historyLength();
    const changes = await page.evaluate(() => (window as any).__remount.changes.length as number);
    const width = card('image/resize').locator('clip-pae-param[name="width"] input[type="number"]');
    await width.fill('128');
    await width.press('Enter');
    const widthParam = async () => (await doc()).nodes.find((n) => n.id === 'resize-1')!.params.width;
    await expect.poll(widthParam).toBe(128);
    expect(await historyLength()).toBe(before + 1);
    const announced = await page.evaluate((n) => (window as any).__remount.changes.slice(n), changes);
    expect(announced).toEqual(['params']);

    await page.mouse.click(1150, 760);
    await page.keyboard.press('Control+z');
    await expect.poll(widthParam).toBe(256);
    expect((await doc()).connections).toHaveLength(1);
  });

  it('takes a Number into a param socket and shows the param as fed from the input', async () => {
    const width = card('image/resize').locator('clip-pae-param[name="width"]');
    expect(await width.getAttribute('from-input')).toBeNull();
    await drag(port('value/number', 'out', 'value'), port('image/resize', 'in', 'width'));
    await expect.poll(async () => (await doc()).connections.length).toBe(2);
    expect((await doc()).connections[1]).toEqual({
      from: { node: 'number-1', output: 'value' },
      to: { node: 'resize-1', input: 'width' },
    });
    await expect.poll(() => width.getAttribute('from-input')).toBe('');
    expect(await width.locator('[data-testid="from-input"]').textContent()).toBe('from input');
    expect(await width.locator('input[type="number"]').isDisabled()).toBe(true);
    expect(await card('image/resize').locator('clip-pae-param[name="height"] input[type="number"]').isDisabled()).toBe(
      false,
    );
    await page.screenshot({ path: '/tmp/rete-clip-pae-remount.png' });
  });

  it('opens one menu on a right-click', async () => {
    await page.mouse.click(1000, 600, { button: 'right' });
    await expect.poll(() => page.locator('clip-pae-menu').count()).toBe(1);
    await page.mouse.click(1150, 760);
    expect(pageErrors).toEqual([]);
  });
});
