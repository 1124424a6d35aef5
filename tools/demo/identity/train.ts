// Trains the demo identity network on rendered faces: squared error of the embedding against the
// face's identity attributes (identityTarget). The faces come from the corpus sampler, whose
// expressions are drawn apart from everything else, so the net learns to look past the expression.
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../../src/engine/onnx/builder.js';
import type { Rng } from '../../../src/engine/random.js';
import type { RenderedFaces } from '../data/render.js';
import { ParamStore } from '../params.js';
import { train, type TrainResult } from '../trainer.js';
import { IDENTITY_ATTRIBUTES, identityNetwork, identityTarget, type IdentityShape } from './network.js';

export interface IdentityTraining {
  steps: number;
  batch: number;
  lr: number;
  weightDecay: number;
}

/** The 64 px views of faces `idx` in the generator's range [−1, 1], [B,3,S,S]. */
export function halfPixels(r: RenderedFaces, idx: readonly number[]): Float32Array {
  const h = r.size / 2;
  const per = 3 * h * h;
  const out = new Float32Array(idx.length * per);
  idx.forEach((f, b) => {
    for (let k = 0; k < per; k++) out[b * per + k] = (r.half[f * per + k]! / 255) * 2 - 1;
  });
  return out;
}

export async function trainIdentity(
  renders: RenderedFaces,
  attributes: readonly ArrayLike<number>[],
  shape: IdentityShape,
  t: IdentityTraining,
  rng: Rng,
  opts: { quiet?: boolean; threads?: number } = {},
): Promise<{ params: ParamStore; result: TrainResult }> {
  if (renders.size / 2 !== shape.imageSize)
    throw new Error(`trainIdentity: renders are ${renders.size} px, the net reads ${shape.imageSize} px (half)`);
  const n = renders.count;
  if (n < t.batch) throw new Error(`trainIdentity: ${n} faces are fewer than one batch of ${t.batch}`);
  const params = new ParamStore(rng.fork('identity init'));
  const K = IDENTITY_ATTRIBUTES.length;
  const S = shape.imageSize;
  const B = t.batch;
  const g = new GraphBuilder('identity_train');
  const image = g.input('image', 'float32', [B, 3, S, S]);
  const target = g.input('target', 'float32', [B, K]);
  const diff = g.op('Sub', [identityNetwork({ g, p: params }, image, shape), target]);
  g.op('ReduceMean', [g.op('Mul', [diff, diff])], { keepdims: 0 }, 'loss');
  g.output('loss', 'float32', []);
  const targets = attributes.map(identityTarget);
  const data = rng.fork('identity batches');
  let order: number[] = [];
  const result = await train({
    label: 'train identity',
    graph: g,
    params,
    steps: t.steps,
    lr: t.lr,
    weightDecay: t.weightDecay,
    quiet: opts.quiet,
    threads: opts.threads,
    feed: () => {
      if (order.length < B) order = data.shuffle(Array.from({ length: n }, (_, i) => i));
      const idx = order.splice(0, B);
      const y = new Float32Array(B * K);
      idx.forEach((f, b) => {
        y.set(targets[f]!, b * K);
      });
      return {
        image: new ort.Tensor('float32', halfPixels(renders, idx), [B, 3, S, S]),
        target: new ort.Tensor('float32', y, [B, K]),
      };
    },
  });
  return { params, result };
}
