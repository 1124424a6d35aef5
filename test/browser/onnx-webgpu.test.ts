// The guided-loss gradient model on onnxruntime-web's WebGPU execution provider (headless chromium,
// SwiftShader) must match the same model on wasm. The page and its server are in ./ort-page.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradientModel } from '../../src/engine/onnx/gradient.js';
import { readModel, writeModel } from '../../src/engine/onnx/model.js';
import { loadFixture, relErr } from '../onnx/fixtures.js';
import { fixtureFeeds, PLACEMENT_LINE, runOnEps, serveOrtPage, type OrtPage } from './ort-page.js';

describe('gradient model on WebGPU (headless chromium)', () => {
  let ort: OrtPage | undefined;
  const fx = loadFixture('guided_loss');
  const placement: string[] = [];

  beforeAll(async () => {
    const gm = gradientModel(readModel(fx.model), { of: fx.of, wrt: ['ws'] });
    ort = await serveOrtPage('onnx webgpu', new Map([['guided_loss', writeModel(gm)]]));
  });

  afterAll(async () => {
    await ort?.close();
  });

  it('guided-loss gradient on the WebGPU EP matches wasm', async () => {
    // ORT's verbose log names the provider of each node; keep the placement lines.
    const page = await ort!.open((line) => {
      if (PLACEMENT_LINE.test(line)) placement.push(line);
    });
    const result = await runOnEps(page, 'guided_loss', fixtureFeeds(fx), { verbose: true });
    console.log(`ORT placement log:\n${placement.join('\n')}`);
    expect(result.hasGpu, 'navigator.gpu adapter (chromium with --enable-unsafe-webgpu)').toBe(true);
    expect(result.error).toBeUndefined();
    const wasm = { loss: result.wasm.loss!.data[0]!, grad: result.wasm.ws_grad!.data };
    const gpu = result.webgpu.default!;
    expect(relErr(wasm.grad, fx.grads.ws!.data)).toBeLessThan(1e-3);
    expect(Math.abs(gpu.loss!.data[0]! - wasm.loss) / Math.abs(wasm.loss)).toBeLessThan(1e-3);
    expect(relErr(gpu.ws_grad!.data, wasm.grad)).toBeLessThan(1e-3);
    // No op of the forward or backward graph falls back to the CPU.
    expect(placement.join('\n')).toMatch(/All nodes placed on \[WebGpuExecutionProvider\]/);
    await page.close();
  });
});
