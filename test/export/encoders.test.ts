// The e4e / pSp exporter (encoder and the StyleGAN2 decoder of one checkpoint) and the ArcFace
// IR-SE50 exporter on random weights in the upstream layouts: every ONNX matches PyTorch; the
// identity network reads only StyleCLIP's face crop and returns unit-length embeddings.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostTensor } from '../../src/engine/onnx/model.js';
import { createNodeRuntime } from '../../src/engine/tensor/runtime-node.js';
import { caseModels } from '../../tools/export/check-onnx.js';
import { pythonCommand } from '../../tools/export/python.js';
import { exportChecked, synth, tempDir } from './helpers.js';

const work = tempDir('enc');

describe('export e4e and arcface', () => {
  it('exports an e4e checkpoint: encoder, decoder, mapping, mean latent', async () => {
    const ckpt = join(work, 'e4e.pt');
    await synth(['e4e', ckpt, '--size', '64', '--width', '0.125', '--encoder-width', '0.25', '--seed', '5']);
    const { ran, results } = await exportChecked(['e4e', ckpt, join(work, 'e4e')]);
    expect(ran.stdout).toContain('→ latent [1, 10, 64] (offsets from the mean latent)');
    expect(results.map((r) => `${caseModels(r)}:${r.output}`)).toEqual([
      'generator.onnx:image',
      'mapping.onnx:w',
      // The decoder's StyleSpace pair, alone and in a row against the decoder's PyTorch image.
      'styles.onnx:styles',
      'synthesis_styles.onnx:image',
      'styles.onnx → synthesis_styles.onnx:image',
      'encoder.onnx:latent',
    ]);
    for (const r of results) {
      expect(r.relative).toBeLessThanOrEqual(1e-4);
      expect(r.maxAbs).toBeGreaterThan(0);
    }
    // The same checkpoint as pSp's GradualStyleEncoder (one style block per layer, no shared w0).
    const psp = join(work, 'psp.pt');
    execFileSync(pythonCommand(), [
      '-c',
      `import torch; c = torch.load(${JSON.stringify(ckpt)}); c['opts']['encoder_type'] = 'GradualStyleEncoder'; torch.save(c, ${JSON.stringify(psp)})`,
    ]);
    const p = await exportChecked(['e4e', psp, join(work, 'psp'), '--encoder-only']);
    expect(p.results.map((r) => r.output)).toEqual(['latent']);
    expect(p.results[0]!.relative).toBeLessThanOrEqual(1e-4);
    const card = readFileSync(join(work, 'psp', 'MODEL_CARD.md'), 'utf8');
    expect(card).toContain('Encoder (GradualStyleEncoder)');
  }, 300_000);

  it('exports ArcFace IR-SE50: crop [35:223, 32:220], pooled to 112, unit embeddings', async () => {
    const pth = join(work, 'model_ir_se50.pth');
    await synth(['arcface', pth, '--width', '0.25', '--seed', '6']);
    const out = join(work, 'arcface');
    const { ran, results } = await exportChecked(['arcface', pth, out]);
    expect(ran.stdout).toContain('embedding [1, 128] (IR-SE50, crop [35:223, 32:220], pooled to 112)');
    expect(results[0]!.relative).toBeLessThanOrEqual(1e-4);
    const runtime = await createNodeRuntime();
    const s = await runtime.createSession(new Uint8Array(readFileSync(join(out, 'identity.onnx'))), { name: 'id' });
    const plane = 256 * 256;
    const face = Float32Array.from({ length: 3 * plane }, (_, i) => Math.sin(i * 0.013) * 0.8);
    const outside = face.slice();
    const moved = face.slice();
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 256; y++)
        for (let x = 0; x < 256; x++) {
          const i = c * plane + y * 256 + x;
          const inCrop = y >= 35 && y < 223 && x >= 32 && x < 220;
          if (!inCrop) outside[i] = -face[i]!;
          if (inCrop && y === 120 && x > 100 && x < 140) moved[i] = 1;
        }
    const run = async (x: Float32Array) =>
      (await s.runToHost({ image: hostTensor('float32', [1, 3, 256, 256], x) })).embedding!.data as Float32Array;
    const [a, b, c] = [await run(face), await run(outside), await run(moved)];
    await s.release();
    const norm = Math.hypot(...a);
    expect(norm).toBeCloseTo(1, 5);
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]!)))).toBeLessThan(1e-6);
    expect(Math.max(...a.map((v, i) => Math.abs(v - c[i]!)))).toBeGreaterThan(1e-4);
  }, 300_000);
});
