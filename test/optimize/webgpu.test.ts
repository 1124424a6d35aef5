// The compiled edit objective on onnxruntime-web's WebGPU EP (headless chromium, SwiftShader) must
// match wasm, with every node, forward and backward, placed on the GPU. Uses the demo bundle when it
// has been built, else the optimizer tests' bundle (the same generator with a small CLIP).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/engine/models/index.js';
import { buildEditModel, type EditModel } from '../../src/engine/optimize/index.js';
import { PLACEMENT_LINE, runOnEps, serveOrtPage, type Feeds, type OrtPage, type Outputs } from '../browser/ort-page.js';
import { writeOptimizeBundle } from './fixture.js';

const DEMO = fileURLToPath(new URL('../../public/models/demo/', import.meta.url));

interface Outcome {
  loss: number;
  grad: number[];
  embedding: number[];
}

describe('edit objective on WebGPU (headless chromium)', () => {
  let ort: OrtPage | undefined;
  let built: EditModel;
  let dir = DEMO;
  const placement: string[] = [];

  beforeAll(async () => {
    dir =
      existsSync(path.join(DEMO, 'manifest.json')) && existsSync(path.join(DEMO, 'clip_image.onnx'))
        ? DEMO
        : await writeOptimizeBundle();
    const manifest = parseManifest(readFileSync(path.join(dir, 'manifest.json')), 'manifest.json');
    built = buildEditModel({
      manifest,
      generator: readFileSync(path.join(dir, manifest.generator.file)),
      clipImage: readFileSync(path.join(dir, manifest.clip.image.file)),
    });
    ort = await serveOrtPage('edit objective on webgpu', new Map([['edit', built.bytes]]));
  });

  afterAll(async () => {
    await ort?.close();
  });

  it('gives the same loss, gradient and embedding as wasm, all nodes on the GPU', async () => {
    const page = await ort!.open((line) => {
      if (PLACEMENT_LINE.test(line)) placement.push(line);
    });
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
    const result = await runOnEps(page, 'edit', feeds, { verbose: true });
    const outcome = (out: Outputs): Outcome => ({
      loss: out[n.loss]!.data[0]!,
      grad: out[n.grad]!.data,
      embedding: out[n.embedding]!.data,
    });
    await page.close();
    expect(result.hasGpu, 'navigator.gpu adapter (chromium with --enable-unsafe-webgpu)').toBe(true);
    expect(result.error).toBeUndefined();
    const gpu = outcome(result.webgpu.default!);
    const wasm = outcome(result.wasm);
    const relErr = (a: number[], b: number[]) =>
      Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0) / b.reduce((s, v) => s + v * v, 0));
    expect(Math.abs(gpu.loss - wasm.loss)).toBeLessThan(1e-4);
    expect(relErr(gpu.embedding, wasm.embedding)).toBeLessThan(1e-3);
    expect(relErr(gpu.grad, wasm.grad)).toBeLessThan(1e-2);
    expect(Math.hypot(...wasm.grad)).toBeGreaterThan(0);
    expect(placement.join('\n')).toMatch(/All nodes placed on \[WebGpuExecutionProvider\]/);
  });
});
