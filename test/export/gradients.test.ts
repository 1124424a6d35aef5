// The project's autodiff (src/engine/onnx gradientModel) on the exported real architectures gives
// PyTorch's gradients: r·∂y/∂x of the generator (W+ → image, and its StyleSpace synthesis s → image),
// the CLIP image tower (pixels → embedding) and the identity network (face → embedding), each against
// autograd on the checkpoint's own computation (grouped modulated convolution, torch's attention,
// adaptive pool).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gradientModel } from '../../src/engine/onnx/index.js';
import { hostTensor, readModel, writeModel } from '../../src/engine/onnx/model.js';
import { createNodeRuntime } from '../../src/engine/tensor/runtime-node.js';
import { pythonCommand } from '../../tools/export/python.js';
import { exportChecked, synth, tempDir } from './helpers.js';

const work = tempDir('grad');
const vjpScript = fileURLToPath(new URL('./vjp.py', import.meta.url));

function vjp(kind: string, ckpt: string, out: string): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(pythonCommand(), [vjpScript, kind, ckpt, out], (e, _o, stderr) =>
      e ? reject(new Error(stderr)) : resolve(),
    ),
  );
}

const floats = (path: string) => {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

/** ORT's gradient of the exported model against PyTorch's; returns max |Δ| / max |torch|. */
async function compare(onnx: string, input: string, output: string, ref: string): Promise<number> {
  const shapes = JSON.parse(readFileSync(join(ref, 'shapes.json'), 'utf8')) as { x: number[]; y: number[] };
  const model = gradientModel(readModel(new Uint8Array(readFileSync(onnx))), { of: output, wrt: [input] });
  const runtime = await createNodeRuntime();
  const s = await runtime.createSession(writeModel(model), { name: `${onnx} gradient` });
  const out = await s.runToHost({
    [input]: hostTensor('float32', shapes.x, floats(join(ref, 'x.bin'))),
    [`${output}_grad`]: hostTensor('float32', shapes.y, floats(join(ref, 'r.bin'))),
  });
  await s.release();
  const got = out[`${input}_grad`]!.data as Float32Array;
  const want = floats(join(ref, 'grad.bin'));
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  expect(scale).toBeGreaterThan(0);
  return diff / scale;
}

describe('gradients of the exported architectures', () => {
  it('generator: ∂image/∂latent and ∂image/∂s', async () => {
    const ckpt = join(work, 'sg.pt');
    await synth(['stylegan2', ckpt, '--size', '32', '--width', '0.125', '--seed', '8']);
    await exportChecked(['stylegan2', ckpt, join(work, 'sg')]);
    await vjp('stylegan2', ckpt, join(work, 'sg-ref'));
    expect(await compare(join(work, 'sg/generator.onnx'), 'latent', 'image', join(work, 'sg-ref'))).toBeLessThan(1e-4);
    // StyleSpace synthesis: ∂image/∂s, the gradient StyleMC composes.
    await vjp('stylegan2-styles', ckpt, join(work, 'sg-styles-ref'));
    expect(
      await compare(join(work, 'sg/synthesis_styles.onnx'), 'styles', 'image', join(work, 'sg-styles-ref')),
    ).toBeLessThan(1e-4);
  }, 300_000);

  it('CLIP image tower: ∂embedding/∂pixels', async () => {
    const bpe = join(work, 'bpe.gz');
    const ckpt = join(work, 'clip.pt');
    await synth(['bpe', bpe, '--merges', '20']);
    await synth(['clip', ckpt, '--bpe', bpe, '--width', '0.1', '--layers', '2', '--resolution', '64', '--patch', '16']);
    await exportChecked(['clip', ckpt, join(work, 'clip'), '--bpe', bpe]);
    await vjp('clip-image', ckpt, join(work, 'clip-ref'));
    const rel = await compare(
      join(work, 'clip/clip_image.onnx'),
      'pixel_values',
      'image_embeds',
      join(work, 'clip-ref'),
    );
    expect(rel).toBeLessThan(1e-4);
  }, 300_000);

  it('identity network: ∂embedding/∂face', async () => {
    const ckpt = join(work, 'ir.pth');
    await synth(['arcface', ckpt, '--width', '0.125', '--seed', '9']);
    await exportChecked(['arcface', ckpt, join(work, 'id')]);
    await vjp('identity', ckpt, join(work, 'id-ref'));
    expect(await compare(join(work, 'id/identity.onnx'), 'image', 'embedding', join(work, 'id-ref'))).toBeLessThan(
      1e-4,
    );
  }, 300_000);
});
