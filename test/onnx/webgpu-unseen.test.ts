// Gradient models of the conv/pool-heavy unseen fixtures on onnxruntime-web's WebGPU EP (headless
// chromium, SwiftShader) must match wasm and place every backward node on the GPU. This caught
// onnxruntime's WebGPU EP computing grouped convolutions with several channels per group wrongly.
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { gradientModel } from '../../src/engine/onnx/gradient.js';
import { readModel, writeModel } from '../../src/engine/onnx/model.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const ORT_DIST = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-web/webgpu'));
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/unseen');
const NAMES = ['resnet_bn_maxpool_b3', 'unet_convtranspose_interp_b2', 'depthwise_dilated_odd_b2'];
const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
  import * as ort from '/ort/ort.webgpu.min.mjs';
  ort.env.wasm.wasmPaths = '/ort/';
  ort.env.wasm.numThreads = 1;
  window.ort = ort;
  window.ortReady = true;
</script>`;
const TYPES: Record<string, string> = { '.mjs': 'text/javascript', '.wasm': 'application/wasm' };

interface Meta {
  inputs: string[];
  outputs: string[];
  wrt_inputs: string[];
  wrt_params: string[];
  tensors: Record<string, { file: string; shape: number[] }>;
}

function fixture(name: string) {
  const dir = path.join(ROOT, name);
  const meta = JSON.parse(readFileSync(path.join(dir, 'fixture.json'), 'utf8')) as Meta;
  const wrt = [...meta.wrt_inputs, ...meta.wrt_params];
  const of = meta.outputs[0]!;
  const model = writeModel(
    gradientModel(readModel(new Uint8Array(readFileSync(path.join(dir, 'model.onnx')))), { of, wrt }),
  );
  const load = (key: string) => {
    const t = meta.tensors[key]!;
    const b = readFileSync(path.join(dir, t.file));
    return {
      data: Array.from(new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))),
      dims: t.shape,
    };
  };
  const feeds: Record<string, { data: number[]; dims: number[] }> = { [`${of}_grad`]: load(`seed:${of}`) };
  for (const i of meta.inputs) feeds[i] = load(`input:${i}`);
  return { model, feeds, outputs: wrt.map((w) => `${w}_grad`) };
}

describe('unseen fixtures: gradient models on WebGPU (headless chromium) match wasm', () => {
  let browser: Browser | undefined;
  let server: Server | undefined;
  let url = '';
  const models = new Map<string, Uint8Array>();

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH`);
    server = createServer(async (req, res) => {
      const p = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      try {
        if (p === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
        else if (p.startsWith('/model/') && models.has(p.slice(7))) res.writeHead(200).end(models.get(p.slice(7)));
        else if (p.startsWith('/ort/')) {
          const file = path.join(ORT_DIST, path.basename(p));
          res
            .writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' })
            .end(await readFile(file));
        } else res.writeHead(404).end();
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const a = server.address();
    url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  for (const name of NAMES) {
    it(name, async () => {
      const fx = fixture(name);
      models.set(name, fx.model);
      const page = await browser!.newPage();
      const placement: string[] = [];
      page.on('console', (m) => {
        if (/Node\(s\) placed on|All nodes placed/.test(m.text())) placement.push(m.text());
      });
      await page.goto(url);
      await page.waitForFunction(() => (window as unknown as { ortReady?: boolean }).ortReady === true, null, {
        timeout: 60_000,
      });
      const result = await page.evaluate(
        async ({ name, feeds, outputs }) => {
          const ort = (window as unknown as { ort: typeof import('onnxruntime-web') }).ort;
          const bytes = new Uint8Array(await (await fetch(`/model/${name}`)).arrayBuffer());
          const run = async (ep: 'webgpu' | 'wasm') => {
            const session = await ort.InferenceSession.create(bytes, {
              executionProviders: [ep],
              logSeverityLevel: ep === 'webgpu' ? 0 : 2,
            });
            const f: Record<string, InstanceType<typeof ort.Tensor>> = {};
            for (const [k, v] of Object.entries(feeds))
              f[k] = new ort.Tensor('float32', Float32Array.from(v.data), v.dims);
            const out = await session.run(f);
            const r: Record<string, number[]> = {};
            for (const o of outputs) r[o] = Array.from(out[o]!.data as Float32Array);
            await session.release();
            return r;
          };
          return { wasm: await run('wasm'), webgpu: await run('webgpu') };
        },
        { name, feeds: fx.feeds, outputs: fx.outputs },
      );
      for (const o of fx.outputs) {
        const a = result.webgpu[o]!,
          b = result.wasm[o]!;
        let md = 0,
          mr = 0;
        for (let i = 0; i < b.length; i++) {
          md = Math.max(md, Math.abs(a[i]! - b[i]!));
          mr = Math.max(mr, Math.abs(b[i]!));
        }
        expect(md / mr, `${name}: ${o}`).toBeLessThan(1e-3);
      }
      expect(placement.join('\n'), name).toMatch(/All nodes placed on \[WebGpuExecutionProvider\]/);
      await page.close();
    });
  }
});
