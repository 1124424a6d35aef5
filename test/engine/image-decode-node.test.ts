// Photos under Node: JPEG (real ones, and one stored sideways with an EXIF turn), WebP and PNG
// through the Node host's decoder, and clear messages for files that are not images.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createNodeServices } from '../../src/engine/run/services-node.js';
import { createImage } from '../../src/engine/tensor/image.js';
import { decodeImageNode } from '../../src/engine/tensor/image-decode-node.js';
import { decodeImageFile, IMAGE_DECODER_KEY, type ImageDecoder } from '../../src/engine/tensor/image-file.js';
import { encodePng } from '../../src/engine/tensor/png.js';

const require = createRequire(fileURLToPath(import.meta.url));
const demo = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');

const pixel = (image: ReturnType<typeof createImage>, x: number, y: number) => {
  const plane = image.width * image.height;
  const i = y * image.width + x;
  return [image.data[i]!, image.data[plane + i]!, image.data[2 * plane + i]!].map((v) => Math.round(v * 255));
};

/** Left half red, right half blue, as raw 8-bit RGB for sharp. */
function halves(width: number, height: number): Buffer {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) raw.set(x < width / 2 ? [230, 20, 20] : [20, 20, 230], (y * width + x) * 3);
  return raw;
}

describe('decoding photos under Node', () => {
  it('reads the real sample JPEGs at their full size, as sharp sees them', async () => {
    for (const name of ['sample1.jpg', 'sample2.jpg']) {
      const bytes = new Uint8Array(readFileSync(join(demo, name)));
      const image = await decodeImageNode(bytes, name);
      const meta = await sharp(bytes).metadata();
      expect([image.width, image.height]).toEqual([meta.width, meta.height]);
      const { data } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
      expect(pixel(image, 10, 20)).toEqual(
        Array.from(data.subarray((20 * meta.width + 10) * 3, (20 * meta.width + 10) * 3 + 3)),
      );
      let sum = 0;
      for (const v of image.data) sum += v;
      const mean = sum / image.data.length;
      expect(mean).toBeGreaterThan(0.05);
      expect(mean).toBeLessThan(0.95);
    }
  });

  it('turns a JPEG stored sideways upright by its EXIF orientation', async () => {
    // Stored 40×20 with orientation 6 (shown turned 90° clockwise): it shows as 20×40, red on top.
    const jpeg = await sharp(halves(40, 20), { raw: { width: 40, height: 20, channels: 3 } })
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect((await sharp(jpeg).metadata()).orientation).toBe(6);
    const image = await decodeImageNode(new Uint8Array(jpeg), 'turned.jpg');
    expect([image.width, image.height]).toEqual([20, 40]);
    const top = pixel(image, 10, 5);
    const bottom = pixel(image, 10, 34);
    expect(top[0]).toBeGreaterThan(200);
    expect(top[2]).toBeLessThan(50);
    expect(bottom[2]).toBeGreaterThan(200);
    expect(bottom[0]).toBeLessThan(50);
  });

  it('reads a lossless WebP exactly and a WebP with alpha over white', async () => {
    const webp = await sharp(halves(16, 8), { raw: { width: 16, height: 8, channels: 3 } })
      .webp({ lossless: true })
      .toBuffer();
    const image = await decodeImageNode(new Uint8Array(webp), 'halves.webp');
    expect([image.width, image.height]).toEqual([16, 8]);
    expect(pixel(image, 2, 3)).toEqual([230, 20, 20]);
    expect(pixel(image, 13, 3)).toEqual([20, 20, 230]);
    const clear = await sharp({
      create: { width: 4, height: 4, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .webp({ lossless: true })
      .toBuffer();
    expect(pixel(await decodeImageNode(new Uint8Array(clear)), 1, 1)).toEqual([255, 255, 255]);
  });

  it('reads a gray JPEG as RGB', async () => {
    const gray = await sharp({ create: { width: 6, height: 4, channels: 3, background: { r: 90, g: 90, b: 90 } } })
      .toColourspace('b-w')
      .jpeg({ quality: 100 })
      .toBuffer();
    expect((await sharp(gray).metadata()).channels).toBe(1);
    const g = await decodeImageNode(new Uint8Array(gray), 'gray.jpg');
    expect(pixel(g, 2, 2)).toEqual([90, 90, 90]);
  });

  it('is the decoder the Node host lends, and PNG still decodes the same way everywhere', async () => {
    const services = createNodeServices();
    const decoder = services[IMAGE_DECODER_KEY] as ImageDecoder;
    expect(decoder).toBe(decodeImageNode);
    const bytes = new Uint8Array(readFileSync(join(demo, 'sample3.jpg')));
    const viaFile = await decodeImageFile(bytes, 'sample3.jpg', decoder);
    expect(viaFile.width).toBe((await sharp(bytes).metadata()).width);
    const png = encodePng(
      createImage(
        3,
        2,
        Float32Array.from({ length: 18 }, (_, i) => i / 17),
      ),
    );
    expect((await decodeImageFile(png, 'x.png', decoder)).data).toEqual((await decodeImageNode(png, 'x.png')).data);
  });

  it('names a file that is not an image, or a damaged one', async () => {
    await expect(decodeImageNode(new TextEncoder().encode('just some notes'), "'notes.jpg'")).rejects.toThrow(
      "'notes.jpg' could not be decoded: it is not a recognised image format",
    );
    const jpeg = new Uint8Array(readFileSync(join(demo, 'sample1.jpg')));
    await expect(decodeImageNode(jpeg.subarray(0, 600), "'cut.jpg'")).rejects.toThrow(
      "'cut.jpg' could not be decoded: it is a damaged JPEG file",
    );
  });
});
