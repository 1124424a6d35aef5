// A reduced-width real-architecture bundle end to end: synthetic upstream checkpoints through the
// exporters (npm run models:realshape at 64 px, width 0.125, built once for all tests by
// realshape-fixture.ts), `bundle init` / `bundle check` in the CLI, the default graph run on it
// with only the bundle path set, a Hugging Face CLIP folder as the clip section, init's messages
// for facts a model file does not carry, and the generator's StyleSpace pair: bundle check runs it,
// wrong layer claims fail, and global directions built on it drive the Global Direction graph.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readModel, writeModel } from '../../src/engine/onnx/model.js';
import { decodePng } from '../../src/engine/tensor/png.js';
import { root, tempDir } from './helpers.js';
import { realshapeBundle } from './realshape-fixture.js';

const bin = join(root, 'bin/rete-clip-pae.mjs');
const work = tempDir('bundle');
let bundle: string;
/** S of the 64 px, width 0.125 generator: 14 style layers of 64 channels. */
const STYLES = 14 * 64;

beforeAll(async () => {
  bundle = await realshapeBundle();
}, 900_000);

/**
 * Writes `manifest` as <work>/<name>/manifest.json with its model paths pointing into the shared
 * bundle, so a test can change a manifest (or add files next to it) without touching the bundle.
 */
function besideBundle(name: string, manifest: Record<string, unknown>): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const moved = (value: unknown, key?: string): unknown => {
    if (typeof value === 'string' && key && ['file', 'meanLatent', 'tokenizer', 'tokenizerConfig'].includes(key))
      return relative(dir, join(bundle, value)).split('\\').join('/');
    if (Array.isArray(value)) return value.map((v) => moved(v));
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, moved(v, k)]));
    return value;
  };
  const path = join(dir, 'manifest.json');
  writeFileSync(path, JSON.stringify(moved(manifest), null, 2));
  return path;
}

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
    // StyleSpace from the generator export: conv1, to_rgb1, then per resolution 8…64 two convs and a to_rgb.
    expect(manifest.styleSpace.styles).toEqual({ file: 'styles.onnx', input: 'latent', output: 'styles' });
    expect(manifest.styleSpace.synthesis).toEqual({ file: 'synthesis_styles.onnx', input: 'styles', output: 'image' });
    expect(manifest.styleSpace.layers.map((l: { name: string }) => l.name).slice(0, 6)).toEqual([
      'conv1',
      'to_rgb1',
      'convs.0',
      'convs.1',
      'to_rgbs.0',
      'convs.2',
    ]);
    expect(manifest.styleSpace.layers).toHaveLength(14);
    expect(manifest.styleSpace.layers.reduce((n: number, l: { size: number }) => n + l.size, 0)).toBe(STYLES);
    const check = await cli(['bundle', 'check', join(bundle, 'manifest.json')]);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain('all 8 models pass');
    expect(check.stdout).toMatch(
      /ok\s+clipText\s+clip_text\.onnx\s+[\d.]+\s+input_ids \[1, 77\] → text_embeds \[1, 64\]/,
    );
    expect(check.stdout).toMatch(/ok\s+styles\s+styles\.onnx\s+[\d.]+\s+latent \[1, 10, 64\] → styles \[1, 896\]/);
    expect(check.stdout).toMatch(
      /ok\s+styleSynthesis\s+synthesis_styles\.onnx\s+[\d.]+\s+styles \[1, 896\] → image \[1, 3, 64, 64\]/,
    );
    // A manifest that promises another embedding size fails, naming the model and the field.
    writeFileSync(join(bundle, 'bad.json'), JSON.stringify({ ...manifest, clip: { ...manifest.clip, embedDim: 65 } }));
    const bad = await cli(['bundle', 'check', join(bundle, 'bad.json')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('clip_image.onnx does not match the manifest');
    expect(bad.stderr).toContain('(clip.embedDim)');
  }, 600_000);

  it('catches StyleSpace layer claims that do not fit the files', async () => {
    const manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8'));
    const layers = manifest.styleSpace.layers as { name: string; size: number }[];
    const withLayers = (name: string, l: typeof layers) =>
      besideBundle(name, { ...manifest, styleSpace: { ...manifest.styleSpace, layers: l } });
    // One channel more than the styles model returns: its contract fails at load.
    const longer = await cli(['bundle', 'check', withLayers('longer', [...layers, { name: 'extra', size: 1 }])]);
    expect(longer.code).toBe(1);
    expect(longer.stderr).toContain('styles.onnx does not match the manifest');
    expect(longer.stderr).toContain('(styleSpace.layers (S = the sum of their sizes))');
    // The same S split another way: the layer list stored in styles.onnx tells.
    const moved = layers.map((l, i) => ({ ...l, size: l.size + (i === 0 ? 1 : i === 1 ? -1 : 0) }));
    const split = await cli(['bundle', 'check', withLayers('split', moved)]);
    expect(split.code).toBe(1);
    expect(split.stdout).toMatch(/FAIL\s+styles\s+\S*styles\.onnx/);
    expect(split.stdout).toContain(
      'styleSpace.layers[0] is "conv1" of 65 channels; the file lists "conv1" of 64 at that place in its metadata',
    );
    expect(split.stdout).toContain('1 of 8 models failed');
  }, 300_000);

  it('builds global directions on its StyleSpace that the Global Direction node runs on', async () => {
    // In a manifest of its own next to the shared bundle, which stays as it was built.
    const manifestPath = besideBundle('directions', JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8')));
    const built = await cli(['directions', 'build', manifestPath, '--faces', '2']);
    expect(built.code, built.stderr).toBe(0);
    const file = join(dirname(manifestPath), 'directions.bin');
    expect(existsSync(file)).toBe(true);
    // S σ values and S × embedDim relevance values, float32.
    expect(readFileSync(file).byteLength).toBe(STYLES * (1 + 64) * 4);
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    expect(manifest.styleSpace.directions).toMatchObject({ file: 'directions.bin', faces: 2 });
    const check = await cli(['bundle', 'check', manifestPath]);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    const run = await cli([
      'run',
      join(root, 'graphs/global-directions.json'),
      '--set',
      `models.bundle=${manifestPath}`,
      '--out',
      join(work, 'out-global'),
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(join(work, 'out-global', 'global-direction.png'))).toBe(true);
    // A directions file of another size is refused at load, naming it.
    writeFileSync(join(dirname(manifestPath), 'short.bin'), new Uint8Array(STYLES * 4));
    const directions = { ...manifest.styleSpace.directions, file: 'short.bin' };
    writeFileSync(
      join(dirname(manifestPath), 'short.json'),
      JSON.stringify({ ...manifest, styleSpace: { ...manifest.styleSpace, directions } }),
    );
    const short = await cli(['bundle', 'check', join(dirname(manifestPath), 'short.json')]);
    expect(short.code).toBe(1);
    expect(short.stderr).toContain(`short.bin: the global directions must hold ${STYLES} σ values`);
  }, 900_000);

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
