// The one ORT test page, for the tests that run ONNX models on onnxruntime-web's WebGPU EP against
// its wasm EP: a bare http server on 127.0.0.1 (a secure context, so WebGPU is allowed) that serves
// onnxruntime-web's dist folder, a page that imports it, and the models under test, in the
// chromium of ./helpers.ts. No vite: the page needs nothing but ORT, and a plain server keeps these
// tests independent of the app build.
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type Fixture, gradientFeeds } from '../onnx/fixtures.js';
import { launchChromium } from './helpers.js';

const ORT_DIST = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-web/webgpu'));

const TYPES: Record<string, string> = {
  '.mjs': 'text/javascript',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.html': 'text/html',
};

const page = (title: string) => `<!doctype html><meta charset="utf-8"><title>${title}</title>
<script type="module">
  import * as ort from '/ort/ort.webgpu.min.mjs';
  ort.env.wasm.wasmPaths = '/ort/';
  ort.env.wasm.numThreads = 1;
  window.ort = ort;
  window.ortReady = true;
</script>`;

/** Feeds as plain arrays, so they cross into the page. */
export type Feeds = Record<string, { data: number[]; dims: number[] }>;
/** A gradient fixture's inputs plus its output's seed gradient, the feeds of its gradient model. */
export function fixtureFeeds(fx: Fixture): Feeds {
  return gradientFeeds(fx, (dtype, data, dims) => {
    // The page builds float32 tensors only; no fixture run in the browser has integer inputs.
    if (dtype !== 'float32') throw new Error(`fixture ${fx.name}: the ORT page takes float32 feeds, not ${dtype}`);
    return { data: Array.from(data as Float32Array), dims };
  });
}

export type Outputs = Record<string, { dims: number[]; data: number[] }>;
export type Layout = 'NCHW' | 'NHWC';
/** WebGPU runs are keyed by the layout asked for, or 'default' when none was. */
export type LayoutKey = Layout | 'default';

export interface EpResult {
  hasGpu: boolean;
  wasm: Outputs;
  webgpu: Partial<Record<LayoutKey, Outputs>>;
  error?: string;
}

export interface OrtPage {
  browser: Browser;
  /** Base URL ending in '/'. */
  url: string;
  /** Opens a page with ORT loaded; `onConsole` sees every console line (ORT's logs among them). */
  open(onConsole?: (text: string) => void): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Serves the ORT page with `models` at /models/<name>.onnx and launches chromium. `title` names
 * the page, which helps when reading a trace.
 */
export async function serveOrtPage(title: string, models: Map<string, Uint8Array>): Promise<OrtPage> {
  const html = page(title);
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    try {
      const model = url.pathname.startsWith('/models/') ? models.get(path.basename(url.pathname, '.onnx')) : undefined;
      if (url.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html' }).end(html);
      } else if (model) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(model);
      } else if (url.pathname.startsWith('/ort/')) {
        const file = path.join(ORT_DIST, path.basename(url.pathname));
        res
          .writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' })
          .end(await readFile(file));
      } else res.writeHead(404).end();
    } catch {
      res.writeHead(404).end();
    }
  });
  const url = await new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(`http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/`);
    }),
  );
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (e) {
    await closeServer(server);
    throw e;
  }
  return {
    browser,
    url,
    async open(onConsole) {
      const p = await browser.newPage();
      if (onConsole) p.on('console', (m) => onConsole(m.text()));
      await p.goto(url);
      await p.waitForFunction(() => (window as unknown as { ortReady?: boolean }).ortReady === true, null, {
        timeout: 60_000,
      });
      return p;
    },
    async close() {
      await browser.close();
      await closeServer(server);
    },
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((r) => server.close(() => r()));
}

/**
 * Runs /models/<name>.onnx inside `page` on wasm, then (when the page has a WebGPU adapter) on
 * WebGPU once per entry of `layouts` (undefined: ORT's own choice of layout). `verbose` turns on
 * ORT's verbose log for the WebGPU sessions, which names where each node was placed.
 */
export function runOnEps(
  page: Page,
  name: string,
  feeds: Feeds,
  options: { layouts?: (Layout | undefined)[]; verbose?: boolean } = {},
): Promise<EpResult> {
  const layouts = options.layouts ?? [undefined];
  return page.evaluate(
    async ({ name, feeds, layouts, verbose }): Promise<EpResult> => {
      const ort = (window as unknown as { ort: typeof import('onnxruntime-web') }).ort;
      const bytes = new Uint8Array(await (await fetch(`/models/${name}.onnx`)).arrayBuffer());
      const run = async (ep: 'webgpu' | 'wasm', layout?: Layout): Promise<Outputs> => {
        const provider = ep === 'webgpu' && layout ? { name: 'webgpu', preferredLayout: layout } : ep;
        const session = await ort.InferenceSession.create(bytes, {
          executionProviders: [provider],
          ...(verbose ? { logSeverityLevel: ep === 'webgpu' ? 0 : 2 } : {}),
        });
        const f: Record<string, InstanceType<typeof ort.Tensor>> = {};
        for (const [k, v] of Object.entries(feeds)) f[k] = new ort.Tensor('float32', Float32Array.from(v.data), v.dims);
        const out = await session.run(f);
        const r: Outputs = {};
        for (const [k, t] of Object.entries(out))
          r[k] = { dims: [...t.dims], data: Array.from(t.data as Float32Array) };
        await session.release();
        return r;
      };
      const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      const hasGpu = !!gpu && !!(await gpu.requestAdapter());
      const wasm = await run('wasm');
      const webgpu: EpResult['webgpu'] = {};
      if (!hasGpu) return { hasGpu, wasm, webgpu };
      try {
        for (const l of layouts) webgpu[l ?? 'default'] = await run('webgpu', l ?? undefined);
        return { hasGpu, wasm, webgpu };
      } catch (e) {
        return { hasGpu, wasm, webgpu, error: String(e) };
      }
    },
    { name, feeds, layouts: layouts.map((l) => l ?? null), verbose: options.verbose ?? false },
  );
}

/** ORT's verbose-log lines that say which provider each node went to. */
export const PLACEMENT_LINE = /All nodes placed|Node\(s\) placed on|will be forced to/i;
