// Every PyTorch fixture's gradient model (forward output plus the gradient of every input and
// parameter PyTorch checked) on onnxruntime-web's WebGPU execution provider (headless chromium,
// SwiftShader) must match the same model on wasm, output by output. onnxruntime-web/webgpu is the
// same C++ WebGPU EP that onnxruntime-node runs natively on a real GPU; the native EP lays tensors
// out NHWC by default and the web one NCHW, so every WebGPU run is done in both layouts (the NHWC
// grouped Conv/ConvTranspose kernels are the ones with faults, see src/engine/onnx/grouped-conv.ts).
// The grouped probes (bench/gpu/probes.ts) check the rewritten forms on those kernels directly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUPED_CASES, groupedProbe, type Probe } from '../../bench/gpu/probes.js';
import { gradientModel } from '../../src/engine/onnx/gradient.js';
import { readModel, writeModel } from '../../src/engine/onnx/model.js';
import { FIXTURES, loadFixture, relErr, type Fixture } from '../onnx/fixtures.js';
import { fixtureFeeds, runOnEps, serveOrtPage, type Feeds, type Layout, type OrtPage } from './ort-page.js';

const LAYOUTS: Layout[] = ['NCHW', 'NHWC'];

describe('fixture gradient models on WebGPU vs wasm (headless chromium)', () => {
  let ort: OrtPage | undefined;
  const fixtures = new Map<string, { fx: Fixture; wrt: string[] }>();
  const probes = new Map<string, Probe>();

  beforeAll(async () => {
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
    ort = await serveOrtPage('onnx webgpu fixtures', models);
  });

  afterAll(async () => {
    await ort?.close();
  });

  for (const name of FIXTURES) {
    it(`${name}: every output on the WebGPU EP matches wasm`, async () => {
      const { fx, wrt } = fixtures.get(name)!;
      const page = await ort!.open();
      const result = await runOnEps(page, name, fixtureFeeds(fx), { layouts: LAYOUTS });
      await page.close();
      expect(result.hasGpu, 'navigator.gpu adapter (chromium with --enable-unsafe-webgpu)').toBe(true);
      expect(result.error).toBeUndefined();
      const names = [fx.of, ...wrt.map((w) => `${w}_grad`)];
      expect(Object.keys(result.wasm).sort()).toEqual([...names].sort());
      // wasm itself is anchored to PyTorch, so a WebGPU match means a match with autograd.
      expect(relErr(result.wasm[fx.of]!.data, fx.output.data), `${name}: wasm ${fx.of}`).toBeLessThan(1e-4);
      for (const w of wrt)
        expect(relErr(result.wasm[`${w}_grad`]!.data, fx.grads[w]!.data), `${name}: wasm ${w}_grad`).toBeLessThan(1e-3);
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
    const page = await ort!.open();
    const report: string[] = [];
    for (const key of probes.keys()) {
      const p = probes.get(key)!;
      const feeds: Feeds = Object.fromEntries(p.feeds.map((f) => [f.name, { data: f.values, dims: f.dims }]));
      const result = await runOnEps(page, key, feeds, { layouts: LAYOUTS });
      expect(result.hasGpu).toBe(true);
      expect(result.error, p.name).toBeUndefined();
      const out = Object.keys(result.wasm)[0]!;
      const errs = LAYOUTS.map((l) => relErr(result.webgpu[l]![out]!.data, result.wasm[out]!.data));
      report.push(`${p.name}: NCHW ${errs[0]!.toExponential(1)}, NHWC ${errs[1]!.toExponential(1)}`);
      // The raw ops are only reported: whether they are wrong is onnxruntime's business.
      if (key.endsWith('r'))
        for (const [i, l] of LAYOUTS.entries()) expect(errs[i], `${p.name} (${l})`).toBeLessThan(1e-4);
    }
    console.log(`WebGPU vs wasm, max rel err:\n${report.join('\n')}`);
    await page.close();
  });
});
