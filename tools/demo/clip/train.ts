// Trains the demo CLIP on a corpus: every step draws a batch of faces, writes a fresh random caption
// for each, and marks which captions are true of which faces (the contrastive targets).
import * as ort from 'onnxruntime-node';
import type { Tokenizer } from '@huggingface/tokenizers';
import { captionFace, captionHolds, type Caption, type FaceClasses } from '../data/captions.js';
import type { Corpus } from '../data/dataset.js';
import { clipPixels } from '../data/render.js';
import { ParamStore } from '../params.js';
import type { Rng } from '../rng.js';
import { train, type TrainResult } from '../trainer.js';
import { clipLossGraph } from './loss.js';
import { encodeTexts } from './tokenizer.js';
import type { ClipShape } from './towers.js';

export interface ClipTraining {
  steps: number;
  /** Images per step. */
  batch: number;
  captionsPerImage: number;
  lr: number;
  weightDecay: number;
}

/**
 * "Caption j is true of face i" for B faces and C captions, caption j written for face j mod B:
 * `targets` [B,C] normalized per face, `targetsT` [C,B] normalized per caption.
 */
export function contrastiveTargets(captions: readonly Caption[], classes: readonly FaceClasses[]): { targets: Float32Array; targetsT: Float32Array } {
  const B = classes.length;
  const C = captions.length;
  const holds = new Uint8Array(B * C);
  for (let i = 0; i < B; i++) for (let j = 0; j < C; j++) holds[i * C + j] = j % B === i || captionHolds(captions[j]!, classes[i]!) ? 1 : 0;
  const targets = new Float32Array(B * C);
  const targetsT = new Float32Array(C * B);
  for (let i = 0; i < B; i++) {
    let row = 0;
    for (let j = 0; j < C; j++) row += holds[i * C + j]!;
    for (let j = 0; j < C; j++) targets[i * C + j] = holds[i * C + j]! / row;
  }
  for (let j = 0; j < C; j++) {
    let col = 0;
    for (let i = 0; i < B; i++) col += holds[i * C + j]!;
    for (let i = 0; i < B; i++) targetsT[j * B + i] = holds[i * C + j]! / col;
  }
  return { targets, targetsT };
}

export async function trainClip(corpus: Corpus, tokenizer: Tokenizer, shape: ClipShape, t: ClipTraining, rng: Rng, opts: { quiet?: boolean; threads?: number } = {}): Promise<{ params: ParamStore; result: TrainResult }> {
  const params = new ParamStore(rng.fork('clip init'));
  const graph = clipLossGraph(params, shape, t.batch, t.captionsPerImage);
  const data = rng.fork('clip batches');
  const n = corpus.faces.length;
  if (n < t.batch) throw new Error(`trainClip: the corpus has ${n} faces, fewer than one batch of ${t.batch}`);
  let order: number[] = [];
  const B = t.batch;
  const C = B * t.captionsPerImage;
  const h = shape.imageSize;
  const result = await train({
    label: 'train clip',
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
      const classes = idx.map((i) => corpus.faces[i]!.classes);
      const captions = Array.from({ length: C }, (_, j) => captionFace(classes[j % B]!, data));
      const { ids, mask } = encodeTexts(tokenizer, captions.map((c) => c.text), shape.contextLength);
      const { targets, targetsT } = contrastiveTargets(captions, classes);
      return {
        pixel_values: new ort.Tensor('float32', clipPixels(corpus.images, idx), [B, 3, h, h]),
        input_ids: new ort.Tensor('int64', ids, [C, shape.contextLength]),
        attention_mask: new ort.Tensor('int64', mask, [C, shape.contextLength]),
        targets: new ort.Tensor('float32', targets, [B, C]),
        targets_t: new ort.Tensor('float32', targetsT, [C, B]),
      };
    },
  });
  return { params, result };
}
