// Renders demo faces with the generator on onnxruntime-node and keeps them as 8-bit pixels at the
// two sizes the demo networks read: 128 px (encoder) and 64 px (CLIP, 2×2 average pooled, which is
// also how the app brings a 128 px render to CLIP's input size).
import * as ort from 'onnxruntime-node';
import type { ModelProto } from 'onnx-buf';
import { writeModel } from '../../../src/engine/onnx/model.js';
import { Progress } from '../progress.js';

export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;

export interface RenderedFaces {
  count: number;
  size: number;
  /** [count, 3, size, size], 0..255 for [-1, 1]. */
  full: Uint8Array;
  /** [count, 3, size/2, size/2], 2×2 averages of the full image. */
  half: Uint8Array;
}

function toByte(v: number): number {
  return Math.round(Math.min(1, Math.max(0, (v + 1) / 2)) * 255);
}

function staticDims(model: ModelProto, name: string, where: string): number[] {
  const v = [...model.graph!.input, ...model.graph!.output].find((i) => i.name === name);
  const t = v?.type?.value;
  if (!v || t?.case !== 'tensorType') throw new Error(`${where}: the generator has no tensor '${name}'`);
  return (t.value.shape?.dim ?? []).map((d, i) => {
    if (d.value.case !== 'dimValue') throw new Error(`${where}: dim ${i} of the generator's '${name}' is not static`);
    return Number(d.value.value);
  });
}

/** `generator`: the demo generator (input 'latent' [N,L,D], output 'image' [N,3,S,S]), any static batch N. */
export async function renderFaces(
  generator: ModelProto,
  faces: readonly { latent: Float32Array }[],
  opts: { threads?: number; quiet?: boolean; label?: string } = {},
): Promise<RenderedFaces> {
  const [batch, L, D] = staticDims(generator, 'latent', 'renderFaces') as [number, number, number];
  const S = staticDims(generator, 'image', 'renderFaces')[2]!;
  const H = S / 2;
  const session = await ort.InferenceSession.create(writeModel(generator), {
    intraOpNumThreads: opts.threads ?? 2,
    interOpNumThreads: 1,
  });
  const n = faces.length;
  const full = new Uint8Array(n * 3 * S * S);
  const half = new Uint8Array(n * 3 * H * H);
  const progress = new Progress(opts.label ?? 'render', n, opts.quiet);
  const latent = new Float32Array(batch * L * D);
  for (let start = 0; start < n; start += batch) {
    const m = Math.min(batch, n - start);
    latent.fill(0);
    for (let i = 0; i < m; i++) latent.set(faces[start + i]!.latent, i * L * D);
    const out = await session.run({ latent: new ort.Tensor('float32', latent, [batch, L, D]) });
    const img = out.image!.data as Float32Array;
    for (let i = 0; i < m; i++) {
      const src = img.subarray(i * 3 * S * S, (i + 1) * 3 * S * S);
      const f = full.subarray((start + i) * 3 * S * S);
      for (let k = 0; k < 3 * S * S; k++) f[k] = toByte(src[k]!);
      const h = half.subarray((start + i) * 3 * H * H);
      for (let c = 0; c < 3; c++) {
        for (let y = 0; y < H; y++) {
          for (let x = 0; x < H; x++) {
            const o = c * S * S + 2 * y * S + 2 * x;
            h[c * H * H + y * H + x] = toByte((src[o]! + src[o + 1]! + src[o + S]! + src[o + S + 1]!) / 4);
          }
        }
      }
    }
    progress.update(start + m);
  }
  await session.release();
  return { count: n, size: S, full, half };
}

/** CLIP input [B,3,h,h] for faces `idx`: bytes → [0,1] → (x − mean)/std. */
export function clipPixels(r: RenderedFaces, idx: readonly number[]): Float32Array {
  const h = r.size / 2;
  const per = 3 * h * h;
  const out = new Float32Array(idx.length * per);
  idx.forEach((f, b) => {
    for (let c = 0; c < 3; c++) {
      const scale = 1 / (255 * CLIP_STD[c]!);
      const shift = CLIP_MEAN[c]! / CLIP_STD[c]!;
      const src = f * per + c * h * h;
      const dst = b * per + c * h * h;
      for (let k = 0; k < h * h; k++) out[dst + k] = r.half[src + k]! * scale - shift;
    }
  });
  return out;
}

/** Generator-range images [B,3,S,S] in [-1,1] for faces `idx`. */
export function fullPixels(r: RenderedFaces, idx: readonly number[]): Float32Array {
  const per = 3 * r.size * r.size;
  const out = new Float32Array(idx.length * per);
  idx.forEach((f, b) => {
    const src = f * per;
    const dst = b * per;
    for (let k = 0; k < per; k++) out[dst + k] = (r.full[src + k]! / 255) * 2 - 1;
  });
  return out;
}
