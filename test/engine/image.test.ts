// Image helpers and PNG codecs, checked against values worked out by hand.
import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import {
  centerCrop,
  createImage,
  downscaleForPreview,
  imageFromPixels,
  imageToRgba,
  resizeBilinear,
  resizeCover,
} from '../../src/engine/tensor/image.js';
import { decodeImageFile, sniffImageFormat } from '../../src/engine/tensor/image-file.js';
import { decodePng, encodePng } from '../../src/engine/tensor/png.js';

/** A gray ramp: value = x / (width - 1) in every channel. */
function ramp(width: number, height: number) {
  const image = createImage(width, height);
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) image.data[c * width * height + y * width + x] = x / (width - 1);
  return image;
}

const at = (image: ReturnType<typeof createImage>, c: number, x: number, y: number) =>
  image.data[c * image.width * image.height + y * image.width + x]!;

describe('image helpers', () => {
  it('reads RGBA with alpha composited over white and writes opaque RGBA', () => {
    const image = imageFromPixels([255, 0, 0, 255, 0, 0, 255, 0], 2, 1, 4);
    expect(Array.from(image.data)).toEqual([1, 1, 0, 1, 0, 1]);
    expect(Array.from(imageToRgba(image))).toEqual([255, 0, 0, 255, 255, 255, 255, 255]);
  });

  it('upscales 2 → 4 pixels with half-pixel centres', () => {
    const image = createImage(2, 1, new Float32Array([0, 1, 0, 1, 0, 1]));
    const up = resizeBilinear(image, 4, 1);
    // Output centres map to source x = -0.25, 0.25, 0.75, 1.25 (clamped at the borders).
    expect(Array.from(up.data.subarray(0, 4))).toEqual([0, 0.25, 0.75, 1]);
  });

  it('averages when shrinking instead of sampling two pixels', () => {
    const stripes = createImage(4, 1, new Float32Array([1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]));
    const half = resizeBilinear(stripes, 2, 1);
    // Output 0 is centred at source x = 0.5 with a triangle of radius 2: weights 0.75, 0.75, 0.25
    // on pixels 1, 0, 1, so (0.75 + 0.25) / 1.75 = 4/7.
    expect(Array.from(half.data.subarray(0, 2)).map((v) => Number(v.toFixed(4)))).toEqual([0.5714, 0.4286]);
    const plain = resizeBilinear(stripes, 2, 1, { antialias: false });
    expect(Array.from(plain.data.subarray(0, 2))).toEqual([0.5, 0.5]);
  });

  it('keeps a constant image constant at any size', () => {
    const flat = createImage(7, 5, new Float32Array(105).fill(0.3));
    for (const [w, h] of [
      [3, 2],
      [16, 9],
      [7, 5],
    ] as const) {
      const out = resizeBilinear(flat, w, h);
      expect(out.data.every((v) => Math.abs(v - 0.3) < 1e-6)).toBe(true);
    }
  });

  it('crops the centre and covers without stretching', () => {
    const image = ramp(8, 4);
    const crop = centerCrop(image, 4, 4);
    expect(at(crop, 0, 0, 0)).toBeCloseTo(2 / 7);
    expect(at(crop, 0, 3, 0)).toBeCloseTo(5 / 7);
    const cover = resizeCover(image, 2, 2);
    expect(cover.width).toBe(2);
    // The 4×4 centre crop shrunk to 2×2: the left column averages source columns around x = 3.
    expect(at(cover, 1, 0, 0)).toBeLessThan(0.5);
    expect(at(cover, 1, 1, 0)).toBeGreaterThan(0.5);
    expect(at(cover, 1, 0, 0) + at(cover, 1, 1, 0)).toBeCloseTo(1, 5);
    expect(() => centerCrop(image, 9, 1)).toThrow('does not fit');
  });

  it('downscales previews to at most 256 pixels and always copies', () => {
    const big = createImage(1024, 512);
    const preview = downscaleForPreview(big);
    expect([preview.width, preview.height]).toEqual([256, 128]);
    const small = createImage(10, 10);
    const copy = downscaleForPreview(small);
    expect(copy.data).not.toBe(small.data);
    expect(copy.width).toBe(10);
  });
});

describe('PNG', () => {
  it('round-trips pixels to 8 bits and text in Latin-1 and beyond', () => {
    const image = ramp(5, 3);
    const bytes = encodePng(image, { text: { Title: 'Grüße', 'rete-clip-pae/graph': '{"prompt":"微笑 😊"}' } });
    const { image: back, text } = decodePng(bytes);
    expect([back.width, back.height]).toEqual([5, 3]);
    for (let i = 0; i < image.data.length; i++)
      expect(Math.abs(back.data[i]! - image.data[i]!)).toBeLessThanOrEqual(0.5 / 255 + 1e-6);
    expect(text).toEqual({ Title: 'Grüße', 'rete-clip-pae/graph': '{"prompt":"微笑 😊"}' });
  });

  it('decodes gray, gray+alpha, 16-bit and packed 1-bit PNGs', () => {
    const gray = decodePng(
      encode({ width: 2, height: 1, data: new Uint8Array([0, 255]), channels: 1, depth: 8 }),
    ).image;
    expect(Array.from(gray.data)).toEqual([0, 1, 0, 1, 0, 1]);
    const alpha = decodePng(encode({ width: 1, height: 1, data: new Uint8Array([0, 0]), channels: 2, depth: 8 })).image;
    expect(Array.from(alpha.data)).toEqual([1, 1, 1]);
    const deep = decodePng(
      encode({ width: 1, height: 1, data: new Uint16Array([65535, 0, 32768]), channels: 3, depth: 16 }),
    ).image;
    expect(Array.from(deep.data).map((v) => Number(v.toFixed(3)))).toEqual([1, 0, 0.5]);
    const bits = decodePng(
      encode({ width: 3, height: 1, data: new Uint8Array([0b10100000]), channels: 1, depth: 1 }),
    ).image;
    expect(Array.from(bits.data.subarray(0, 3))).toEqual([1, 0, 1]);
  });

  it('says which formats it cannot decode without a decoder', async () => {
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0]);
    expect(sniffImageFormat(jpeg)).toBe('jpeg');
    await expect(decodeImageFile(jpeg, "'face.jpg'")).rejects.toThrow(
      "'face.jpg' is a JPEG file; without an image decoder only PNG images can be read",
    );
    await expect(decodeImageFile(new Uint8Array([1, 2, 3]), 'x')).rejects.toThrow('not a recognised image format');
    expect(() => decodePng(new Uint8Array([1, 2, 3]))).toThrow('not a PNG');
  });
});
