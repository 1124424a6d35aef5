// Runs the exported demo CLIP on onnxruntime-node (for evaluation and tests).
import * as ort from 'onnxruntime-node';
import type { Tokenizer } from '@huggingface/tokenizers';
import { CLIP_IO } from './export.js';
import { encodeTexts } from './tokenizer.js';

export class ClipRunner {
  private constructor(
    private readonly image: ort.InferenceSession,
    private readonly text: ort.InferenceSession,
    private readonly tokenizer: Tokenizer,
    readonly imageSize: number,
    readonly contextLength: number,
  ) {}

  static async create(
    imageBytes: Uint8Array,
    textBytes: Uint8Array,
    tokenizer: Tokenizer,
    imageSize: number,
    contextLength: number,
    threads = 2,
  ): Promise<ClipRunner> {
    const o = { intraOpNumThreads: threads, interOpNumThreads: 1 };
    return new ClipRunner(
      await ort.InferenceSession.create(imageBytes, o),
      await ort.InferenceSession.create(textBytes, o),
      tokenizer,
      imageSize,
      contextLength,
    );
  }

  /** L2-normalized image embeddings of CLIP-ready pixels [n,3,s,s]. */
  async embedImages(pixels: Float32Array, n: number): Promise<Float32Array[]> {
    const s = this.imageSize;
    const out: Float32Array[] = [];
    for (let start = 0; start < n; start += 64) {
      const m = Math.min(64, n - start);
      const chunk = pixels.subarray(start * 3 * s * s, (start + m) * 3 * s * s);
      const r = await this.image.run({ [CLIP_IO.image.input]: new ort.Tensor('float32', chunk, [m, 3, s, s]) });
      out.push(...rows(r[CLIP_IO.image.output]!.data as Float32Array, m));
    }
    return out;
  }

  /** L2-normalized text embeddings. */
  async embedTexts(texts: readonly string[]): Promise<Float32Array[]> {
    const T = this.contextLength;
    const { ids, mask } = encodeTexts(this.tokenizer, texts, T);
    const r = await this.text.run({
      [CLIP_IO.text.input]: new ort.Tensor('int64', ids, [texts.length, T]),
      [CLIP_IO.text.attentionMask]: new ort.Tensor('int64', mask, [texts.length, T]),
    });
    return rows(r[CLIP_IO.text.output]!.data as Float32Array, texts.length);
  }

  async release(): Promise<void> {
    await this.image.release();
    await this.text.release();
  }
}

function rows(data: Float32Array, n: number): Float32Array[] {
  const d = data.length / n;
  return Array.from({ length: n }, (_, i) => normalize(data.slice(i * d, (i + 1) * d)));
}

export function normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const inv = 1 / Math.sqrt(s + 1e-12);
  return v.map((x) => x * inv);
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
