// Runs the exported encoder on onnxruntime-node: renders in, W+ latents (mean latent added) out.
import * as ort from 'onnxruntime-node';
import { ENCODER_IO } from './network.js';

export async function encodeImages(
  encoderBytes: Uint8Array,
  images: Float32Array,
  n: number,
  size: number,
  meanLatent: Float32Array,
  threads = 2,
): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(encoderBytes, { intraOpNumThreads: threads, interOpNumThreads: 1 });
  const per = 3 * size * size;
  const out: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const r = await session.run({
      [ENCODER_IO.input]: new ort.Tensor('float32', images.slice(i * per, (i + 1) * per), [1, 3, size, size]),
    });
    const offset = r[ENCODER_IO.output]!.data as Float32Array;
    out.push(offset.map((v, k) => v + meanLatent[k]!));
  }
  await session.release();
  return out;
}
