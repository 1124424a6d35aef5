// Decoding image files into ImageValue. PNG is decoded here everywhere, so the browser and the
// CLI see the same pixels; other formats go to the host's decoder (image-decode-node.ts under
// Node, lent as a service) or to the browser's (createImageBitmap and OffscreenCanvas, present in
// pages and workers), both with the EXIF orientation applied. No DOM types are touched when absent.
import type { ImageValue } from '../graph/definition.js';
import { imageFromRgba } from './image.js';
import { decodePng, isPng } from './png.js';

/** What an image file looks like from its first bytes, for messages and for choosing a decoder. */
export function sniffImageFormat(bytes: Uint8Array): 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp' | 'unknown' {
  if (isPng(bytes)) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (ascii(0, 4) === 'GIF8') return 'gif';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (ascii(0, 2) === 'BM') return 'bmp';
  return 'unknown';
}

/** A host's decoder for formats other than PNG: bytes and a name for messages to an upright RGB image. */
export type ImageDecoder = (bytes: Uint8Array, name: string) => Promise<ImageValue>;

/** The service key under which a host lends its ImageDecoder (the Node host lends sharp's). */
export const IMAGE_DECODER_KEY = 'imageDecoder';

/**
 * Decodes an image file. PNG is decoded here everywhere (same pixels in the browser and the CLI);
 * other formats go to `decoder` when the host lends one, else to the browser's decoders
 * (createImageBitmap + OffscreenCanvas, available in pages and workers).
 */
export async function decodeImageFile(bytes: Uint8Array, name = 'image', decoder?: ImageDecoder): Promise<ImageValue> {
  const format = sniffImageFormat(bytes);
  if (format === 'png') return decodePng(bytes).image;
  if (decoder) return decoder(bytes, name);
  const g = globalThis as { createImageBitmap?: typeof createImageBitmap; OffscreenCanvas?: typeof OffscreenCanvas };
  if (typeof g.createImageBitmap !== 'function' || typeof g.OffscreenCanvas !== 'function') {
    const what = format === 'unknown' ? 'not a recognised image format' : `a ${format.toUpperCase()} file`;
    throw new Error(`${name} is ${what}; without an image decoder only PNG images can be read (convert it to PNG)`);
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await g.createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]), {
      premultiplyAlpha: 'none',
      // Upright as the photo is shown elsewhere (phones store portraits sideways plus an EXIF turn).
      imageOrientation: 'from-image',
    });
  } catch (e) {
    throw new Error(`${name} could not be decoded as an image (${format}): ${(e as Error).message}`);
  }
  try {
    const canvas = new g.OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2D canvas is available to decode images');
    context.drawImage(bitmap, 0, 0);
    const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height);
    return imageFromRgba(pixels.data, pixels.width, pixels.height);
  } finally {
    bitmap.close();
  }
}
