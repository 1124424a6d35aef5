// A bundle for the optimizer tests: the real demo generator (with its mapping, mean latent and
// attribute classes) next to a small randomly initialised CLIP-like pair of towers, an encoder and
// optionally an identity network, all written with GraphBuilder. Small enough that a gradient step
// takes tens of milliseconds, real enough that the loss graph composes every kind of op a trained
// CLIP image tower of the demo uses.
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { hostTensor, writeModel } from '../../src/engine/onnx/model.js';
import { mulberry32 } from '../../src/engine/random.js';
import { loadBundle, type ModelBundle } from '../../src/engine/models/index.js';
import type { Runtime } from '../../src/engine/tensor/runtime.js';
import { generatorManifest } from '../../tools/demo/generator/manifest.js';
import { clipManifest, CONTEXT, tokenizerJson, VOCAB } from '../models/tiny-bundle.js';

export const DEMO_DIR = fileURLToPath(new URL('../../public/models/demo/', import.meta.url));
export const CLIP_SIZE = 32;
export const EMBED = 16;

function normal(seed: number, n: number, std: number): Float32Array {
  const r = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = Math.max(r(), 1e-12);
    const v = r();
    const m = Math.sqrt(-2 * Math.log(u)) * std;
    out[i] = m * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = m * Math.sin(2 * Math.PI * v);
  }
  return out;
}

function conv(
  g: GraphBuilder,
  x: string,
  name: string,
  cin: number,
  cout: number,
  stride: number,
  seed: number,
): string {
  const w = g.weight(
    `${name}.w`,
    hostTensor('float32', [cout, cin, 3, 3], normal(seed, cout * cin * 9, Math.sqrt(2 / (cin * 9)))),
  );
  const b = g.weight(`${name}.b`, hostTensor('float32', [cout], normal(seed + 1, cout, 0.05)));
  return g.op('Relu', [
    g.op('Conv', [x, w, b], {
      kernel_shape: [3, 3],
      strides: [stride, stride],
      pads: [1, 1, 1, 1],
      dilations: [1, 1],
      group: 1,
    }),
  ]);
}

function dense(g: GraphBuilder, x: string, name: string, nin: number, nout: number, seed: number): string {
  const w = g.weight(`${name}.w`, hostTensor('float32', [nin, nout], normal(seed, nin * nout, Math.sqrt(2 / nin))));
  return g.op('Add', [
    g.op('MatMul', [x, w]),
    g.weight(`${name}.b`, hostTensor('float32', [nout], normal(seed + 1, nout, 0.05))),
  ]);
}

/** A small CNN: 32×32 → 16 → 8 → 4, then a projection; like an exported CLIP, not normalized. */
export function clipImageModel(seed = 0): Uint8Array {
  const g = new GraphBuilder('clip_image');
  let x = g.input('pixel_values', 'float32', [1, 3, CLIP_SIZE, CLIP_SIZE]);
  x = conv(g, x, 'stem', 3, 8, 2, seed + 10);
  x = conv(g, x, 'a', 8, 12, 2, seed + 20);
  x = conv(g, x, 'b', 12, 16, 2, seed + 30);
  x = g.op('Flatten', [x], { axis: 1 });
  const outputName = 'image_embeds';
  g.op('Identity', [dense(g, x, 'proj', 16 * 4 * 4, EMBED, seed + 40)], {}, outputName);
  g.output(outputName, 'float32', [1, EMBED]);
  return writeModel(g.model());
}

function clipTextModel(): Uint8Array {
  const g = new GraphBuilder('clip_text');
  const ids = g.input('input_ids', 'int64', ['batch', CONTEXT]);
  const mask = g.input('attention_mask', 'int64', ['batch', CONTEXT]);
  const tokens = g.op('Gather', [
    g.weight('token_embedding', hostTensor('float32', [VOCAB.length, EMBED], normal(50, VOCAB.length * EMBED, 1))),
    ids,
  ]);
  const m = g.op('Unsqueeze', [g.op('Cast', [mask], { to: 1 }), g.ints([2])]);
  g.op('ReduceSum', [g.op('Mul', [tokens, m]), g.ints([1])], { keepdims: 0 }, 'text_embeds');
  g.output('text_embeds', 'float32', ['batch', EMBED]);
  return writeModel(g.model());
}

/** Image [1,3,128,128] in [−1, 1] → 16×16 average → linear → latent offsets [1, 6, 32]. */
function encoderModel(layers: number, width: number): Uint8Array {
  const g = new GraphBuilder('encoder');
  const x = g.input('image', 'float32', [1, 3, 128, 128]);
  const pooled = g.op('AveragePool', [x], { kernel_shape: [8, 8], strides: [8, 8], pads: [0, 0, 0, 0] });
  const flat = g.op('Flatten', [pooled], { axis: 1 });
  const w = g.op('MatMul', [
    flat,
    g.weight('w', hostTensor('float32', [768, layers * width], normal(60, 768 * layers * width, 0.02))),
  ]);
  g.op('Reshape', [w, g.ints([1, layers, width])], {}, 'latent');
  g.output('latent', 'float32', [1, layers, width]);
  return writeModel(g.model());
}

/** A face-identity stand-in: 112×112 → 14×14 average → linear → 8 values. */
function identityModel(): Uint8Array {
  const g = new GraphBuilder('identity');
  const x = g.input('faces', 'float32', [1, 3, 112, 112]);
  const pooled = g.op('AveragePool', [x], { kernel_shape: [8, 8], strides: [8, 8], pads: [0, 0, 0, 0] });
  const flat = g.op('Flatten', [pooled], { axis: 1 });
  g.op(
    'MatMul',
    [flat, g.weight('w', hostTensor('float32', [3 * 14 * 14, 8], normal(70, 3 * 14 * 14 * 8, 0.1)))],
    {},
    'id_embedding',
  );
  g.output('id_embedding', 'float32', [1, 8]);
  return writeModel(g.model());
}

export interface FixtureOptions {
  identity?: boolean;
  /** Name the bundle differently so caches keyed by bundle id do not share. */
  name?: string;
  /** Other CLIP image weights under the same manifest. */
  clipSeed?: number;
  /** Write into this folder (over an earlier bundle) instead of a fresh one. */
  dir?: string;
}

/** Writes the bundle to a fresh temp folder and returns it. */
export async function writeOptimizeBundle(options: FixtureOptions = {}): Promise<string> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'optimize-bundle-')));
  const generator = generatorManifest(6, 32, 128, 32);
  const manifest = {
    format: 'rete-clip-pae/bundle',
    version: 1,
    name: options.name ?? 'optimize-test',
    generator,
    clip: clipManifest(CLIP_SIZE, EMBED),
    encoder: {
      file: 'encoder.onnx',
      input: 'image',
      output: 'latent',
      inputSize: 128,
      inputRange: [-1, 1],
      addMeanLatent: true,
    },
    identity: options.identity
      ? { file: 'identity.onnx', input: 'faces', output: 'id_embedding', imageSize: 112, inputRange: [-1, 1] }
      : null,
  };
  for (const f of ['generator.onnx', 'mapping.onnx', 'mean_latent.bin'])
    await copyFile(join(DEMO_DIR, f), join(dir, f));
  const files: Record<string, Uint8Array | string> = {
    'manifest.json': JSON.stringify(manifest, null, 2),
    'clip_image.onnx': clipImageModel(options.clipSeed),
    'clip_text.onnx': clipTextModel(),
    'encoder.onnx': encoderModel(6, 32),
    'tokenizer.json': JSON.stringify(tokenizerJson()),
  };
  if (options.identity) files['identity.onnx'] = identityModel();
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}

export const readBytes = async (path: string) => new Uint8Array(await readFile(path));

/** Writes the bundle and loads it on `runtime`. */
export async function loadOptimizeBundle(runtime: Runtime, options: FixtureOptions = {}): Promise<ModelBundle> {
  return loadBundle(await writeOptimizeBundle(options), { runtime, loadBytes: readBytes });
}

export async function loadOptimizeBundleFrom(dir: string, runtime: Runtime): Promise<ModelBundle> {
  return loadBundle(dir, { runtime, loadBytes: readBytes });
}
