// Trains the demo CLIP on a corpus: every step draws a batch of faces, writes a fresh random caption
// for each, and marks which captions are true of which faces (the contrastive targets). Part-way
// through, rounds of faces edited with the CLIP as trained so far (edited-faces.ts) join the data,
// and from then on a fixed share of every batch comes from them.
import * as ort from 'onnxruntime-node';
import type { Tokenizer } from '@huggingface/tokenizers';
import { captionFace } from '../data/captions.js';
import type { Corpus } from '../data/dataset.js';
import { clipPixels } from '../data/render.js';
import { ParamStore } from '../params.js';
import type { Rng } from '../rng.js';
import { train, type TrainResult } from '../trainer.js';
import { editedFaces, type EditedFacesRound, type EditSetup } from './edited-faces.js';
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
  /**
   * Rounds of edited faces: at each fraction of the steps in `at`, `round.faces` faces edited with
   * the CLIP as trained so far join the data; from the first round on, `share` of every batch are
   * edited faces.
   */
  edited?: { at: number[]; round: EditedFacesRound; share: number };
}

/** One face of a batch: which corpus and which face in it. */
interface Pick {
  corpus: Corpus;
  index: number;
}

/** CLIP input [B,3,h,h] for faces that may come from different corpora. */
function batchPixels(picks: readonly Pick[], h: number): Float32Array {
  const per = 3 * h * h;
  const out = new Float32Array(picks.length * per);
  picks.forEach((p, b) => out.set(clipPixels(p.corpus.images, [p.index]), b * per));
  return out;
}

/** Draws faces without replacement from a pool, reshuffling it whenever it runs dry. */
class Deck {
  private order: number[] = [];
  constructor(private readonly size: () => number, private readonly rng: Rng) {}
  draw(n: number): number[] {
    const out: number[] = [];
    while (out.length < n) {
      if (this.order.length === 0) this.order = this.rng.shuffle(Array.from({ length: this.size() }, (_, i) => i));
      out.push(...this.order.splice(0, n - out.length));
    }
    return out;
  }
}

export async function trainClip(corpus: Corpus, tokenizer: Tokenizer, shape: ClipShape, t: ClipTraining, rng: Rng, opts: { quiet?: boolean; threads?: number; edit?: EditSetup } = {}): Promise<{ params: ParamStore; result: TrainResult; edited: Corpus[] }> {
  const params = new ParamStore(rng.fork('clip init'));
  const graph = clipLossGraph(params, shape, t.batch, t.captionsPerImage);
  const data = rng.fork('clip batches');
  const n = corpus.faces.length;
  if (n < t.batch) throw new Error(`trainClip: the corpus has ${n} faces, fewer than one batch of ${t.batch}`);
  const B = t.batch;
  const C = B * t.captionsPerImage;
  const h = shape.imageSize;
  const rounds = new Set((t.edited?.at ?? []).map((f) => Math.round(f * t.steps)));
  if (rounds.size > 0 && !opts.edit) throw new Error('trainClip: rounds of edited faces need the generator and tokenizer (opts.edit)');
  const editRng = rng.fork('edited faces');
  const edited: Corpus[] = [];
  const editedPicks: Pick[] = [];
  const main = new Deck(() => n, data);
  const extra = new Deck(() => editedPicks.length, data);
  const result = await train({
    label: 'train clip',
    graph,
    params,
    steps: t.steps,
    lr: t.lr,
    weightDecay: t.weightDecay,
    quiet: opts.quiet,
    threads: opts.threads,
    beforeStep: async (step) => {
      if (!rounds.has(step)) return;
      const round = await editedFaces(params, opts.edit!, editRng, t.edited!.round, { quiet: opts.quiet, label: `edit faces (round ${edited.length + 1}, step ${step})` });
      edited.push(round);
      round.faces.forEach((_, index) => editedPicks.push({ corpus: round, index }));
    },
    feed: () => {
      const m = editedPicks.length > 0 ? Math.round(B * t.edited!.share) : 0;
      const picks: Pick[] = [...main.draw(B - m).map((index) => ({ corpus, index })), ...extra.draw(m).map((i) => editedPicks[i]!)];
      const faces = picks.map((p) => p.corpus.faces[p.index]!);
      const captions = Array.from({ length: C }, (_, j) => captionFace(faces[j % B]!.classes, data));
      const { ids, mask } = encodeTexts(tokenizer, captions.map((c) => c.text), shape.contextLength);
      const { targets, targetsT } = contrastiveTargets(captions, faces, t.softness);
      return {
        pixel_values: new ort.Tensor('float32', batchPixels(picks, h), [B, 3, h, h]),
        input_ids: new ort.Tensor('int64', ids, [C, shape.contextLength]),
        attention_mask: new ort.Tensor('int64', mask, [C, shape.contextLength]),
        targets: new ort.Tensor('float32', targets, [B, C]),
        targets_t: new ort.Tensor('float32', targetsT, [C, B]),
      };
    },
  });
  return { params, result, edited };
}
