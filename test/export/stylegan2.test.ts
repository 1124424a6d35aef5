// The StyleGAN2 exporter on a rosinality-layout checkpoint with random weights (64 px, width
// 0.125): the ONNX in onnxruntime matches the PyTorch generator computed the checkpoint's way
// (grouped convolution with modulated weights), its StyleSpace pair (styles.onnx, synthesis_styles.onnx)
// matches too and computes the generator in a row, bundle init reads the pair's layer list, and a
// checkpoint of another layout is refused with the keys named.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { declaredIo } from '../../src/engine/models/io.js';
import { initBundle } from '../../src/cli/bundle-init.js';
import { readModel, writeModel } from '../../src/engine/onnx/model.js';
import { caseModels, checkExports } from '../../tools/export/check-onnx.js';
import { exportChecked, runPython, synth, tempDir } from './helpers.js';

const work = tempDir('sg2');
const ckpt = join(work, 'stylegan2-64.pt');

describe('export stylegan2', () => {
  it('writes generator, mapping and mean latent that match PyTorch', async () => {
    await synth(['stylegan2', ckpt, '--size', '64', '--width', '0.125', '--seed', '3']);
    const out = join(work, 'bundle');
    const { ran, results } = await exportChecked(['stylegan2', ckpt, out, '--size', '64']);
    expect(ran.stdout).toContain('StyleGAN2 64 px, W+ [1, 10, 64]');
    expect(results.map((r) => `${caseModels(r)}:${r.output}`)).toEqual([
      'generator.onnx:image',
      'mapping.onnx:w',
      'styles.onnx:styles',
      'synthesis_styles.onnx:image',
      // The pair in a row against the generator's PyTorch image of the same latent.
      'styles.onnx → synthesis_styles.onnx:image',
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

  it('writes the StyleSpace pair with its layer list, and bundle init reads it', async () => {
    const out = join(work, 'bundle');
    const styles = readModel(new Uint8Array(readFileSync(join(out, 'styles.onnx'))));
    expect(declaredIo(styles)).toEqual({
      inputs: [{ name: 'latent', dtype: 'float32', dims: [1, 10, 64] }],
      outputs: [{ name: 'styles', dtype: 'float32', dims: [1, 896] }],
    });
    const synthesis = readModel(new Uint8Array(readFileSync(join(out, 'synthesis_styles.onnx'))));
    expect(declaredIo(synthesis)).toEqual({
      inputs: [{ name: 'styles', dtype: 'float32', dims: [1, 896] }],
      outputs: [{ name: 'image', dtype: 'float32', dims: [1, 3, 64, 64] }],
    });
    const meta = (m: typeof styles) => JSON.parse(m.metadataProps.find((p) => p.key === 'rete-clip-pae')!.value);
    const layers = meta(styles).layers;
    expect(meta(styles).role).toBe('styles');
    expect(meta(synthesis)).toMatchObject({ role: 'styleSynthesis', outputRange: [-1, 1], layers });
    // Forward order: conv1 and to_rgb1 at 4 px, then per resolution two convs and a to_rgb.
    expect(layers.slice(0, 5)).toEqual([
      { name: 'conv1', offset: 0, size: 64, resolution: 4, kind: 'conv' },
      { name: 'to_rgb1', offset: 64, size: 64, resolution: 4, kind: 'torgb' },
      { name: 'convs.0', offset: 128, size: 64, resolution: 8, kind: 'conv' },
      { name: 'convs.1', offset: 192, size: 64, resolution: 8, kind: 'conv' },
      { name: 'to_rgbs.0', offset: 256, size: 64, resolution: 8, kind: 'torgb' },
    ]);
    expect(layers.at(-1)).toEqual({ name: 'to_rgbs.3', offset: 832, size: 64, resolution: 64, kind: 'torgb' });
    // The folder has no CLIP, so init writes nothing, but its StyleSpace reading is in the notes.
    const read = initBundle(out, work, { files: {} });
    expect(read.notes).toContain(
      'styleSpace: styles.onnx "latent" [1, 10, 64] → "styles" [1, 896]; synthesis_styles.onnx "styles" [1, 896] → "image" [1, 3, 64, 64]; 14 style layers (9 conv, 5 torgb)',
    );
    expect(read.problems.filter((p) => p.includes('style'))).toEqual([]);
  }, 300_000);

  it('refuses StyleSpace files whose layers do not add up, or half a pair', async () => {
    const out = join(work, 'bundle');
    const broken = join(work, 'styles-claim');
    mkdirSync(broken, { recursive: true });
    for (const f of ['generator.onnx', 'mean_latent.bin', 'synthesis_styles.onnx'])
      copyFileSync(join(out, f), join(broken, f));
    const styles = readModel(new Uint8Array(readFileSync(join(out, 'styles.onnx'))));
    const entry = styles.metadataProps.find((p) => p.key === 'rete-clip-pae')!;
    const facts = JSON.parse(entry.value);
    facts.layers[13].size = 65;
    entry.value = JSON.stringify(facts);
    writeFileSync(join(broken, 'styles.onnx'), writeModel(styles));
    const claim = initBundle(broken, work, { files: {} }).problems;
    expect(claim).toContain(
      'styleSpace.layers: styles.onnx and synthesis_styles.onnx list different style layers in their metadata',
    );
    // Both files claim the same 897 channels: more than styles.onnx returns.
    const synthesis = readModel(new Uint8Array(readFileSync(join(out, 'synthesis_styles.onnx'))));
    const synthesisEntry = synthesis.metadataProps.find((p) => p.key === 'rete-clip-pae')!;
    synthesisEntry.value = JSON.stringify({ ...JSON.parse(synthesisEntry.value), layers: facts.layers });
    writeFileSync(join(broken, 'synthesis_styles.onnx'), writeModel(synthesis));
    expect(initBundle(broken, work, { files: {} }).problems).toContain(
      'styleSpace.layers: the 14 layers add up to 897 channels, styles.onnx returns "styles" [1, 896]',
    );
    rmSync(join(broken, 'synthesis_styles.onnx'));
    expect(initBundle(broken, work, { files: {} }).problems).toContain(
      'styleSpace: found styles.onnx but no synthesis_styles.onnx: StyleSpace needs both (pass --style-synthesis <file>)',
    );
    // --no-stylespace: the generator alone.
    const plain = join(work, 'plain');
    const r = await runPython('export.py', ['stylegan2', ckpt, plain, '--no-stylespace']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(plain, 'generator.onnx'))).toBe(true);
    expect(existsSync(join(plain, 'styles.onnx'))).toBe(false);
    expect(existsSync(join(plain, 'synthesis_styles.onnx'))).toBe(false);
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
    // The StyleSpace checks: a wrong synthesis image fails the pipeline check as well.
    expect(results.slice(2).map((r) => r.ok)).toEqual([true, true, true]);
    const chain = cases.at(-1);
    expect(chain.via.map((p: string) => basename(p))).toEqual(['styles.onnx']);
    const chained = join(check, chain.outputs.image.file);
    const picture = new Float32Array(new Uint8Array(readFileSync(chained)).buffer);
    picture[7] -= 0.01;
    writeFileSync(chained, new Uint8Array(picture.buffer));
    const again = await checkExports(check);
    expect(again.at(-1)).toMatchObject({ output: 'image', ok: false });
    expect(again.at(-1)!.maxAbs).toBeCloseTo(0.01, 4);
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
