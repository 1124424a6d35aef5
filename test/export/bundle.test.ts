// A reduced-width real-architecture bundle end to end: synthetic upstream checkpoints through the
// exporters (npm run models:realshape at 64 px, width 0.125, built once for all tests by
// realshape-fixture.ts), `bundle init` / `bundle check` in the CLI, the default graph run on it with only the bundle path set, a Hugging Face CLIP folder as
// the clip section, and init's messages for facts a model file does not carry.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readModel, writeModel } from '../../src/engine/onnx/model.js';
import { decodePng } from '../../src/engine/tensor/png.js';
import { root, tempDir } from './helpers.js';
import { realshapeBundle } from './realshape-fixture.js';

const bin = join(root, 'bin/rete-clip-pae.mjs');
const work = tempDir('bundle');
let bundle: string;

beforeAll(async () => {
  bundle = await realshapeBundle();
}, 900_000);

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: work, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('real-architecture bundle', () => {
  it('builds with models:realshape and passes bundle check in the CLI', async () => {
    const manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8'));
    expect(manifest.generator.latentShape).toEqual([1, 10, 64]);
    expect(manifest.generator.imageSize).toEqual([64, 64]);
    expect(manifest.clip.text).toEqual({
      file: 'clip_text.onnx',
      input: 'input_ids',
      output: 'text_embeds',
      contextLength: 77,
    });
    expect(manifest.encoder).toMatchObject({ inputSize: 256, inputRange: [-1, 1], addMeanLatent: true });
    expect(manifest.identity).toMatchObject({ imageSize: 256, inputRange: [-1, 1] });
    const check = await cli(['bundle', 'check', join(bundle, 'manifest.json')]);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain('all 6 models pass');
    expect(check.stdout).toMatch(
      /ok\s+clipText\s+clip_text\.onnx\s+[\d.]+\s+input_ids \[1, 77\] → text_embeds \[1, 64\]/,
    );
    // A manifest that promises another embedding size fails, naming the model and the field.
    writeFileSync(join(bundle, 'bad.json'), JSON.stringify({ ...manifest, clip: { ...manifest.clip, embedDim: 65 } }));
    const bad = await cli(['bundle', 'check', join(bundle, 'bad.json')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('clip_image.onnx does not match the manifest');
    expect(bad.stderr).toContain('(clip.embedDim)');
  }, 600_000);

  it('runs the default graph on it with only the bundle path set', async () => {
    const out = join(work, 'out');
    const r = await cli([
      'run',
      join(root, 'graphs/default.json'),
      '--set',
      `models.bundle=${join(bundle, 'manifest.json')}`,
      '--set',
      'edit.steps=2',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Optimize: 100% step 2/2');
    const { image, text } = decodePng(new Uint8Array(readFileSync(join(out, 'happy.png'))));
    expect(image.width).toBeGreaterThanOrEqual(64);
    // The saved graph names the bundle it ran on.
    expect(Object.values(text).join('')).toContain('realshape/manifest.json');
  }, 600_000);

  it('optimizes with the identity term through the IR-SE50 network', async () => {
    const r = await cli([
      'run',
      join(root, 'graphs/default.json'),
      '--set',
      `models.bundle=${join(bundle, 'manifest.json')}`,
      '--set',
      'edit.steps=2',
      '--set',
      'edit.lambdaId=0.1',
      '--out',
      join(work, 'out-id'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Optimize: 100% step 2/2');
  }, 600_000);

  it('takes a Hugging Face / transformers.js CLIP folder as the clip section', async () => {
    const dir = join(work, 'hf-bundle');
    const hf = join(work, 'clip-hf');
    mkdirSync(join(hf, 'onnx'), { recursive: true });
    // Without the exporters' metadata, as transformers.js folders come: facts from the folder's configs.
    for (const [from, to] of [
      ['clip_image.onnx', 'vision_model_quantized.onnx'],
      ['clip_text.onnx', 'text_model_quantized.onnx'],
    ]) {
      const model = readModel(new Uint8Array(readFileSync(join(bundle, from))));
      model.metadataProps = [];
      writeFileSync(join(hf, 'onnx', to), writeModel(model));
    }
    copyFileSync(join(bundle, 'tokenizer.json'), join(hf, 'tokenizer.json'));
    const mean = [0.48145466, 0.4578275, 0.40821073];
    const std = [0.26862954, 0.26130258, 0.27577711];
    writeFileSync(
      join(hf, 'preprocessor_config.json'),
      JSON.stringify({ crop_size: { height: 224, width: 224 }, image_mean: mean, image_std: std }),
    );
    writeFileSync(
      join(hf, 'tokenizer_config.json'),
      JSON.stringify({ model_max_length: 77, pad_token: '<|endoftext|>' }),
    );
    mkdirSync(dir, { recursive: true });
    const files = ['--generator', join(bundle, 'generator.onnx'), '--mean-latent', join(bundle, 'mean_latent.bin')];
    const missing = await cli(['bundle', 'init', dir, ...files, '--clip-hf', hf, '--clip-variant', 'fp16']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--clip-hf: no onnx/vision_model_fp16.onnx');
    const r = await cli([
      'bundle',
      'init',
      dir,
      ...files,
      '--clip-hf',
      hf,
      '--clip-variant',
      'quantized',
      '--name',
      'hf',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(m.clip.image.file).toBe('../clip-hf/onnx/vision_model_quantized.onnx');
    expect(m.clip.tokenizerConfig).toBe('../clip-hf/tokenizer_config.json');
    expect(m.clip.mean).toEqual(mean);
    const tokenizer = JSON.parse(readFileSync(join(hf, 'tokenizer.json'), 'utf8'));
    expect(m.clip.padId).toBe(tokenizer.model.vocab['<|endoftext|>']);
    expect(m.generator.file).toBe(relative(dir, join(bundle, 'generator.onnx')));
    expect(m.encoder).toBeNull();
    const check = await cli(['bundle', 'check', dir]);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain('all 3 models pass');
  }, 300_000);

  it('names each fact a model file does not carry, with its flag', async () => {
    const dir = join(work, 'plain');
    mkdirSync(dir, { recursive: true });
    const demo = join(root, 'public/models/demo');
    for (const f of [
      'generator.onnx',
      'mapping.onnx',
      'mean_latent.bin',
      'clip_image.onnx',
      'clip_text.onnx',
      'tokenizer.json',
      'encoder.onnx',
    ])
      copyFileSync(join(demo, f), join(dir, f));
    const r = await cli(['bundle', 'init', dir]);
    expect(r.code).toBe(1);
    expect(existsSync(join(dir, 'manifest.json'))).toBe(false);
    for (const flag of [
      '--output-range=-1,1',
      '--clip-mean r,g,b',
      '--clip-std r,g,b',
      '--pad-id N',
      '--encoder-range=-1,1',
      '--encoder-adds-mean yes|no',
    ])
      expect(r.stderr).toContain(`pass ${flag}`);
    const demoManifest = JSON.parse(readFileSync(join(demo, 'manifest.json'), 'utf8'));
    const c = demoManifest.clip;
    const ok = await cli([
      'bundle',
      'init',
      dir,
      '--output-range=-1,1',
      '--clip-mean',
      c.mean.join(','),
      '--clip-std',
      c.std.join(','),
      '--pad-id',
      '0',
      '--encoder-range=-1,1',
      '--encoder-adds-mean',
      'yes',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    // Everything the demo manifest states about shapes and names is read back from its files.
    expect(m.generator.latentShape).toEqual(demoManifest.generator.latentShape);
    expect(m.generator.imageSize).toEqual(demoManifest.generator.imageSize);
    expect(m.generator.mapping).toEqual(demoManifest.generator.mapping);
    expect(m.clip.text).toEqual(c.text);
    expect(m.clip.embedDim).toBe(c.embedDim);
    expect(m.clip.imageSize).toBe(c.imageSize);
    expect(m.encoder).toEqual(demoManifest.encoder);
    const again = await cli(['bundle', 'init', dir]);
    expect(again.stderr).toContain('exists; pass --force to replace it');
  }, 300_000);
});
