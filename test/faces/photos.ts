// face-api's six sample photos, read from the installed package at test time (never copied into the
// repository), decoded once with sharp so face-api and the engine see the same pixels.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import type { ImageValue } from '../../src/engine/graph/definition.js';

const require = createRequire(import.meta.url);

export const SAMPLE_PHOTOS = [1, 2, 3, 4, 5, 6].map((i) => `sample${i}.jpg`);

export function samplePath(name: string): string {
  return join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', name);
}

export interface Photo {
  rgb: Uint8Array;
  image: ImageValue;
}

/** HWC RGB bytes and the same pixels as a planar [0, 1] image. */
export async function decodePhoto(path: string): Promise<Photo> {
  const { data, info } = await sharp(path)
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  const rgb = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const planar = new Float32Array(3 * width * height);
  for (let i = 0; i < width * height; i++)
    for (let c = 0; c < 3; c++) planar[c * width * height + i] = rgb[i * 3 + c]! / 255;
  return { rgb, image: { kind: 'image', width, height, data: planar } };
}
