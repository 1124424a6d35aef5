// The compiled edit objective on onnxruntime-web's WebGPU EP (headless chromium, SwiftShader) must
// match wasm, with every node, forward and backward, placed on the GPU. Uses the demo bundle when it
// has been built, else the optimizer tests' bundle (the same generator with a small CLIP).
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { parseManifest } from '../../src/engine/models/index.js';
import { buildEditModel, type EditModel } from '../../src/engine/optimize/index.js';
import { writeOptimizeBundle } from './fixture.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const ORT_DIST = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-web/webgpu'));
const DEMO = fileURLToPath(new URL('../../public/models/demo/', import.meta.url));

const PAGE = `<!doctype html><meta charset="utf-8"><title>edit objective on webgpu</title>
<script type="module">
  import * as ort from '/ort/ort.webgpu.min.mjs';
  ort.env.wasm.wasmPaths = '/ort/';
  ort.env.wasm.numThreads = 1;
  window.ort = ort;
  window.ortReady = true;
</script>`;
const TYPES: Record<string, string> = { '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm' };

function serve(model: Uint8Array): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    try {
      if (url.pathname === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      else if (url.pathname === '/model.onnx') res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(model);
      else if (url.pathname.startsWith('/ort/')) {
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

type Feeds = Record<string, { data: number[]; dims: number[] }>;
interface Outcome { loss: number; grad: number[]; embedding: number[] }

describe('edit objective on WebGPU (headless chromium)', () => {
  let browser: Browser | undefined;
  let server: Server | undefined;
  let url = '';
  let built: EditModel;
  let dir = DEMO;
  const placement: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH`);
    dir = existsSync(path.join(DEMO, 'manifest.json')) && existsSync(path.join(DEMO, 'clip_image.onnx')) ? DEMO : await writeOptimizeBundle();
    const manifest = parseManifest(readFileSync(path.join(dir, 'manifest.json')), 'manifest.json');
    built = buildEditModel({
      manifest,
      generator: readFileSync(path.join(dir, manifest.generator.file)),
      clipImage: readFileSync(path.join(dir, manifest.clip.image.file)),
    });
    ({ server, url } = await serve(built.bytes));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  it('gives the same loss, gradient and embedding as wasm, all nodes on the GPU', async () => {
    const page = await browser!.newPage();
    page.on('console', (m) => {
      if (/All nodes placed|Node\(s\) placed on|will be forced to/i.test(m.text())) placement.push(m.text());
    });
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { ortReady?: boolean }).ortReady === true, null, { timeout: 60_000 });
    const n = built.names;
    const mean = new Float32Array(Uint8Array.from(readFileSync(path.join(dir, 'mean_latent.bin'))).buffer);
    const latent = Array.from(mean, (v, i) => v + 0.4 * Math.sin(1.7 * i));
    const target = Array.from({ length: built.embedDim }, (_, i) => Math.cos(0.3 * i));
    const norm = Math.hypot(...target);
    const feeds: Feeds = {
      [n.latent]: { data: latent, dims: [1, 6, 32] },
      [n.latent0]: { data: Array.from(mean), dims: [1, 6, 32] },
      [n.target]: { data: target.map((v) => v / norm), dims: [1, built.embedDim] },
      [n.lambdaL2]: { data: [0.008], dims: [] },
      [n.lossSeed]: { data: [1], dims: [] },
    };
    const result = await page.evaluate(async ({ feeds, names }) => {
      const ort = (window as unknown as { ort: typeof import('onnxruntime-web') }).ort;
      const bytes = new Uint8Array(await (await fetch('/model.onnx')).arrayBuffer());
      const run = async (ep: 'webgpu' | 'wasm') => {
        const session = await ort.InferenceSession.create(bytes, { executionProviders: [ep], logSeverityLevel: ep === 'webgpu' ? 0 : 2 });
        const f: Record<string, InstanceType<typeof ort.Tensor>> = {};
        for (const [k, v] of Object.entries(feeds)) f[k] = new ort.Tensor('float32', Float32Array.from(v.data), v.dims);
        const out = await session.run(f);
        const r = {
          loss: Number(out[names.loss]!.data[0]),
          grad: Array.from(out[names.grad]!.data as Float32Array),
          embedding: Array.from(out[names.embedding]!.data as Float32Array),
        };
        await session.release();
        return r;
      };
      const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      const hasGpu = !!gpu && !!(await gpu.requestAdapter());
      const wasm = await run('wasm');
      if (!hasGpu) return { hasGpu, wasm };
      try {
        return { hasGpu, wasm, webgpu: await run('webgpu') };
      } catch (e) {
        return { hasGpu, wasm, error: String(e) };
      }
    }, { feeds, names: { loss: n.loss, grad: n.grad, embedding: n.embedding } }) as { hasGpu: boolean; wasm: Outcome; webgpu?: Outcome; error?: string };
    await page.close();
    expect(result.hasGpu, 'navigator.gpu adapter (chromium with --enable-unsafe-webgpu)').toBe(true);
    expect(result.error).toBeUndefined();
    const gpu = result.webgpu!;
    const relErr = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0) / b.reduce((s, v) => s + v * v, 0));
    expect(Math.abs(gpu.loss - result.wasm.loss)).toBeLessThan(1e-4);
    expect(relErr(gpu.embedding, result.wasm.embedding)).toBeLessThan(1e-3);
    expect(relErr(gpu.grad, result.wasm.grad)).toBeLessThan(1e-2);
    expect(Math.hypot(...result.wasm.grad)).toBeGreaterThan(0);
    expect(placement.join('\n')).toMatch(/All nodes placed on \[WebGpuExecutionProvider\]/);
  });
});
