// The StyleGAN2 exporter on a rosinality-layout checkpoint with random weights (64 px, width
// 0.125): the ONNX in onnxruntime matches the PyTorch generator computed the checkpoint's way
// (grouped convolution with modulated weights), and a checkpoint of another layout is refused with
// the keys named.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { declaredIo } from '../../src/engine/models/io.js';
import { readModel } from '../../src/engine/onnx/model.js';
import { checkExports } from '../../tools/export/check-onnx.js';
import { exportChecked, runPython, synth, tempDir } from './helpers.js';

const work = tempDir('sg2');
const ckpt = join(work, 'stylegan2-64.pt');

describe('export stylegan2', () => {
  it('writes generator, mapping and mean latent that match PyTorch', async () => {
    await synth(['stylegan2', ckpt, '--size', '64', '--width', '0.125', '--seed', '3']);
    const out = join(work, 'bundle');
    const { ran, results } = await exportChecked(['stylegan2', ckpt, out, '--size', '64']);
    expect(ran.stdout).toContain('StyleGAN2 64 px, W+ [1, 10, 64]');
    expect(results.map((r) => `${r.model.split('/').pop()}:${r.output}`)).toEqual([
      'generator.onnx:image',
      'mapping.onnx:w',
    ]);
    for (const r of results) expect(r.relative).toBeLessThanOrEqual(1e-4);
    // The image is not flat: the check compares real pictures, not zeros.
    expect(results[0]!.maxAbs).toBeGreaterThan(0);
    const io = declaredIo(readModel(new Uint8Array(readFileSync(join(out, 'generator.onnx')))));
    expect(io.inputs).toEqual([{ name: 'latent', dtype: 'float32', dims: [1, 10, 64] }]);
    expect(io.outputs).toEqual([{ name: 'image', dtype: 'float32', dims: [1, 3, 64, 64] }]);
    expect(readFileSync(join(out, 'mean_latent.bin')).byteLength).toBe(10 * 64 * 4);
    const card = readFileSync(join(out, 'MODEL_CARD.md'), 'utf8');
    expect(card).toContain('Nvidia Source Code License-NC');
  }, 300_000);

  it('fails the check when the ONNX does not compute what PyTorch computed', async () => {
    const check = tempDir('check-tampered');
    const r = await runPython('export.py', ['stylegan2', ckpt, join(work, 'tampered'), '--check-dir', check]);
    expect(r.code, r.stderr).toBe(0);
    const cases = JSON.parse(readFileSync(join(check, 'check.json'), 'utf8')).cases;
    const saved = join(check, cases[0].outputs.image.file);
    const image = new Float32Array(new Uint8Array(readFileSync(saved)).buffer);
    image[123] += 0.01; // one pixel off by 1 % of the [-1, 1] range
    writeFileSync(saved, new Uint8Array(image.buffer));
    const results = await checkExports(check);
    expect(results[0]).toMatchObject({ output: 'image', ok: false });
    expect(results[0]!.maxAbs).toBeCloseTo(0.01, 4);
    expect(results[1]).toMatchObject({ output: 'w', ok: true });
  }, 300_000);

  it('names missing, unexpected and mismatched keys and a wrong --size', async () => {
    const broken = join(work, 'broken.pt');
    const script = [
      'import torch, sys',
      `c = torch.load(${JSON.stringify(ckpt)})`,
      "del c['g_ema']['convs.1.noise.weight']",
      "c['g_ema']['convs.1.extra'] = torch.zeros(1)",
      "c['g_ema']['to_rgbs.0.bias'] = torch.zeros(1, 4, 1, 1)",
      `torch.save(c, ${JSON.stringify(broken)})`,
    ].join('\n');
    const { execFileSync } = await import('node:child_process');
    const { pythonCommand } = await import('../../tools/export/python.js');
    execFileSync(pythonCommand(), ['-c', script]);
    const r = await runPython('export.py', ['stylegan2', broken, join(work, 'never')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('missing keys (1): convs.1.noise.weight');
    expect(r.stderr).toContain('unexpected keys (1): convs.1.extra');
    expect(r.stderr).toContain('to_rgbs.0.bias: checkpoint (1, 4, 1, 1), architecture (1, 3, 1, 1)');
    const size = await runPython('export.py', ['stylegan2', ckpt, join(work, 'never'), '--size', '256']);
    expect(size.code).toBe(1);
    expect(size.stderr).toContain('--size 256, but the checkpoint has 4 to_rgbs blocks, i.e. 64 px');
    // Width 0.125 has 64 channels at 64 px; the published multiplier 2 has 512.
    const cm = await runPython('export.py', ['stylegan2', ckpt, join(work, 'never'), '--channel-multiplier', '2']);
    expect(cm.code).toBe(1);
    expect(cm.stderr).toContain('--channel-multiplier 2 gives channels {64: 512}, the checkpoint has {64: 64}');
    // NVIDIA pickles need NVIDIA's code: the exporter says so instead of guessing.
    const nv = await runPython('export.py', ['nvidia', ckpt, join(work, 'never')]);
    expect(nv.stderr).toContain('nvidia needs --repo');
    const nvRepo = await runPython('export.py', ['nvidia', ckpt, join(work, 'never'), '--repo', work]);
    expect(nvRepo.code).toBe(1);
    expect(nvRepo.stderr).toContain(
      'no legacy.py and dnnlib/, so this is not a stylegan2-ada-pytorch or stylegan3 checkout',
    );
  }, 300_000);
});
