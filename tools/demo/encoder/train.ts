// Trains the demo encoder on rendered faces: image → W+ offset from the mean latent.
import * as ort from 'onnxruntime-node';
import type { ModelProto } from 'onnx-buf';
import { ATTRIBUTES } from '../attributes.js';
import type { Corpus } from '../data/dataset.js';
import { fullPixels } from '../data/render.js';
import { ParamStore } from '../params.js';
import type { Rng } from '../../../src/engine/random.js';
import { train, type TrainResult } from '../trainer.js';
import { encoderLossGraph, type EncoderLossWeights } from './loss.js';
import type { EncoderShape } from './network.js';

export interface EncoderTraining {
  steps: number;
  batch: number;
  lr: number;
  weightDecay: number;
  loss: EncoderLossWeights;
}

export async function trainEncoder(
  corpus: Corpus,
  shape: EncoderShape,
  t: EncoderTraining,
  attributeHead: ModelProto,
  meanLatent: Float32Array,
  rng: Rng,
  opts: { quiet?: boolean; threads?: number } = {},
): Promise<{ params: ParamStore; result: TrainResult }> {
  const params = new ParamStore(rng.fork('encoder init'));
  const graph = encoderLossGraph(params, shape, t.batch, attributeHead, meanLatent, t.loss);
  const data = rng.fork('encoder batches');
  const n = corpus.faces.length;
  if (n < t.batch) throw new Error(`trainEncoder: the corpus has ${n} faces, fewer than one batch of ${t.batch}`);
  const B = t.batch;
  const LD = shape.layers * shape.dim;
  const S = shape.imageSize;
  const K = ATTRIBUTES.length;
  let order: number[] = [];
  const result = await train({
    label: 'train encoder',
    graph,
    params,
    steps: t.steps,
    lr: t.lr,
    weightDecay: t.weightDecay,
    quiet: opts.quiet,
    threads: opts.threads,
    feed: () => {
      if (order.length < B) order = data.shuffle(Array.from({ length: n }, (_, i) => i));
      const idx = order.splice(0, B);
      const offsets = new Float32Array(B * LD);
      const attrs = new Float32Array(B * K);
      idx.forEach((f, b) => {
        const face = corpus.faces[f]!;
        for (let k = 0; k < LD; k++) offsets[b * LD + k] = face.latent[k]! - meanLatent[k]!;
        attrs.set(face.attributes, b * K);
      });
      return {
        image: new ort.Tensor('float32', fullPixels(corpus.images, idx), [B, 3, S, S]),
        target_offset: new ort.Tensor('float32', offsets, [B, shape.layers, shape.dim]),
        target_attributes: new ort.Tensor('float32', attrs, [B, K]),
      };
    },
  });
  return { params, result };
}
