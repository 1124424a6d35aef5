// The demo face generator: builds generator.onnx (W+ latent → image, true attributes), mapping.onnx
// (z → w) and the mean latent from a seed, and writes them for the bundle.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelProto } from 'onnx-buf';
import { GraphBuilder } from '../../../src/engine/onnx/builder.js';
import { hostTensor, writeModel, type DType } from '../../../src/engine/onnx/model.js';
import { ATTRIBUTES } from '../attributes.js';
import { Canvas } from './canvas.js';
import { drawFace } from './face.js';
import { buildLatentModel, meanLatent, type LatentModel, type Matrix } from './latent.js';
import { generatorManifest, type GeneratorManifest } from './manifest.js';
import { FACE_PARAMS } from './params.js';

export {
  attributesOf,
  broadcastW,
  faceParams,
  latentForAttributes,
  mapZ,
  meanLatent,
  randomLatent,
  randomZ,
  truncate,
  TARGET_EDGE,
  type LatentModel,
  type NormalSource,
} from './latent.js';

export interface GeneratorOptions {
  seed: number;
  /** W+ layers L (default 6). */
  layers?: number;
  /** Latent width D (default 32). */
  dim?: number;
  /** Image side S in pixels (default 128). */
  size?: number;
  /** Faces per run (static batch, default 1). */
  batch?: number;
  /** Edge softness in pixels (default 0.4): the sigmoid temperature of every outline. */
  edgePixels?: number;
  /** Element type of every tensor (default float32; float64 is for precise gradient checks). */
  dtype?: 'float32' | 'float64';
  /** Also output 'masks' [N, M, S, S]: coverage of each face part before occlusion (see maskNames). */
  masks?: boolean;
  /**
   * Which part of the generator the graph is (default 'image', the whole of it). 'styles': W+ →
   * 'styles' [N, S], every layer group's mixed, pre-squash parameters concatenated (the analogue of
   * StyleGAN's per-layer style vectors s). 'synthesis': 'styles' → image and attributes.
   */
  stage?: 'image' | 'styles' | 'synthesis';
}

export interface BuiltGenerator {
  generator: ModelProto;
  mapping: ModelProto;
  /** [1, L, D] float32, the mean of w over random z on every layer. */
  meanLatent: Float32Array;
  manifestSection: GeneratorManifest;
  /** The weights as plain numbers, for sampling latents and reading attributes in JS. */
  latentModel: LatentModel;
  /** Channel names of the optional 'masks' output. */
  maskNames: string[];
}

/** How much of the drawing the image shows: a portrait crop, head and a little of the shoulders. */
const VIEW = 0.84;

const MASK_NAMES = ['face', 'hair', 'beard', 'eyes', 'brows', 'mouth', 'glasses'];

function matrixTensor(m: Matrix, dtype: DType) {
  return hostTensor(dtype, [m.rows, m.cols], m.data);
}

function buildMapping(model: LatentModel, batch: number, dtype: DType): ModelProto {
  const g = new GraphBuilder('demo_face_mapping');
  let h = g.input('z', dtype, [batch, model.zDim]);
  model.mapping.layers.forEach((layer, i) => {
    const last = i === model.mapping.layers.length - 1;
    const w = g.weight(`mapping.${i}.weight`, matrixTensor(layer.weight, dtype));
    const b = g.weight(`mapping.${i}.bias`, hostTensor(dtype, [layer.bias.length], layer.bias));
    const y = g.op('Add', [g.op('MatMul', [h, w]), b], {}, last && !layer.tanh ? 'w' : undefined);
    h = layer.tanh ? g.op('Tanh', [y], {}, last ? 'w' : undefined) : y;
  });
  g.output('w', dtype, [batch, model.D]);
  return g.model();
}

export function buildGenerator(opts: GeneratorOptions): BuiltGenerator {
  const L = opts.layers ?? 6;
  const D = opts.dim ?? 32;
  const S = opts.size ?? 128;
  const N = opts.batch ?? 1;
  const dtype: DType = opts.dtype ?? 'float32';
  for (const [what, v] of [
    ['layers', L],
    ['dim', D],
    ['size', S],
    ['batch', N],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`buildGenerator: ${what} must be a positive integer, got ${v}`);
  }
  if (L < 3)
    throw new Error(
      `buildGenerator: the generator needs at least 3 W+ layers (coarse, middle, fine), got layers = ${L}`,
    );
  if (S < 16) throw new Error(`buildGenerator: size must be at least 16 pixels, got ${S}`);
  if (opts.dtype !== undefined && opts.dtype !== 'float32' && opts.dtype !== 'float64')
    throw new Error(`buildGenerator: dtype must be float32 or float64, got ${String(opts.dtype)}`);
  const model = buildLatentModel(opts.seed, L, D);

  const stage = opts.stage ?? 'image';
  const styleCount = model.groups.reduce((n, grp) => n + grp.params.length, 0);
  const g = new GraphBuilder(stage === 'image' ? 'demo_face_generator' : `demo_face_${stage}`);
  const latent = stage === 'synthesis' ? '' : g.input('latent', dtype, [N, L, D]);
  const styles = stage === 'synthesis' ? g.input('styles', dtype, [N, styleCount]) : '';

  // Each layer group's layers, flattened, mixed into its parameters and squashed into their ranges.
  const perGroup: string[] = [];
  const preGroup: string[] = [];
  let styleOffset = 0;
  for (const grp of model.groups) {
    const lo = grp.layers[0]!;
    const hi = grp.layers[grp.layers.length - 1]! + 1;
    let pre: string;
    if (stage === 'synthesis') {
      pre = g.op('Slice', [styles, g.ints([styleOffset]), g.ints([styleOffset + grp.params.length]), g.ints([1])]);
      styleOffset += grp.params.length;
    } else {
      const slice = g.op('Slice', [latent, g.ints([lo]), g.ints([hi]), g.ints([1])]);
      const flat = g.op('Reshape', [slice, g.ints([N, (hi - lo) * D])]);
      pre = g.op('Add', [
        g.op('MatMul', [flat, g.weight(`mix.${grp.group}.weight`, matrixTensor(grp.mix, dtype))]),
        g.weight(`mix.${grp.group}.bias`, hostTensor(dtype, [grp.bias.length], grp.bias)),
      ]);
      preGroup.push(pre);
      if (stage === 'styles') continue;
    }
    const lows = grp.params.map((i) => FACE_PARAMS[i]!.min);
    const spans = grp.params.map((i) => FACE_PARAMS[i]!.max - FACE_PARAMS[i]!.min);
    perGroup.push(
      g.op('Add', [
        g.op('Mul', [g.op('Sigmoid', [pre]), g.constant(dtype, [spans.length], spans, 'span')]),
        g.constant(dtype, [lows.length], lows, 'low'),
      ]),
    );
  }
  if (stage === 'styles') {
    g.op('Concat', preGroup, { axis: 1 }, 'styles');
    g.output('styles', dtype, [N, styleCount]);
    return finish(g.model());
  }
  const params = g.op('Concat', perGroup, { axis: 1 });
  const order = model.groups.flatMap((grp) => grp.params);
  const column = (name: string) => order.indexOf(FACE_PARAMS.findIndex((p) => p.name === name));
  g.op('Gather', [params, g.ints(ATTRIBUTES.map((a) => column(a.name)))], { axis: 1 }, 'attributes');

  const scalars = new Map<string, string>();
  const read = (name: string): string => {
    const col = column(name);
    if (col < 0) throw new Error(`internal: the face reads an unknown parameter '${name}'`);
    let v = scalars.get(name);
    if (!v) {
      v = g.op('Reshape', [
        g.op('Slice', [params, g.ints([col]), g.ints([col + 1]), g.ints([1])]),
        g.ints([N, 1, 1, 1]),
      ]);
      scalars.set(name, v);
    }
    return v;
  };
  const canvas = new Canvas(g, S, ((opts.edgePixels ?? 0.4) * 2 * VIEW) / S, VIEW, dtype);
  const drawn = drawFace(canvas, read);
  const scaled = g.op('Sub', [g.op('Mul', [drawn.image, g.scalar(2, dtype)]), g.scalar(1, dtype)]);
  g.op('Clip', [scaled, g.scalar(-1, dtype), g.scalar(1, dtype)], {}, 'image');
  g.output('image', dtype, [N, 3, S, S]);
  g.output('attributes', dtype, [N, ATTRIBUTES.length]);
  if (opts.masks) {
    const full = g.constant(dtype, [N, 1, S, S], new Float32Array(N * S * S), 'zeros');
    const channels = MASK_NAMES.map((m) => {
      const v = drawn.masks[m];
      if (v === undefined) throw new Error(`internal: the face has no mask '${m}'`);
      return g.op('Add', [canvas.v(v), full]);
    });
    g.op('Concat', channels, { axis: 1 }, 'masks');
    g.output('masks', dtype, [N, MASK_NAMES.length, S, S]);
  }
  return finish(g.model());

  function finish(generator: ModelProto): BuiltGenerator {
    return {
      generator,
      mapping: buildMapping(model, N, dtype),
      meanLatent: meanLatent(model),
      manifestSection: generatorManifest(L, D, S, model.zDim),
      latentModel: model,
      maskNames: opts.masks ? MASK_NAMES.slice() : [],
    };
  }
}

export const GENERATOR_FILES = {
  generator: 'generator.onnx',
  mapping: 'mapping.onnx',
  meanLatent: 'mean_latent.bin',
} as const;

/** Writes generator.onnx, mapping.onnx and mean_latent.bin (float32 little-endian) into dir. */
export function writeGenerator(dir: string, built: BuiltGenerator): string[] {
  mkdirSync(dir, { recursive: true });
  const mean = new Uint8Array(built.meanLatent.length * 4);
  const view = new DataView(mean.buffer);
  for (const [i, v] of built.meanLatent.entries()) view.setFloat32(i * 4, v, true);
  const files: [string, Uint8Array][] = [
    [GENERATOR_FILES.generator, writeModel(built.generator)],
    [GENERATOR_FILES.mapping, writeModel(built.mapping)],
    [GENERATOR_FILES.meanLatent, mean],
  ];
  return files.map(([name, bytes]) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  });
}
