// The edit objective as one ONNX model: generator → preprocessing → CLIP image tower → cosine loss
// against the target + λ_L2 ‖w − w0‖² (+ λ_id identity term), and its gradient with respect to the
// latent, so each optimization step is one session run. Target, start latent and the λs are
// inputs: one compiled model serves every edit of a bundle.
import type { ModelProto } from 'onnx-buf';
import type { Manifest } from '../models/manifest.js';
import { compose, extendModel, foldConstants, gradientModel, gradName, readModel, writeModel } from '../onnx/index.js';
import type { GraphBuilder } from '../onnx/builder.js';
import { writeModelSplit } from '../onnx/external.js';
import { identityPixelsOp } from './identity-prep.js';
import { centreSquareOp, channelAffineOp, rangeToNormalized, resizeOp, sumAllOp, unitOp } from './prep.js';

/** The names of the compiled model's inputs and outputs. */
export interface EditModelNames {
  latent: string;
  latent0: string;
  target: string;
  lambdaL2: string;
  /** The upstream gradient of the loss (fed 1). */
  lossSeed: string;
  loss: string;
  grad: string;
  /** The generator's raw output, in generator.outputRange. */
  image: string;
  /** Unit CLIP embedding of the generated image. */
  embedding: string;
  /** Only when the bundle has an identity network. */
  identity?: { lambda: string; reference: string; embedding: string; dim: number };
}

export interface EditModel {
  /** The model; with `externalWeights`, its graph only, the initializers pointing into `weights`. */
  bytes: Uint8Array;
  /** With `externalWeights`: the external data the model's initializers name (EXTERNAL_WEIGHTS_PATH). */
  weights?: Uint8Array;
  names: EditModelNames;
  embedDim: number;
}

/** What the builder needs from a bundle: its manifest and the model files it composes. */
export interface EditModelSource {
  manifest: Manifest;
  generator: Uint8Array;
  clipImage: Uint8Array;
  identity?: Uint8Array;
}

export function modelNames(model: ModelProto): Set<string> {
  const g = model.graph!;
  const names = new Set<string>();
  for (const n of g.node) for (const v of [...n.input, ...n.output]) if (v) names.add(v);
  for (const t of g.initializer) names.add(t.name);
  for (const v of [...g.input, ...g.output]) names.add(v.name);
  return names;
}

/** `base`, or `base_2`, `base_3`, … when the model already uses the name (also reserves it). */
export function freshName(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name) || taken.has(gradName(name)); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

/** Centre square, resize to `size`, and the per-channel affine, from the generator's raw image. */
function prepareImage(
  g: GraphBuilder,
  image: string,
  m: Manifest,
  size: number,
  map: { scale: number[]; shift: number[] },
): string {
  const [height, width] = m.generator.imageSize;
  const { square, side } = centreSquareOp(g, image, height, width);
  return channelAffineOp(g, resizeOp(g, square, 3, side, size), map.scale, map.shift);
}

/** 1 − cos(a, b) as a scalar, for [1, E] vectors. */
function cosineDistance(g: GraphBuilder, unitA: string, b: string): string {
  const cos = sumAllOp(g, g.op('Mul', [unitA, unitOp(g, b)]));
  return g.op('Sub', [g.scalar(1), cos]);
}

export interface BuildOptions {
  /**
   * Write the large initializers as external data (`weights`), for a runtime that takes them so
   * (Runtime.externalData): onnxruntime-web then keeps no copy of the protobuf in its heap.
   */
  externalWeights?: boolean;
}

/** The model as bytes, or as graph and external weights. */
export function writeBuilt(model: ModelProto, options: BuildOptions): { bytes: Uint8Array; weights?: Uint8Array } {
  if (!options.externalWeights) return { bytes: writeModel(model) };
  const { graph, weights } = writeModelSplit(model);
  return { bytes: graph, weights };
}

export function buildEditModel(source: EditModelSource, options: BuildOptions = {}): EditModel {
  const m = source.manifest;
  const gen = m.generator;
  const clip = m.clip;
  const where = `bundle "${m.name}"`;
  const [, layers, width] = gen.latentShape;
  const latentDims = [1, layers, width];
  const inputShapes = { [gen.input]: latentDims };

  const generator = readModel(source.generator, `${where}: ${gen.file}`);
  const hasIdentity = source.identity !== undefined && m.identity;
  let identitySize = 0;
  if (hasIdentity) {
    const declared = readModel(source.identity!, `${where}: ${m.identity!.file}`).graph!.input.find(
      (i) => i.name === m.identity!.input,
    );
    const dims = declared?.type?.value.case === 'tensorType' ? (declared.type.value.value.shape?.dim ?? []) : [];
    const d = dims[2]?.value;
    identitySize = m.identity!.imageSize ?? (d?.case === 'dimValue' ? Number(d.value) : 0);
    if (!(identitySize > 0))
      throw new Error(
        `${where}: identity.imageSize is needed: ${m.identity!.file} does not declare a fixed input size`,
      );
  }

  // Pixels for CLIP (and for the identity network) hang off the generator's image.
  const pixelNames: { clip?: string; identity?: string } = {};
  const prepared = extendModel(generator, (g) => {
    pixelNames.clip = prepareImage(
      g,
      gen.output,
      m,
      clip.imageSize,
      rangeToNormalized(gen.outputRange, clip.mean, clip.std),
    );
    g.output(pixelNames.clip, 'float32', [1, 3, clip.imageSize, clip.imageSize]);
    if (hasIdentity) {
      // The identity network reads the face's box (identity.crop) in its own input range.
      pixelNames.identity = identityPixelsOp(g, gen.output, m, identitySize);
      g.output(pixelNames.identity, 'float32', [1, 3, identitySize, identitySize]);
    }
  });

  let composed = compose(prepared, readModel(source.clipImage, `${where}: ${clip.image.file}`), {
    connect: { [clip.image.input]: pixelNames.clip! },
    prefixB: 'clip/',
    keepOutputsA: true,
  });
  if (hasIdentity) {
    composed = compose(composed, readModel(source.identity!, `${where}: ${m.identity!.file}`), {
      connect: { [m.identity!.input]: pixelNames.identity! },
      prefixB: 'identity/',
      keepOutputsA: true,
    });
  }

  const taken = modelNames(composed);
  const names: EditModelNames = {
    latent: gen.input,
    latent0: freshName('latent0', taken),
    target: freshName('target', taken),
    lambdaL2: freshName('lambda_l2', taken),
    loss: freshName('loss', taken),
    embedding: freshName('embedding', taken),
    image: gen.output,
    lossSeed: '',
    grad: '',
  };
  if (hasIdentity) {
    names.identity = {
      lambda: freshName('lambda_id', taken),
      reference: freshName('identity0', taken),
      embedding: freshName('identity', taken),
      dim: 0,
    };
  }
  names.lossSeed = gradName(names.loss);
  names.grad = gradName(names.latent);

  const clipOut = `clip/${clip.image.output}`;
  const withLoss = extendModel(
    composed,
    (g, ctx) => {
      const embedDims = ctx.type(clipOut).dims;
      if (embedDims.length !== 2 || embedDims[1] !== clip.embedDim) {
        throw new Error(
          `${where}: ${clip.image.file} output "${clip.image.output}" has dims [${embedDims.join(', ')}], the manifest says [1, ${clip.embedDim}] (clip.embedDim)`,
        );
      }
      const latent0 = g.input(names.latent0, 'float32', latentDims);
      const target = g.input(names.target, 'float32', [1, clip.embedDim]);
      const lambdaL2 = g.input(names.lambdaL2, 'float32', []);
      const embedding = unitOp(g, clipOut, names.embedding);
      const clipLoss = cosineDistance(g, embedding, target);
      const delta = g.op('Sub', [names.latent, latent0]);
      const terms = [clipLoss, g.op('Mul', [lambdaL2, sumAllOp(g, g.op('Mul', [delta, delta]))])];
      if (names.identity) {
        const idOut = `identity/${m.identity!.output}`;
        const idDims = ctx.type(idOut).dims;
        names.identity.dim = idDims.slice(1).reduce((a, b) => a * b, 1);
        const flat = g.op('Reshape', [idOut, g.ints([1, names.identity.dim])]);
        const lambdaId = g.input(names.identity.lambda, 'float32', []);
        const reference = g.input(names.identity.reference, 'float32', [1, names.identity.dim]);
        const identity = unitOp(g, flat, names.identity.embedding);
        terms.push(g.op('Mul', [lambdaId, cosineDistance(g, identity, reference)]));
        g.output(identity, 'float32', [1, names.identity.dim]);
      }
      let loss = terms[0]!;
      for (const [i, t] of terms.slice(1).entries()) {
        loss = g.op('Add', [loss, t], {}, i === terms.length - 2 ? names.loss : undefined);
      }
      g.output(names.loss, 'float32', []);
      g.output(names.image, 'float32', [1, 3, gen.imageSize[0], gen.imageSize[1]]);
      g.output(embedding, 'float32', [1, clip.embedDim]);
    },
    { inputShapes, replaceOutputs: true },
  );

  const shapes = { ...inputShapes, [names.latent0]: latentDims };
  const folded = foldConstants(withLoss, shapes);
  const withGradient = gradientModel(folded, { of: names.loss, wrt: [names.latent], inputShapes: shapes });
  return { ...writeBuilt(withGradient, options), names, embedDim: clip.embedDim };
}
