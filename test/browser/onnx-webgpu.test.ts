// The guided-loss gradient model on onnxruntime-web's WebGPU execution provider (headless chromium,
// SwiftShader) must match the same model on wasm. Self-contained: a small http server on 127.0.0.1
// serves onnxruntime-web's dist folder, a page that imports it, and the model bytes.
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { gradientModel } from '../../src/engine/onnx/gradient.js';
import { readModel, writeModel } from '../../src/engine/onnx/model.js';
import { loadFixture, relErr } from '../onnx/fixtures.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const ORT_DIST = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-web/webgpu'));

const PAGE = `<!doctype html><meta charset="utf-8"><title>onnx webgpu</title>
<script type="module">
  import * as ort from '/ort/ort.webgpu.min.mjs';
  ort.env.wasm.wasmPaths = '/ort/';
  ort.env.wasm.numThreads = 1;
  window.ort = ort;
  window.ortReady = true;
</script>`;

const TYPES: Record<string, string> = { '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

function serve(model: Uint8Array): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    try {
      if (url.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      } else if (url.pathname === '/model.onnx') {
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

interface PageResult {
  hasGpu: boolean;
  webgpu?: { loss: number; grad: number[] };
  wasm: { loss: number; grad: number[] };
  error?: string;
}

describe('gradient model on WebGPU (headless chromium)', () => {
  let browser: Browser | undefined;
  let server: Server | undefined;
  let url = '';
  const fx = loadFixture('guided_loss');
  const placement: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH`);
    const gm = gradientModel(readModel(fx.model), { of: fx.of, wrt: ['ws'] });
    ({ server, url } = await serve(writeModel(gm)));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  it('guided-loss gradient on the WebGPU EP matches wasm', async () => {
    const page = await browser!.newPage();
    page.on('console', (m) => {
      const t = m.text();
      // ORT's verbose log names the provider of each node; keep the placement lines.
      if (/All nodes placed|Node\(s\) placed on|will be forced to/i.test(t)) placement.push(t);
    });
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { ortReady?: boolean }).ortReady === true, null, { timeout: 60_000 });
    const feeds = Object.fromEntries(Object.entries(fx.inputs).map(([k, t]) => [k, { data: Array.from(t.data), dims: t.dims }]));
    feeds[`${fx.of}_grad`] = { data: Array.from(fx.seed.data), dims: fx.seed.dims };
    const result = await page.evaluate(async (feeds): Promise<PageResult> => {
      const ort = (window as unknown as { ort: typeof import('onnxruntime-web') }).ort;
      const bytes = new Uint8Array(await (await fetch('/model.onnx')).arrayBuffer());
      const run = async (ep: 'webgpu' | 'wasm') => {
        const session = await ort.InferenceSession.create(bytes, { executionProviders: [ep], logSeverityLevel: ep === 'webgpu' ? 0 : 2 });
        const f: Record<string, InstanceType<typeof ort.Tensor>> = {};
        for (const [k, v] of Object.entries(feeds)) f[k] = new ort.Tensor('float32', Float32Array.from(v.data), v.dims);
        const out = await session.run(f);
        const r = { loss: Number(out.loss!.data[0]), grad: Array.from(out.ws_grad!.data as Float32Array) };
        await session.release();
        return r;
      };
      const hasGpu = !!(navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu
        && !!(await (navigator as unknown as { gpu: { requestAdapter(): Promise<unknown> } }).gpu.requestAdapter());
      const wasm = await run('wasm');
      if (!hasGpu) return { hasGpu, wasm };
      try {
        return { hasGpu, wasm, webgpu: await run('webgpu') };
      } catch (e) {
        return { hasGpu, wasm, error: String(e) };
      }
    }, feeds);
    console.log(`ORT placement log:\n${placement.join('\n')}`);
    expect(result.hasGpu, 'navigator.gpu adapter (chromium with --enable-unsafe-webgpu)').toBe(true);
    expect(result.error).toBeUndefined();
    expect(relErr(result.wasm.grad, fx.grads.ws!.data)).toBeLessThan(1e-3);
    expect(Math.abs(result.webgpu!.loss - result.wasm.loss) / Math.abs(result.wasm.loss)).toBeLessThan(1e-3);
    expect(relErr(result.webgpu!.grad, result.wasm.grad)).toBeLessThan(1e-3);
    // No op of the forward or backward graph falls back to the CPU.
    expect(placement.join('\n')).toMatch(/All nodes placed on \[WebGpuExecutionProvider\]/);
    await page.close();
  });
});
