// Trains the demo CLIP on a corpus: every step draws a batch of faces, writes a fresh random caption
// for each, and weighs how true each caption is of each face (the contrastive targets, targets.ts).
import * as ort from 'onnxruntime-node';
import type { Tokenizer } from '@huggingface/tokenizers';
import { captionFace } from '../data/captions.js';
import type { Corpus } from '../data/dataset.js';
import { clipPixels } from '../data/render.js';
import { ParamStore } from '../params.js';
import type { Rng } from '../../../src/engine/random.js';
import { train, type TrainResult } from '../trainer.js';
import { clipLossGraph } from './loss.js';
import { contrastiveTargets } from './targets.js';
import { encodeTexts } from './tokenizer.js';
import type { ClipShape } from './towers.js';

export interface ClipTraining {
  steps: number;
  /** Images per step. */
  batch: number;
  captionsPerImage: number;
  lr: number;
  weightDecay: number;
  /** How much a caption counts for a face it is not quite true of (targets.ts; 0: only true captions). */
  softness: number;
}

/** Draws faces without replacement from a pool, reshuffling it whenever it runs dry. */
class Deck {
  private order: number[] = [];
  constructor(
    private readonly size: number,
    private readonly rng: Rng,
  ) {}
  draw(n: number): number[] {
    const out: number[] = [];
    while (out.length < n) {
      if (this.order.length === 0) this.order = this.rng.shuffle(Array.from({ length: this.size }, (_, i) => i));
      out.push(...this.order.splice(0, n - out.length));
    }
    return out;
  }
}

export async function trainClip(
  corpus: Corpus,
  tokenizer: Tokenizer,
  shape: ClipShape,
  t: ClipTraining,
  rng: Rng,
  opts: { quiet?: boolean; threads?: number } = {},
): Promise<{ params: ParamStore; result: TrainResult }> {
  const params = new ParamStore(rng.fork('clip init'));
  const graph = clipLossGraph(params, shape, t.batch, t.captionsPerImage);
  const data = rng.fork('clip batches');
  const n = corpus.faces.length;
  if (n < t.batch) throw new Error(`trainClip: the corpus has ${n} faces, fewer than one batch of ${t.batch}`);
  const B = t.batch;
  const C = B * t.captionsPerImage;
  const h = shape.imageSize;
  const deck = new Deck(n, data);
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
      const idx = deck.draw(B);
      const faces = idx.map((i) => corpus.faces[i]!);
      const captions = Array.from({ length: C }, (_, j) => captionFace(faces[j % B]!.classes, data));
      const { ids, mask } = encodeTexts(
        tokenizer,
        captions.map((c) => c.text),
        shape.contextLength,
      );
      const { targets, targetsT } = contrastiveTargets(captions, faces, t.softness);
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
