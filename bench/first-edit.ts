// Time from page load to the first edited face: the editor app (`npm start`'s page, on a vite dev
// server at 127.0.0.1) opens graphs/default.json, Run is clicked as soon as the page is ready, and
// the clock stops when the Compare node shows the before/after image. Each measurement runs in a
// freshly launched headless chromium, so nothing is cached: the bundle is downloaded, sessions are
// created and the edit's steps are as in default.json. Measured on the app's own device choice
// ('auto', which picks wasm where WebGPU is only a software adapter) and on forced WebGPU
// (SwiftShader here). At the end it reads the JS heaps (page and engine worker, over CDP) and the
// peak RSS of chromium's processes. Run alone with `npx tsx bench/first-edit.ts` (`--device auto`
// or `--device webgpu` for one, `--webgpu-budget s` for the time forced WebGPU may take).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, CDPSession, Page } from 'playwright-core';
import {
  chromiumAvailable,
  collectPageErrors,
  launchChromium,
  serveApp,
  type Served,
} from '../test/browser/helpers.js';
import { REPO_ROOT } from '../test/paths.js';
import { descendantPeaks, largestPeak } from './process-memory.js';

export interface FirstEditRow {
  /** The Load Models node's device param. */
  device: string;
  /** What the toolbar's runtime indicator showed. */
  runtime: string;
  steps: number;
  /** Navigation start → the app has opened default.json (Run can be clicked). */
  readyMs: number | null;
  /** Click on Run → the Compare node shows the edited face. */
  runMs: number | null;
  /** Navigation start → the Compare node shows the edited face. */
  totalMs: number | null;
  note?: string;
}

export interface MemoryRow {
  where: string;
  what: string;
  bytes: number | null;
  note?: string;
}

export interface FirstEditResult {
  rows: FirstEditRow[];
  memory: MemoryRow[];
}

const AUTOSAVE_KEY = 'rete-clip-pae/autosave';
const DEFAULT_GRAPH = join(REPO_ROOT, 'graphs/default.json');

/** default.json with some params changed, to be found by the app as its autosaved graph. */
function defaultGraphWith(change: (node: { type: string; params: Record<string, unknown> }) => void): string {
  const doc = JSON.parse(readFileSync(DEFAULT_GRAPH, 'utf8')) as {
    nodes: { type: string; params: Record<string, unknown> }[];
  };
  for (const node of doc.nodes) change(node);
  return JSON.stringify(doc);
}

function defaultSteps(): number {
  const doc = JSON.parse(readFileSync(DEFAULT_GRAPH, 'utf8')) as {
    nodes: { type: string; params: { steps?: number } }[];
  };
  return doc.nodes.find((n) => n.type === 'optimize/edit')?.params.steps ?? NaN;
}

/**
 * Opens the app in a fresh context. `autosave` is put in localStorage before the app starts, so
 * the app opens that graph instead of default.json (the way to change the device without touching
 * the page after it loaded).
 */
async function openApp(browser: Browser, served: Served, autosave?: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  if (autosave !== undefined)
    await context.addInitScript(([key, value]) => localStorage.setItem(key, value), [AUTOSAVE_KEY, autosave] as const);
  const page = await context.newPage();
  await page.goto(served.url);
  return page;
}

/** Performance.now() in the page (ms since its navigation started) once the app is ready. */
async function whenReady(page: Page): Promise<number> {
  const handle = await page.waitForFunction(
    () => {
      const state = document.body.getAttribute('data-ready');
      if (state === 'error') return 'error';
      return state === 'true' ? performance.now() : null;
    },
    undefined,
    { timeout: 120_000, polling: 20 },
  );
  const value = await handle.jsonValue();
  if (value === 'error') throw new Error('the editor app failed to start (body[data-ready="error"])');
  return value as number;
}

/**
 * The page-side check, as source text: tsx compiles functions with helper calls (`__name`) that do
 * not exist in the page. Searches through shadow roots, since the node cards are lit elements.
 * Gives performance.now() when the Compare node shows its comparison image, or the toolbar's status
 * when the run ended without one.
 */
const EDITED_CHECK = `(() => {
  const deep = (root, selector) => {
    const found = root.querySelector(selector);
    if (found) return found;
    for (const el of root.querySelectorAll('*')) {
      const inner = el.shadowRoot ? deep(el.shadowRoot, selector) : null;
      if (inner) return inner;
    }
    return null;
  };
  const compare = deep(document, '#canvas clip-pae-node[data-node-id="compare"]');
  const image = compare && compare.shadowRoot ? deep(compare.shadowRoot, 'clip-pae-image[data-output="comparison"]') : null;
  if (image && image.image) return { at: performance.now() };
  const toolbar = deep(document, 'clip-pae-toolbar');
  const status = toolbar && toolbar.shadowRoot ? toolbar.shadowRoot.querySelector('[data-testid="status"]') : null;
  const text = status ? status.textContent : '';
  if (/failed|cannot run|Cancelled/.test(text)) return { failed: text };
  return null;
})()`;

async function whenEdited(page: Page, timeoutMs: number): Promise<{ at: number } | { failed: string }> {
  const handle = await page.waitForFunction(EDITED_CHECK, undefined, { timeout: timeoutMs, polling: 20 });
  return (await handle.jsonValue()) as { at: number } | { failed: string };
}

/** The edit node's last progress text ("step 12/60 · loss …"), for a run that ran out of time. */
async function editProgress(page: Page): Promise<string> {
  try {
    const text = await page
      .locator('#canvas clip-pae-node[data-node-id="edit"]')
      .locator('text=/step \\d+\\/\\d+/')
      .first()
      .textContent({ timeout: 2000 });
    return text?.trim() ?? '';
  } catch {
    return '';
  }
}

interface CdpMessage {
  id?: number;
  result?: unknown;
  error?: { message: string };
}

/** Runtime.getHeapUsage in every dedicated worker of the browser (the engine worker). */
async function workerHeaps(
  browser: Browser,
): Promise<{ url: string; usedSize: number; totalSize: number; backingStorageSize?: number }[]> {
  const cdp: CDPSession = await browser.newBrowserCDPSession();
  try {
    const { targetInfos } = await cdp.send('Target.getTargets');
    const heaps = [];
    for (const target of targetInfos.filter((t) => t.type === 'worker')) {
      // A non-flat session: playwright's CDPSession cannot address a child session, so the worker
      // is spoken to through Target.sendMessageToTarget.
      const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
      const reply = new Promise<CdpMessage>((resolveReply, reject) => {
        const timer = setTimeout(() => reject(new Error('no answer from the worker')), 10_000);
        cdp.on('Target.receivedMessageFromTarget', (event) => {
          if (event.sessionId !== sessionId) return;
          const message = JSON.parse(event.message) as CdpMessage;
          if (message.id !== 1) return;
          clearTimeout(timer);
          resolveReply(message);
        });
      });
      await cdp.send('Target.sendMessageToTarget', {
        sessionId,
        message: JSON.stringify({ id: 1, method: 'Runtime.getHeapUsage' }),
      });
      const message = await reply;
      if (message.error) throw new Error(`Runtime.getHeapUsage in the worker: ${message.error.message}`);
      heaps.push({
        url: target.url,
        ...(message.result as { usedSize: number; totalSize: number; backingStorageSize?: number }),
      });
      await cdp.send('Target.detachFromTarget', { sessionId });
    }
    return heaps;
  } finally {
    await cdp.detach();
  }
}

async function pageHeap(page: Page): Promise<{ used: number; total: number }> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
    return { used: metric('JSHeapUsedSize'), total: metric('JSHeapTotalSize') };
  } finally {
    await cdp.detach();
  }
}

/** Loads every module and the bundle once (a short run), so vite's first transforms are not timed. */
async function warmUp(served: Served): Promise<void> {
  const browser = await launchChromium();
  try {
    const page = await openApp(
      browser,
      served,
      defaultGraphWith((n) => {
        if (n.type === 'models/load') n.params.device = 'wasm';
        if (n.type === 'optimize/edit') n.params.steps = 2;
      }),
    );
    await whenReady(page);
    await page.locator('clip-pae-toolbar [data-action="run"]').click();
    const outcome = await whenEdited(page, 300_000);
    if ('failed' in outcome) throw new Error(`warm-up run of default.json: ${outcome.failed}`);
  } finally {
    await browser.close();
  }
}

async function measureDevice(served: Served, device: 'auto' | 'webgpu', budgetMs: number): Promise<FirstEditResult> {
  const steps = defaultSteps();
  const label = device === 'auto' ? 'auto (app default)' : 'webgpu (forced)';
  const browser = await launchChromium();
  try {
    const page = await openApp(
      browser,
      served,
      device === 'auto'
        ? undefined
        : defaultGraphWith((n) => {
            if (n.type === 'models/load') n.params.device = device;
          }),
    );
    const errors = collectPageErrors(page);
    const readyMs = await whenReady(page);
    const clickedMs = (await page.evaluate(() => performance.now())) as number;
    await page.locator('clip-pae-toolbar [data-action="run"]').click();
    let outcome: { at: number } | { failed: string } | { timedOut: string };
    try {
      outcome = await whenEdited(page, budgetMs);
    } catch (e) {
      if (!(e instanceof Error && e.name === 'TimeoutError')) throw e;
      outcome = { timedOut: await editProgress(page) };
    }
    const statusText = async () =>
      ((await page.locator('clip-pae-toolbar [data-testid="status"]').textContent()) ?? '').trim();
    // The nodes after Compare (Save Image) may still be running: let the run end before reading
    // its status and the memory "at the end of the run".
    if ('at' in outcome) {
      const end = Date.now() + 60_000;
      while (/^Running/.test(await statusText()) && Date.now() < end) await page.waitForTimeout(100);
    }
    const runtime =
      ((await page.locator('clip-pae-toolbar [data-testid="runtime"]').textContent()) ?? '').trim() || '?';
    const status = await statusText();
    const row: FirstEditRow = { device: label, runtime, steps, readyMs, runMs: null, totalMs: null };
    if ('at' in outcome) {
      row.runMs = outcome.at - clickedMs;
      row.totalMs = outcome.at;
      row.note = status;
    } else if ('failed' in outcome) {
      row.note = `run failed: ${outcome.failed}${errors.length ? `; ${errors[0]}` : ''}`;
    } else {
      row.note = `not finished after ${(budgetMs / 1000).toFixed(0)} s${outcome.timedOut ? ` (${outcome.timedOut})` : ''}`;
    }

    const where = `chromium, default.json, ${label}`;
    const memory: MemoryRow[] = [];
    const heap = await pageHeap(page);
    memory.push({
      where,
      what: 'page JS heap used (CDP Performance.getMetrics)',
      bytes: heap.used,
      note: `heap size ${mib(heap.total)} MiB`,
    });
    try {
      for (const w of await workerHeaps(browser)) {
        const backing =
          w.backingStorageSize !== undefined ? `; ArrayBuffer backing stores ${mib(w.backingStorageSize)} MiB` : '';
        memory.push({
          where,
          what: 'engine worker JS heap used (CDP Runtime.getHeapUsage)',
          bytes: w.usedSize,
          note: `heap size ${mib(w.totalSize)} MiB${backing}`,
        });
      }
    } catch (e) {
      memory.push({
        where,
        what: 'engine worker JS heap used',
        bytes: null,
        note: `not read: ${(e as Error).message}`,
      });
    }
    const peaks = descendantPeaks();
    memory.push({
      where,
      what: 'renderer process peak RSS (VmHWM)',
      bytes: largestPeak(peaks, 'renderer'),
      note: 'page + engine worker, wasm heap included',
    });
    memory.push({
      where,
      what: 'GPU process peak RSS (VmHWM)',
      bytes: largestPeak(peaks, 'gpu-process'),
      note: device === 'webgpu' ? 'SwiftShader keeps WebGPU buffers here' : '',
    });
    return { rows: [row], memory };
  } finally {
    await browser.close();
  }
}

export function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

/** Both measurements, after a warm-up; none when chromium is missing. */
export async function benchFirstEdit(
  options: { devices?: ('auto' | 'webgpu')[]; webgpuBudgetS?: number } = {},
): Promise<FirstEditResult> {
  if (!chromiumAvailable()) return { rows: [], memory: [] };
  const served = await serveApp('bench-first-edit');
  const result: FirstEditResult = { rows: [], memory: [] };
  try {
    await warmUp(served);
    for (const device of options.devices ?? ['auto', 'webgpu']) {
      const budgetMs = device === 'webgpu' ? (options.webgpuBudgetS ?? 300) * 1000 : 600_000;
      const measured = await measureDevice(served, device, budgetMs);
      result.rows.push(...measured.rows);
      result.memory.push(...measured.memory);
    }
  } finally {
    await served.close();
  }
  return result;
}

export function formatFirstEditRows(rows: FirstEditRow[]): string {
  const s = (ms: number | null) => (ms === null ? 'n/a' : (ms / 1000).toFixed(1));
  return formatTable(
    ['device', 'runtime', 'steps', 'page ready s', 'Run → edited face s', 'load → edited face s', 'note'],
    rows.map((r) => [r.device, r.runtime, String(r.steps), s(r.readyMs), s(r.runMs), s(r.totalMs), r.note ?? '']),
    [2, 3, 4, 5],
  );
}

export function formatMemoryRows(rows: MemoryRow[]): string {
  return formatTable(
    ['where', 'what', 'MiB', 'note'],
    rows.map((r) => [r.where, r.what, r.bytes === null ? 'n/a' : mib(r.bytes), r.note ?? '']),
    [2],
  );
}

function formatTable(header: string[], body: string[][], rightAligned: number[]): string {
  const table = [header, ...body];
  const widths = header.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const line = (row: string[]) =>
    row
      .map((cell, c) => (rightAligned.includes(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

const invokedDirectly =
  process.argv[1] !== undefined && pathToFileURL(resolve(process.argv[1])).href === import.meta.url;
if (invokedDirectly) {
  const args = process.argv.slice(2);
  const deviceAt = args.indexOf('--device');
  const budgetAt = args.indexOf('--webgpu-budget');
  const device = deviceAt >= 0 ? args[deviceAt + 1] : undefined;
  if (device !== undefined && device !== 'auto' && device !== 'webgpu')
    throw new Error(`--device must be auto or webgpu, got ${device}`);
  const devices = device === undefined ? undefined : [device as 'auto' | 'webgpu'];
  const result = await benchFirstEdit({
    devices,
    webgpuBudgetS: budgetAt >= 0 ? Number(args[budgetAt + 1]) : undefined,
  });
  console.log(formatFirstEditRows(result.rows));
  console.log();
  console.log(formatMemoryRows(result.memory));
}
