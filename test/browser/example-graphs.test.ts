// Every example graph in graphs/ runs in headless chromium, in the engine's real Web Worker with
// onnxruntime-web on the device the graphs ask for ('auto', which is wasm where WebGPU is only a
// software adapter). The long parts are cut short as in test/cli/graphs.test.ts, and every
// picture the graph shows to the user (Save Image, Compare, Preview, the α strip) must be there
// and not be flat.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { GraphDocument } from '../../src/engine/graph/document.js';
import type { PageRun } from './default-graph/main.js';
import { collectPageErrors, launchChromium, REPO_ROOT, serveApp, type Served } from './helpers.js';

const examples = readdirSync(path.join(REPO_ROOT, 'graphs'))
  .filter((f) => f.endsWith('.json'))
  .sort();

/** The pictures each node type shows, by the name it shows them under. */
const PICTURES: Record<string, string> = {
  'image/save': 'image',
  'image/preview': 'image',
  'output/compare': 'comparison',
  'optimize/alpha-sweep': 'strip',
};

/** The same cuts as the CLI test's --set overrides: a few steps still exercise every path. */
function shortRun(doc: GraphDocument): GraphDocument {
  const short = structuredClone(doc);
  for (const n of short.nodes) {
    if (n.type === 'optimize/edit') Object.assign(n.params, { steps: 3, previewEvery: 1 });
    if (n.type === 'optimize/alpha-sweep') Object.assign(n.params, { steps: 2, alphas: '0,4' });
    if (n.type === 'latent/invert') Object.assign(n.params, { refineSteps: 2 });
  }
  return short;
}

interface PictureStats {
  width: number;
  height: number;
  variance: number;
  finite: boolean;
}

/** What the test reads back of a run: the pictures reduced to statistics in the page, not megabytes of pixels. */
interface GraphRun {
  summary: PageRun['summary'];
  errors: PageRun['errors'];
  runtime: string | undefined;
  pictures: Record<string, PictureStats | undefined>;
}

let served: Served;
let browser: Browser;
let page: Page;
let pageErrors: string[];

beforeAll(async () => {
  served = await serveApp('example-graphs');
  browser = await launchChromium();
  page = await browser.newPage();
  pageErrors = collectPageErrors(page);
  // The default-graph test page exposes the engine worker's run; any document can go through it.
  await page.goto(`${served.url}test/browser/default-graph/index.html`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

function runInPage(doc: GraphDocument, pictures: Record<string, string>): Promise<GraphRun> {
  return page.evaluate(
    async ({ doc, pictures }) => {
      const p = (window as unknown as { __pipeline: { run(doc: GraphDocument): Promise<PageRun> } }).__pipeline;
      const result = await p.run(doc);
      const stats: Record<string, PictureStats | undefined> = {};
      for (const [node, output] of Object.entries(pictures)) {
        const shown = result.done[node]?.[output] as
          | { kind: string; image: { width: number; height: number; data: number[] } }
          | undefined;
        if (shown?.kind !== 'image') {
          stats[node] = undefined;
          continue;
        }
        const data = shown.image.data;
        const mean = data.reduce((s, v) => s + v, 0) / data.length;
        stats[node] = {
          width: shown.image.width,
          height: shown.image.height,
          variance: data.reduce((s, v) => s + (v - mean) ** 2, 0) / data.length,
          finite: data.every(Number.isFinite),
        };
      }
      const runtime = Object.values(result.done).find((outputs) => outputs.runtime !== undefined)?.runtime as
        | { text: string }
        | undefined;
      return { summary: result.summary, errors: result.errors, runtime: runtime?.text, pictures: stats };
    },
    { doc, pictures },
  );
}

describe('every example graph runs in the browser engine worker', () => {
  it('has the pipeline and image examples', () => {
    expect(examples).toEqual(
      expect.arrayContaining([
        'default.json',
        'chain-three-edits.json',
        'text-vs-pae.json',
        'alpha-sweep.json',
        'invert-then-edit.json',
        'photo-edit.json',
        'global-directions.json',
        'resize-modes.json',
        'test-pattern.json',
      ]),
    );
  });

  const runtimes = new Set<string>();

  it.each(examples)('%s', async (name) => {
    const doc = JSON.parse(readFileSync(path.join(REPO_ROOT, 'graphs', name), 'utf8')) as GraphDocument;
    const pictures = Object.fromEntries(
      doc.nodes.filter((n) => n.type in PICTURES).map((n) => [n.id, PICTURES[n.type]!]),
    );
    expect(Object.keys(pictures).length).toBeGreaterThan(0);
    const run = await runInPage(shortRun(doc), pictures);
    expect(run.errors).toEqual([]);
    expect(run.summary.status).toBe('ok');
    for (const [id, outcome] of Object.entries(run.summary.nodes))
      expect({ id, status: outcome.status }).toEqual({ id, status: 'done' });
    expect(run.summary.files).toHaveLength(doc.nodes.filter((n) => n.type === 'image/save').length);
    for (const [id, stats] of Object.entries(run.pictures)) {
      expect(stats, `${id} showed no picture`).toBeDefined();
      expect(stats!.width).toBeGreaterThan(0);
      expect(stats!.height).toBeGreaterThan(0);
      expect(stats!.finite).toBe(true);
      // A flat picture means the node produced nothing worth looking at.
      expect(stats!.variance, `${id} picture is flat`).toBeGreaterThan(1e-4);
    }
    if (doc.nodes.some((n) => n.type === 'models/load')) {
      expect(run.runtime).toMatch(/^(wasm|WebGPU)$/);
      runtimes.add(run.runtime!);
    }
  });

  it('picks one runtime for every graph that loads models', () => {
    expect([...runtimes]).toHaveLength(1);
  });

  it('logs no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
