// Every PyTorch fixture's gradient model (forward output plus the gradient of every input and
// parameter PyTorch checked) on onnxruntime-web's WebGPU execution provider (headless chromium,
// SwiftShader) must match the same model on wasm, output by output. onnxruntime-web/webgpu is the
// same C++ WebGPU EP that onnxruntime-node runs natively on a real GPU; the native EP lays tensors
// out NHWC by default and the web one NCHW, so every WebGPU run is done in both layouts (the NHWC
// grouped Conv/ConvTranspose kernels are the ones with faults, see src/engine/onnx/grouped-conv.ts).
// The grouped probes (bench/gpu/probes.ts) check the rewritten forms on those kernels directly.
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { GROUPED_CASES, groupedProbe, type Probe } from '../../bench/gpu/probes.js';
import { gradientModel } from '../../src/engine/onnx/gradient.js';
import { readModel, writeModel } from '../../src/engine/onnx/model.js';
import { FIXTURES, loadFixture, relErr, type Fixture } from '../onnx/fixtures.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const ORT_DIST = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-web/webgpu'));

const PAGE = `<!doctype html><meta charset="utf-8"><title>onnx webgpu fixtures</title>
<script type="module">
  import * as ort from '/ort/ort.webgpu.min.mjs';
  ort.env.wasm.wasmPaths = '/ort/';
  ort.env.wasm.numThreads = 1;
  window.ort = ort;
  window.ortReady = true;
</script>`;

const TYPES: Record<string, string> = { '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

function serve(models: Map<string, Uint8Array>): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    try {
      const model = url.pathname.startsWith('/models/') ? models.get(path.basename(url.pathname, '.onnx')) : undefined;
      if (url.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      } else if (model) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(model);
      } else if (url.pathname.startsWith('/ort/')) {
        const file = path.join(ORT_DIST, path.basename(url.pathname));
        res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(await readFile(file));
      } else res.writeHead(404).end();
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    resolve({ server, url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/` });
  }));
}

type Outputs = Record<string, { dims: number[]; data: number[] }>;
type Layout = 'NCHW' | 'NHWC';
const LAYOUTS: Layout[] = ['NCHW', 'NHWC'];
interface PageResult { hasGpu: boolean; wasm: Outputs; webgpu: Partial<Record<Layout, Outputs>>; error?: string }
type Feeds = Record<string, { data: number[]; dims: number[] }>;

/** Runs /models/<name>.onnx on wasm and on WebGPU in each layout, inside the page. */
async function runInPage(page: import('playwright-core').Page, name: string, feeds: Feeds): Promise<PageResult> {
  return page.evaluate(async ({ name, feeds, layouts }): Promise<PageResult> => {
    const ort = (window as unknown as { ort: typeof import('onnxruntime-web') }).ort;
    const bytes = new Uint8Array(await (await fetch(`/models/${name}.onnx`)).arrayBuffer());
    const run = async (ep: 'webgpu' | 'wasm', layout?: Layout): Promise<Outputs> => {
      const session = await ort.InferenceSession.create(bytes, { executionProviders: [ep === 'webgpu' ? { name: 'webgpu', preferredLayout: layout } : ep] });
      const f: Record<string, InstanceType<typeof ort.Tensor>> = {};
      for (const [k, v] of Object.entries(feeds)) f[k] = new ort.Tensor('float32', Float32Array.from(v.data), v.dims);
      const out = await session.run(f);
      const r: Outputs = {};
      for (const [k, t] of Object.entries(out)) r[k] = { dims: [...t.dims], data: Array.from(t.data as Float32Array) };
      await session.release();
      return r;
    };
    const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    const hasGpu = !!gpu && !!(await gpu.requestAdapter());
    const wasm = await run('wasm');
    const webgpu: PageResult['webgpu'] = {};
    if (!hasGpu) return { hasGpu, wasm, webgpu };
    try {
      for (const l of layouts) webgpu[l] = await run('webgpu', l);
      return { hasGpu, wasm, webgpu };
    } catch (e) {
      return { hasGpu, wasm, webgpu, error: String(e) };
    }
  }, { name, feeds, layouts: LAYOUTS });
}

describe('fixture gradient models on WebGPU vs wasm (headless chromium)', () => {
  let browser: Browser | undefined;
  let server: Server | undefined;
  let url = '';
  const fixtures = new Map<string, { fx: Fixture; wrt: string[] }>();
  const probes = new Map<string, Probe>();

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH`);
    const models = new Map<string, Uint8Array>();
    for (const name of FIXTURES) {
      const fx = loadFixture(name);
      const wrt = Object.keys(fx.grads);
      models.set(name, writeModel(gradientModel(readModel(fx.model, name), { of: fx.of, wrt })));
      fixtures.set(name, { fx, wrt });
    }
    GROUPED_CASES.forEach((c, i) => {
      for (const rewrite of [false, true]) {
        const p = groupedProbe(c, rewrite);
        models.set(`probe${i}${rewrite ? 'r' : ''}`, p.bytes);
        probes.set(`probe${i}${rewrite ? 'r' : ''}`, p);
      }
    });
    ({ server, url } = await serve(models));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  for (const name of FIXTURES) {
    it(`${name}: every output on the WebGPU EP matches wasm`, async () => {
      const { fx, wrt } = fixtures.get(name)!;
      const page = await browser!.newPage();
      await page.goto(url);
      await page.waitForFunction(() => (window as unknown as { ortReady?: boolean }).ortReady === true, null, { timeout: 60_000 });
      const feeds = Object.fromEntries(Object.entries(fx.inputs).map(([k, t]) => [k, { data: Array.from(t.data), dims: t.dims }]));
      feeds[`${fx.of}_grad`] = { data: Array.from(fx.seed.data), dims: fx.seed.dims };
      const result = await runInPage(page, name, feeds);
      await page.close();
      expect(result.hasGpu, 'navigator.gpu adapter (chromium with --enable-unsafe-webgpu)').toBe(true);
      expect(result.error).toBeUndefined();
      const names = [fx.of, ...wrt.map((w) => `${w}_grad`)];
      expect(Object.keys(result.wasm).sort()).toEqual([...names].sort());
      // wasm itself is anchored to PyTorch, so a WebGPU match means a match with autograd.
      expect(relErr(result.wasm[fx.of]!.data, fx.output.data), `${name}: wasm ${fx.of}`).toBeLessThan(1e-4);
      for (const w of wrt) expect(relErr(result.wasm[`${w}_grad`]!.data, fx.grads[w]!.data), `${name}: wasm ${w}_grad`).toBeLessThan(1e-3);
      for (const layout of LAYOUTS) {
        const gpu = result.webgpu[layout]!;
        const errors = Object.fromEntries(names.map((k) => [k, relErr(gpu[k]!.data, result.wasm[k]!.data)]));
        console.log(`${name}: WebGPU (${layout}) vs wasm max rel err per output ${JSON.stringify(errors)}`);
        for (const k of names) {
          expect(gpu[k]!.dims, `${name}: ${k} dims (${layout})`).toEqual(result.wasm[k]!.dims);
          expect(errors[k], `${name}: ${k} on WebGPU (${layout}) vs wasm`).toBeLessThan(1e-3);
        }
      }
    });
  }

  it('grouped Conv/ConvTranspose probes: the rewritten forms match wasm in both layouts', async () => {
    const page = await browser!.newPage();
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { ortReady?: boolean }).ortReady === true, null, { timeout: 60_000 });
    const report: string[] = [];
    for (const key of probes.keys()) {
      const p = probes.get(key)!;
      const feeds: Feeds = Object.fromEntries(p.feeds.map((f) => [f.name, { data: f.values, dims: f.dims }]));
      const result = await runInPage(page, key, feeds);
      expect(result.hasGpu).toBe(true);
      expect(result.error, p.name).toBeUndefined();
      const out = Object.keys(result.wasm)[0]!;
      const errs = LAYOUTS.map((l) => relErr(result.webgpu[l]![out]!.data, result.wasm[out]!.data));
      report.push(`${p.name}: NCHW ${errs[0]!.toExponential(1)}, NHWC ${errs[1]!.toExponential(1)}`);
      // The raw ops are only reported: whether they are wrong is onnxruntime's business.
      if (key.endsWith('r')) for (const [i, l] of LAYOUTS.entries()) expect(errs[i], `${p.name} (${l})`).toBeLessThan(1e-4);
    }
    console.log(`WebGPU vs wasm, max rel err:\n${report.join('\n')}`);
    await page.close();
  });
});
