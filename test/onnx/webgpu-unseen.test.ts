// Gradient models of the conv/pool-heavy unseen fixtures on onnxruntime-web's WebGPU EP (headless
// chromium, SwiftShader) must match wasm and place every backward node on the GPU. This caught
// onnxruntime's WebGPU EP computing grouped convolutions with several channels per group wrongly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureFeeds, PLACEMENT_LINE, runOnEps, serveOrtPage, type OrtPage } from '../browser/ort-page.js';
import { gradientModel } from '../../src/engine/onnx/gradient.js';
import { readModel, writeModel } from '../../src/engine/onnx/model.js';
import { type Fixture, loadFixture, relErr, UNSEEN_ROOT } from './fixtures.js';

const NAMES = ['resnet_bn_maxpool_b3', 'unet_convtranspose_interp_b2', 'depthwise_dilated_odd_b2'];

describe('unseen fixtures: gradient models on WebGPU (headless chromium) match wasm', () => {
  let ort: OrtPage | undefined;
  const fixtures = new Map<string, Fixture>();

  beforeAll(async () => {
    const models = new Map<string, Uint8Array>();
    for (const name of NAMES) {
      const fx = loadFixture(name, UNSEEN_ROOT);
      fixtures.set(name, fx);
      models.set(name, writeModel(gradientModel(readModel(fx.model), { of: fx.of, wrt: fx.wrt })));
    }
    ort = await serveOrtPage('unseen fixtures on webgpu', models);
  });

  afterAll(async () => {
    await ort?.close();
  });

  for (const name of NAMES) {
    it(name, async () => {
      const fx = fixtures.get(name)!;
      const placement: string[] = [];
      const page = await ort!.open((line) => {
        if (PLACEMENT_LINE.test(line)) placement.push(line);
      });
      const result = await runOnEps(page, name, fixtureFeeds(fx), { verbose: true });
      await page.close();
      expect(result.hasGpu, 'navigator.gpu adapter (chromium with --enable-unsafe-webgpu)').toBe(true);
      expect(result.error).toBeUndefined();
      for (const o of fx.wrt.map((w) => `${w}_grad`)) {
        const gpu = result.webgpu.default![o]!.data;
        expect(relErr(gpu, result.wasm[o]!.data), `${name}: ${o}`).toBeLessThan(1e-3);
      }
      expect(placement.join('\n'), name).toMatch(/All nodes placed on \[WebGpuExecutionProvider\]/);
    });
  }
});
