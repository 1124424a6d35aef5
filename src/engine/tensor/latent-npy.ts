// W+ latents as .npy files, shaped [1, num_ws, 512] as StyleGAN projectors and e4e save them.
// Reading is lenient about the layouts those tools use: [num_ws, D] gains the batch axis, and a
// single W ([1, D] or [D]) is repeated over every layer, which is what W+ means for it.
import { decodeNpy, encodeNpy } from './npy.js';

export function encodeLatentNpy(data: Float32Array, shape: readonly [1, number, number]): Uint8Array {
  return encodeNpy(data, shape);
}

/** The latent in `bytes` as L·D values for a bundle whose latents are [1, L, D]. */
export function decodeLatentNpy(
  bytes: Uint8Array,
  latentShape: readonly [1, number, number],
  name = 'the latent file',
): Float32Array {
  const { shape, data } = decodeNpy(bytes, name);
  const [, layers, width] = latentShape;
  const dims = shape.length === 3 && shape[0] === 1 ? shape.slice(1) : shape;
  if (dims.length === 2 && dims[0] === layers && dims[1] === width) return data;
  const single = (dims.length === 1 && dims[0] === width) || (dims.length === 2 && dims[0] === 1 && dims[1] === width);
  if (single) {
    const out = new Float32Array(layers * width);
    for (let l = 0; l < layers; l++) out.set(data, l * width);
    return out;
  }
  throw new Error(
    `${name} holds a (${shape.join(', ')}) array; this bundle's latents are (1, ${layers}, ${width}) (W+), or (1, ${width}) for one W`,
  );
}
