// Bundle folders in the app, in headless chromium: a copy of the demo bundle opened through Load
// Models' folder input is kept in the origin private file system, loads from there (licence shown),
// still loads after a reload, is listed by the models panel, and once removed fails with a clear error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { collectPageErrors, launchChromium, REPO_ROOT, serveApp, type Served } from './helpers.js';
import type { GraphDocument } from '../../src/engine/graph/document.js';

let served: Served;
let browser: Browser;
let page: Page;
let pageErrors: string[];
let temp: string;
/** A copy of public/models/demo whose manifest says it is the copy (name and licence). */
let bundleDir: string;
let notBundleDir: string;

const SOURCE = 'folder:mydemo/manifest.json';
const nodeCard = (id: string) => page.locator(`#canvas clip-pae-node[data-node-id="${id}"]`);
const keptRow = () => page.locator(`clip-pae-models [data-testid="bundle"][data-source="${SOURCE}"]`);

async function waitUntilLoaded(): Promise<void> {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
}

async function doc(): Promise<GraphDocument> {
  return page.evaluate(() => (window as any).__app.clipPae.toDocument());
}

async function loadModelsId(): Promise<string> {
  const node = (await doc()).nodes.find((n) => n.type === 'models/load');
  if (!node) throw new Error('the open graph has no Load Models node');
  return node.id;
}

async function bundleParam(): Promise<unknown> {
  const id = await loadModelsId();
  return (await doc()).nodes.find((n) => n.id === id)?.params.bundle;
}

/** Runs Load Models alone (Run to here) and returns its done outputs or its error. */
async function runLoadModels(): Promise<{ outputs?: Record<string, { kind: string; text?: string }>; error?: string }> {
  const id = await loadModelsId();
  return page.evaluate(async (node) => {
    const app = (window as any).__app;
    const seen: { outputs?: Record<string, unknown>; error?: string } = {};
    const stop = app.onRunEvent((e: any) => {
      if (e.node !== node) return;
      if (e.type === 'done') seen.outputs = e.outputs;
      if (e.type === 'error') seen.error = e.message;
    });
    app.runs.run([node]);
    await app.runs.queue.idle();
    await app.runs.stored();
    stop();
    return seen as any;
  }, id);
}

/** The files kept in OPFS for a folder, or null when none is kept under that name. */
async function keptFiles(name = 'mydemo'): Promise<string[] | null> {
  return page.evaluate(async (name) => {
    try {
      const root = await navigator.storage.getDirectory();
      const folder = await (await root.getDirectoryHandle('bundles')).getDirectoryHandle(name);
      const names: string[] = [];
      for await (const [name] of (folder as any).entries()) names.push(name);
      return names.sort();
    } catch {
      return null;
    }
  }, name);
}

beforeAll(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'clip-pae-folders-'));
  bundleDir = path.join(temp, 'mydemo');
  await cp(path.join(REPO_ROOT, 'public/models/demo'), bundleDir, { recursive: true });
  const manifest = JSON.parse(await readFile(path.join(bundleDir, 'manifest.json'), 'utf8'));
  await writeFile(
    path.join(bundleDir, 'manifest.json'),
    JSON.stringify({ ...manifest, name: 'demo copy', license: 'MIT (copy)' }, null, 2),
  );
  notBundleDir = path.join(temp, 'photos');
  await mkdir(notBundleDir);
  await writeFile(path.join(notBundleDir, 'a.txt'), 'not a bundle');

  served = await serveApp('folders');
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  page = await context.newPage();
  pageErrors = collectPageErrors(page);
  await page.goto(served.url);
  await waitUntilLoaded();
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
  if (temp) await rm(temp, { recursive: true, force: true });
});

describe('bundle folders', () => {
  it('refuses a folder without manifest.json, naming it, and keeps the bundle param', async () => {
    const id = await loadModelsId();
    const before = await bundleParam();
    await nodeCard(id).locator('[data-testid="bundle-folder"]').setInputFiles(notBundleDir);
    await expect
      .poll(() => nodeCard(id).locator('[data-testid="bundle-problem"]').textContent(), { timeout: 30_000 })
      .toBe('the folder photos has no manifest.json, so it is not a model bundle');
    expect(await bundleParam()).toBe(before);
    expect(await keptFiles('photos')).toBeNull();
  });

  it('opens a folder on Load Models, keeps it in OPFS and loads it from there', async () => {
    const id = await loadModelsId();
    await nodeCard(id).locator('[data-testid="bundle-folder"]').setInputFiles(bundleDir);
    await expect.poll(bundleParam, { timeout: 30_000 }).toBe(SOURCE);
    expect(await nodeCard(id).locator('[data-testid="bundle-problem"]').count()).toBe(0);
    // Every file of the folder was copied, the manifest included.
    const files = await keptFiles();
    expect(files).toContain('manifest.json');
    expect(files).toContain('generator.onnx');
    expect(files).toContain('MODEL_CARD.md');

    const run = await runLoadModels();
    expect(run.error).toBeUndefined();
    // The name and licence are the copy's manifest's: the bundle came from the kept folder.
    expect(run.outputs?.models?.text).toMatch(/^demo copy · /);
    expect(run.outputs?.license?.text).toBe('Licence: MIT (copy) · model card: MODEL_CARD.md');
    await expect
      .poll(() => nodeCard(id).locator('[data-output="license"]').textContent(), { timeout: 30_000 })
      .toContain('Licence: MIT (copy)');
    // Kept files are not also put into Cache Storage.
    const cached = await page.evaluate(async () =>
      (await (await caches.open('rete-clip-pae-models')).keys()).map((r) => r.url),
    );
    expect(cached).toEqual([]);
  });

  it('still loads the kept folder after a reload, and the models panel lists it', async () => {
    await page.evaluate(() => (window as any).__app.autosaveNow());
    await page.reload();
    await waitUntilLoaded();
    expect(await bundleParam()).toBe(SOURCE);
    const run = await runLoadModels();
    expect(run.error).toBeUndefined();
    expect(run.outputs?.license?.text).toBe('Licence: MIT (copy) · model card: MODEL_CARD.md');

    await page.locator('clip-pae-toolbar [data-action="models"]').click();
    await keptRow().waitFor({ timeout: 30_000 });
    expect(await keptRow().getAttribute('data-kept')).toBe('true');
    expect(await keptRow().locator('[data-testid="bundle-license"]').textContent()).toContain('MIT (copy)');
    expect(await keptRow().locator('[data-testid="bundle-size"]').textContent()).toMatch(/MB in \d+ files$/);
    expect(await keptRow().locator('[data-testid="bundle-cache"]').textContent()).toBe(
      'kept in this browser, not cached',
    );

    // Use in Load Models puts the kept folder back into the node.
    const id = await loadModelsId();
    await page.evaluate(
      (node) => (window as any).__app.clipPae.setParam(node, 'bundle', 'models/demo/manifest.json'),
      id,
    );
    await keptRow().locator('[data-action="use-bundle"]').click();
    await expect.poll(bundleParam, { timeout: 30_000 }).toBe(SOURCE);
    expect(await page.locator('clip-pae-models [data-testid="models-message"]').textContent()).toBe(
      `Load Models (${id}) now loads ${SOURCE}`,
    );
  });

  it('once removed, the folder is gone from OPFS and a run says to open it again', async () => {
    await keptRow().locator('[data-action="remove-folder"]').click();
    await expect
      .poll(() => page.locator('clip-pae-models [data-testid="models-message"]').textContent(), { timeout: 30_000 })
      .toBe('Removed mydemo from this browser');
    expect(await keptFiles()).toBeNull();
    // The graph still names the folder: the panel says it is no longer kept.
    await expect.poll(() => keptRow().getAttribute('data-kept'), { timeout: 30_000 }).toBe('false');
    expect(await keptRow().textContent()).toContain('no longer kept in this browser');
    await page.locator('clip-pae-toolbar [data-action="models"]').click();

    const run = await runLoadModels();
    expect(run.outputs).toBeUndefined();
    expect(run.error).toContain("the bundle folder 'mydemo' is no longer kept in this browser");
    expect(run.error).toContain("open the folder again with Load Models' Open folder…");
    const id = await loadModelsId();
    expect(await nodeCard(id).locator('[data-testid="error"]').textContent()).toContain('no longer kept');
    // The graph keeps naming the folder: opening it again is all it takes.
    expect(await bundleParam()).toBe(SOURCE);
  });

  it("opening the folder again in the models panel (the same copy as the node's) makes the graph load again", async () => {
    await page.locator('clip-pae-toolbar [data-action="models"]').click();
    await page.locator('clip-pae-models [data-testid="models-folder"]').setInputFiles(bundleDir);
    await expect
      .poll(() => page.locator('clip-pae-models [data-testid="models-message"]').textContent(), { timeout: 30_000 })
      .toBe('Kept mydemo in this browser');
    await expect.poll(() => keptRow().getAttribute('data-kept'), { timeout: 30_000 }).toBe('true');
    expect(await keptFiles()).toContain('generator.onnx');
    await page.locator('clip-pae-toolbar [data-action="models"]').click();
    const run = await runLoadModels();
    expect(run.error).toBeUndefined();
    expect(run.outputs?.models?.text).toMatch(/^demo copy · /);

    // In a graph without Load Models, Use in Load Models says so and changes nothing.
    await page.locator('clip-pae-toolbar select[data-action="examples"]').selectOption('test-pattern');
    await expect.poll(async () => (await doc()).nodes.some((n) => n.type === 'image/load')).toBe(true);
    const before = await doc();
    await page.locator('clip-pae-toolbar [data-action="models"]').click();
    await keptRow().locator('[data-action="use-bundle"]').click();
    await expect
      .poll(() => page.locator('clip-pae-models [data-testid="models-message"]').textContent(), { timeout: 30_000 })
      .toBe('The graph has no Load Models node: add one (palette, Models), then press Use in Load Models again.');
    expect((await doc()).nodes).toEqual(before.nodes);
    // The failed run above logs nothing as a page error; only the run's own message says it.
    expect(pageErrors).toEqual([]);
  });
});
