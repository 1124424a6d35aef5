import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { checkModel } from '../../src/engine/models/io.js';
import { modelContracts } from '../../src/engine/models/contracts.js';
import { parseManifest } from '../../src/engine/models/manifest.js';
import { buildBundle } from '../../tools/demo/build.js';
import { QUICK } from '../../tools/demo/config.js';

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'demo-bundle-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('reduced-size demo bundle build', () => {
  it('gives the same bytes twice from one seed, and other bytes from another seed', async () => {
    const [a, b, c] = [fresh(), fresh(), fresh()];
    await buildBundle({ seed: 7, out: a, config: QUICK, quick: true, quiet: true, evaluate: false });
    await buildBundle({ seed: 7, out: b, config: QUICK, quick: true, quiet: true, evaluate: false });
    await buildBundle({ seed: 8, out: c, config: QUICK, quick: true, quiet: true, evaluate: false });
    const files = readdirSync(a).sort();
    expect(files).toEqual([
      'build.json',
      'clip_image.onnx',
      'clip_text.onnx',
      'directions.bin',
      'encoder.onnx',
      'generator.onnx',
      'identity.onnx',
      'manifest.json',
      'mapping.onnx',
      'mean_latent.bin',
      'styles.onnx',
      'synthesis_styles.onnx',
      'tokenizer.json',
    ]);
    expect(readdirSync(b).sort()).toEqual(files);
    for (const f of files) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
    for (const f of ['clip_image.onnx', 'clip_text.onnx', 'encoder.onnx', 'identity.onnx'])
      expect(readFileSync(join(c, f)).equals(readFileSync(join(a, f))), f).toBe(false);

    // The bundle is one the app's loader accepts: every file meets the contract its manifest entry sets.
    const manifest = parseManifest(readFileSync(join(a, 'manifest.json')), 'manifest.json');
    for (const [role, { file, contract }] of modelContracts(manifest)) {
      expect(() => checkModel(readFileSync(join(a, file)), contract, `${role} ${file}`)).not.toThrow();
    }
    // The exported towers run with the batch the app uses (1) and with several prompts at once.
    const text = await ort.InferenceSession.create(readFileSync(join(a, 'clip_text.onnx')));
    const ids = new BigInt64Array(3 * 16).fill(2n);
    const out = await text.run({
      input_ids: new ort.Tensor('int64', ids, [3, 16]),
      attention_mask: new ort.Tensor(
        'int64',
        ids.map(() => 1n),
        [3, 16],
      ),
    });
    expect(out.text_embeds!.dims).toEqual([3, manifest.clip.embedDim]);
  });
});
