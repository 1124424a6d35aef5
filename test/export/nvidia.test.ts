// The NVIDIA exporter (`nvidia <network.pkl> <out> --repo <checkout>`) on the stand-in checkout in
// test/export/nvidia-checkout: NVIDIA's interface (legacy.load_network_pkl, G.mapping, G.synthesis
// with fused_modconv, blocks of layers with affines) over the project's rosinality StyleGAN2, with
// an upfirdn2d that traces its shapes as NVIDIA's reference one does. The exported files match
// PyTorch, compute the same images as the rosinality exporter on the same weights, and make a
// bundle (StyleSpace included) that `bundle init` / `bundle check` accept; the static-shape ops
// the exporter swaps in while tracing match direct computations; a conditional generator is refused.
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { declaredIo } from '../../src/engine/models/io.js';
import { hostTensor, readModel } from '../../src/engine/onnx/model.js';
import { createNodeRuntime } from '../../src/engine/tensor/runtime-node.js';
import { caseModels } from '../../tools/export/check-onnx.js';
import { pythonCommand } from '../../tools/export/python.js';
import { exportChecked, root, runPython, synth, tempDir } from './helpers.js';

const work = tempDir('nvidia');
const ckpt = join(work, 'network-64.pt');
const checkout = join(root, 'test/export/nvidia-checkout');
const out = join(work, 'bundle');
const bin = join(root, 'bin/rete-clip-pae.mjs');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: work, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

function metadata(file: string): Record<string, unknown> {
  const entry = readModel(new Uint8Array(readFileSync(file))).metadataProps.find((p) => p.key === 'rete-clip-pae');
  return JSON.parse(entry?.value ?? '{}');
}

async function generate(file: string, latent: Float32Array): Promise<Float32Array> {
  const runtime = await createNodeRuntime();
  const session = await runtime.createSession(new Uint8Array(readFileSync(file)), { name: file });
  try {
    return (await session.runToHost({ latent: hostTensor('float32', [1, 10, 64], latent) })).image!
      .data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('export nvidia (stand-in checkout)', () => {
  it('writes generator, mapping, mean latent and StyleSpace that match PyTorch', async () => {
    await synth(['stylegan2', ckpt, '--size', '64', '--width', '0.125', '--seed', '5']);
    const { ran, results } = await exportChecked(['nvidia', ckpt, out, '--repo', checkout]);
    expect(ran.stdout).toContain('StyleGAN2 64 px, W+ [1, 10, 64], z [1, 64]');
    for (const file of ['mean_latent.bin', 'generator.onnx', 'mapping.onnx', 'styles.onnx', 'synthesis_styles.onnx'])
      expect(ran.stdout).toContain(`wrote ${join(out, file)}`);
    expect(results.map((r) => `${caseModels(r, '→')}:${r.output}`)).toEqual([
      'generator.onnx:image',
      'mapping.onnx:w',
      'styles.onnx:styles',
      'synthesis_styles.onnx:image',
      'styles.onnx→synthesis_styles.onnx:image',
    ]);
    for (const r of results) expect(r.ok, `${r.model} ${r.output} ${r.relative}`).toBe(true);
    expect(results[0]!.maxAbs).toBeGreaterThan(0);
    const io = declaredIo(readModel(new Uint8Array(readFileSync(join(out, 'generator.onnx')))));
    expect(io.inputs).toEqual([{ name: 'latent', dtype: 'float32', dims: [1, 10, 64] }]);
    expect(io.outputs).toEqual([{ name: 'image', dtype: 'float32', dims: [1, 3, 64, 64] }]);
    expect(metadata(join(out, 'generator.onnx'))).toMatchObject({ role: 'generator', outputRange: [-1, 1] });
    // mean_latent.bin: w_avg once per W+ row.
    const mean = new Float32Array(new Uint8Array(readFileSync(join(out, 'mean_latent.bin'))).buffer);
    expect(mean.length).toBe(10 * 64);
    for (let row = 1; row < 10; row++) expect(mean.slice(row * 64, row * 64 + 64)).toEqual(mean.slice(0, 64));
    expect(Math.max(...mean.map(Math.abs))).toBeGreaterThan(0);
    // StyleSpace layers under NVIDIA's module names, in forward order, the affine widths as sizes.
    const layers = metadata(join(out, 'styles.onnx')).layers as { name: string; size: number; kind: string }[];
    expect(layers.map((l) => l.name)).toEqual([
      'b4.conv1',
      'b4.torgb',
      ...[8, 16, 32, 64].flatMap((r) => [`b${r}.conv0`, `b${r}.conv1`, `b${r}.torgb`]),
    ]);
    expect(layers.reduce((n, l) => n + l.size, 0)).toBe(896);
    expect(layers.filter((l) => l.kind === 'torgb').length).toBe(5);
    expect(readFileSync(join(out, 'MODEL_CARD.md'), 'utf8')).toContain('StyleSpace');
  }, 600_000);

  it('computes the images the rosinality exporter computes from the same weights', async () => {
    const ros = join(work, 'rosinality');
    const r = await runPython('export.py', ['stylegan2', ckpt, ros, '--no-stylespace']);
    expect(r.code, r.stderr).toBe(0);
    const latent = Float32Array.from({ length: 10 * 64 }, (_, i) => Math.sin(i * 0.71) * 0.8);
    const a = await generate(join(out, 'generator.onnx'), latent);
    const b = await generate(join(ros, 'generator.onnx'), latent);
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < a.length; i++) {
      diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
      scale = Math.max(scale, Math.abs(b[i]!));
    }
    expect(scale).toBeGreaterThan(0);
    expect(diff / scale).toBeLessThan(1e-4);
  }, 600_000);

  it('makes a bundle that bundle init and bundle check accept', async () => {
    const demo = join(root, 'public/models/demo');
    const c = JSON.parse(readFileSync(join(demo, 'manifest.json'), 'utf8')).clip;
    const init = await cli([
      'bundle',
      'init',
      out,
      '--clip-image',
      join(demo, 'clip_image.onnx'),
      '--clip-text',
      join(demo, 'clip_text.onnx'),
      '--tokenizer',
      join(demo, 'tokenizer.json'),
      '--clip-mean',
      c.mean.join(','),
      '--clip-std',
      c.std.join(','),
      '--pad-id',
      '0',
    ]);
    expect(init.code, init.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.generator).toMatchObject({ latentShape: [1, 10, 64], imageSize: [64, 64], outputRange: [-1, 1] });
    const check = await cli(['bundle', 'check', out]);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(
      /ok\s+generator\s+generator\.onnx\s+[\d.]+\s+latent \[1, 10, 64\] → image \[1, 3, 64, 64\]/,
    );
    expect(check.stdout).toMatch(/ok\s+mapping\s+mapping\.onnx/);
    // The StyleSpace pair: the manifest's layer list from styles.onnx, and bundle check runs it.
    expect(manifest.styleSpace.layers.slice(0, 3)).toEqual([
      { name: 'b4.conv1', size: 64 },
      { name: 'b4.torgb', size: 64 },
      { name: 'b8.conv0', size: 64 },
    ]);
    expect(check.stdout).toMatch(/ok\s+styles\s+styles\.onnx\s+[\d.]+\s+latent \[1, 10, 64\] → styles \[1, 896\]/);
    expect(check.stdout).toMatch(/ok\s+styleSynthesis\s+synthesis_styles\.onnx/);
    expect(check.stdout).toContain('all 6 models pass');
  }, 600_000);

  it('has static-shape upfirdn2d and affine_grid that compute what the direct definitions compute', () => {
    const script = join(root, 'test/export/nvidia_static_ops.py');
    const lines = execFileSync(pythonCommand(), [script], { encoding: 'utf8' }).trim().split('\n');
    const cases = lines.map((l) => JSON.parse(l) as { case: string; shape: number[]; want: number[]; maxAbs: number });
    expect(cases.length).toBe(9);
    for (const c of cases) {
      expect(c.shape, c.case).toEqual(c.want);
      expect(c.maxAbs, c.case).toBeLessThan(1e-5);
    }
  }, 120_000);

  it('refuses a conditional generator and a missing pickle, naming them', async () => {
    const cond = join(work, 'conditional.pt');
    const script = [
      'import torch',
      `c = torch.load(${JSON.stringify(ckpt)})`,
      "c['c_dim'] = 4",
      `torch.save(c, ${JSON.stringify(cond)})`,
    ].join('\n');
    execFileSync(pythonCommand(), ['-c', script]);
    const r = await runPython('export.py', ['nvidia', cond, join(work, 'never'), '--repo', checkout]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${cond}: a conditional generator (c_dim 4); only unconditional ones are supported`);
    const missing = join(work, 'nothing.pkl');
    const m = await runPython('export.py', ['nvidia', missing, join(work, 'never'), '--repo', checkout]);
    expect(m.code).toBe(1);
    expect(m.stderr).toContain(`${missing}: no such file`);
  }, 300_000);
});
