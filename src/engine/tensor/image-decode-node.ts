// Decoding photos under Node (the CLI, tests) through sharp (libvips): JPEG, PNG, WebP and the
// other formats libvips reads, with the EXIF orientation applied so a phone's portrait photo
// stands upright, as the browser shows it. PNG still goes through png.ts (decodeImageFile), so
// a PNG gives the same pixels in the browser and the CLI.
import sharp, { type OutputInfo } from 'sharp';
import type { ImageValue } from '../graph/definition.js';
import { imageFromPixels } from './image.js';
import { sniffImageFormat } from './image-file.js';

/** Decodes any image file sharp reads into upright RGB; `name` names the file in messages. */
export async function decodeImageNode(bytes: Uint8Array, name = 'image'): Promise<ImageValue> {
  const format = sniffImageFormat(bytes);
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(bytes, { failOn: 'error' })
      .rotate() // no angle: turn by the EXIF orientation and drop the tag
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (e) {
    const what = format === 'unknown' ? 'not a recognised image format' : `a damaged ${format.toUpperCase()} file`;
    throw new Error(`${name} could not be decoded: it is ${what} (${(e as Error).message})`);
  }
  const { data, info } = decoded;
  if (info.channels < 1 || info.channels > 4)
    throw new Error(`${name} decoded to ${info.channels} channels; only gray, RGB and their alpha forms are read`);
  // sRGB output is 8 bits per sample whatever the file holds (libvips casts 16-bit input down).
  if (data.length !== info.width * info.height * info.channels)
    throw new Error(
      `${name} decoded to ${data.length} bytes for ${info.width}×${info.height}×${info.channels}; expected 8-bit samples`,
    );
  return imageFromPixels(data, info.width, info.height, info.channels as 1 | 2 | 3 | 4);
}
