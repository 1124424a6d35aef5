// The CLIP exporter on a tiny ViT with OpenAI's key layout (a TorchScript archive of float16
// weights, as ViT-B-32.pt is) and on the same weights as a Hugging Face CLIPModel folder
// (pytorch_model.bin, and model.safetensors read without the safetensors package): each ONNX
// matches PyTorch, and both sources give the same embeddings.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { declaredIo } from '../../src/engine/models/io.js';
import { readModel } from '../../src/engine/onnx/model.js';
import { createNodeRuntime } from '../../src/engine/tensor/runtime-node.js';
import { hostTensor } from '../../src/engine/onnx/model.js';
import { exportChecked, runPython, synth, tempDir } from './helpers.js';

const work = tempDir('clip');

async function embed(dir: string): Promise<{ image: Float32Array; text: Float32Array }> {
  const runtime = await createNodeRuntime();
  const img = await runtime.createSession(new Uint8Array(readFileSync(join(dir, 'clip_image.onnx'))), { name: 'img' });
  const txt = await runtime.createSession(new Uint8Array(readFileSync(join(dir, 'clip_text.onnx'))), { name: 'txt' });
  const pixels = Float32Array.from({ length: 3 * 64 * 64 }, (_, i) => Math.sin(i * 0.37));
  const ids = new Array(77).fill(0);
  ids.splice(0, 5, 300, 10, 20, 30, 301);
  const image = (await img.runToHost({ pixel_values: hostTensor('float32', [1, 3, 64, 64], pixels) })).image_embeds!;
  const text = (await txt.runToHost({ input_ids: hostTensor('int64', [1, 77], ids) })).text_embeds!;
  await img.release();
  await txt.release();
  return { image: image.data as Float32Array, text: text.data as Float32Array };
}

describe('export clip', () => {
  const bpe = join(work, 'bpe.txt.gz');
  const archive = join(work, 'ViT-tiny.pt');
  const hf = join(work, 'hf-bin');
  const hfSt = join(work, 'hf-safetensors');

  it('exports an OpenAI TorchScript archive: towers match PyTorch, tokenizer written', async () => {
    await synth(['bpe', bpe, '--merges', '40']);
    await synth([
      'clip',
      archive,
      '--bpe',
      bpe,
      '--width',
      '0.1',
      '--layers',
      '2',
      '--resolution',
      '64',
      '--patch',
      '16',
      '--hf',
      hf,
    ]);
    await synth([
      'clip',
      join(work, 'unused.pt'),
      '--bpe',
      bpe,
      '--width',
      '0.1',
      '--layers',
      '2',
      '--resolution',
      '64',
      '--patch',
      '16',
      '--hf',
      hfSt,
      '--safetensors',
    ]);
    const out = join(work, 'openai');
    const { ran, results } = await exportChecked(['clip', archive, out, '--bpe', bpe]);
    expect(ran.stdout).toContain('CLIP ViT 64 px / patch 16, vision 2×64 (1 heads), text 2×64 (1 heads)');
    expect(results.map((r) => r.output)).toEqual(['image_embeds', 'text_embeds']);
    for (const r of results) expect(r.relative).toBeLessThanOrEqual(1e-4);
    const text = declaredIo(readModel(new Uint8Array(readFileSync(join(out, 'clip_text.onnx')))));
    expect(text.inputs).toEqual([{ name: 'input_ids', dtype: 'int64', dims: [1, 77] }]);
    expect(JSON.parse(readFileSync(join(out, 'tokenizer.json'), 'utf8')).model.type).toBe('BPE');
    expect(readFileSync(join(out, 'MODEL_CARD.md'), 'utf8')).toContain('MIT');
  }, 300_000);

  it('exports Hugging Face folders (.bin and .safetensors) to the same embeddings', async () => {
    const fromBin = join(work, 'from-bin');
    const fromSt = join(work, 'from-st');
    for (const [src, out] of [
      [hf, fromBin],
      [hfSt, fromSt],
    ] as const) {
      const { results } = await exportChecked(['clip', src, out]);
      for (const r of results) expect(r.relative).toBeLessThanOrEqual(1e-4);
    }
    const a = await embed(join(work, 'openai'));
    const b = await embed(fromBin);
    const c = await embed(fromSt);
    const maxDiff = (x: Float32Array, y: Float32Array) => Math.max(...x.map((v, i) => Math.abs(v - y[i]!)));
    // Same float16 weights through three readers and two key layouts: the same numbers.
    expect(maxDiff(a.image, b.image)).toBeLessThan(1e-5);
    expect(maxDiff(a.text, b.text)).toBeLessThan(1e-5);
    expect(Math.max(...a.image.map(Math.abs))).toBeGreaterThan(1e-3);
    // The safetensors folder was made from another archive write with the same seed: the same weights.
    expect(maxDiff(a.image, c.image)).toBeLessThan(1e-5);
    expect(maxDiff(a.text, c.text)).toBeLessThan(1e-5);
  }, 300_000);

  it('says what is missing: the vocabulary of an OpenAI checkpoint, a ResNet CLIP', async () => {
    const r = await runPython('export.py', ['clip', archive, join(work, 'never')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('pass --bpe bpe_simple_vocab_16e6.txt.gz');
    const { execFileSync } = await import('node:child_process');
    const { pythonCommand } = await import('../../tools/export/python.js');
    const rn = join(work, 'rn.pt');
    execFileSync(pythonCommand(), [
      '-c',
      `import torch; torch.save({'visual.layer1.0.conv1.weight': torch.zeros(1)}, ${JSON.stringify(rn)})`,
    ]);
    const r2 = await runPython('export.py', ['clip', rn, join(work, 'never'), '--bpe', bpe]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain('a ResNet CLIP (ModifiedResNet image tower); only ViT CLIP models are supported');
  }, 300_000);
});
