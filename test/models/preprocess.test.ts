import { describe, expect, it } from 'vitest';
import { centreSquare, imageToInput, resizeImage } from '../../src/engine/models/preprocess.js';
import { gaussian, mulberry32 } from '../../src/engine/random.js';
import type { ImageValue } from '../../src/engine/graph/definition.js';

const image = (width: number, height: number, values: number[]): ImageValue => ({
  kind: 'image',
  width,
  height,
  data: Float32Array.from(values),
});

describe('image preprocessing', () => {
  it('downscales by averaging the covered area (2×, and a non-integer 3→2)', () => {
    expect(Array.from(resizeImage(image(4, 2, [1, 3, 5, 7, 1, 3, 5, 7]), 2, 1).data)).toEqual([2, 6]);
    // 3 → 2: each output covers 1.5 source pixels: (1 + 0.5·2)/1.5 and (0.5·2 + 4)/1.5.
    const r = resizeImage(image(3, 1, [1, 2, 4]), 2, 1).data;
    expect(r[0]).toBeCloseTo(4 / 3, 6);
    expect(r[1]).toBeCloseTo(10 / 3, 6);
  });

  it('upscales bilinearly with half-pixel centres', () => {
    const r = resizeImage(image(2, 1, [0, 1]), 4, 1).data;
    expect(Array.from(r)).toEqual([0, 0.25, 0.75, 1]);
  });

  it('keeps the mean of an image when downscaling', () => {
    const r = mulberry32(5);
    const data = Array.from({ length: 3 * 12 * 12 }, () => r());
    const small = resizeImage(image(12, 12, data), 5, 5);
    const mean = (a: ArrayLike<number>, from: number, n: number) =>
      Array.from({ length: n }, (_, i) => a[from + i]!).reduce((s, x) => s + x, 0) / n;
    for (let c = 0; c < 3; c++) expect(mean(small.data, c * 25, 25)).toBeCloseTo(mean(data, c * 144, 144), 5);
  });

  it('takes the centred square and maps each channel', () => {
    // 3 channels of a 4×2 image; the centred 2×2 square is columns 1..2.
    const data = [
      ...[0, 1, 2, 3, 4, 5, 6, 7],
      ...[10, 11, 12, 13, 14, 15, 16, 17],
      ...[20, 21, 22, 23, 24, 25, 26, 27],
    ];
    expect(Array.from(centreSquare(image(4, 2, data)).data)).toEqual([1, 2, 5, 6, 11, 12, 15, 16, 21, 22, 25, 26]);
    expect(Array.from(imageToInput(image(4, 2, data), 1, (v, c) => v - 10 * c))).toEqual([3.5, 3.5, 3.5]);
    expect(() => resizeImage(image(2, 2, [1, 2, 3]), 1, 1)).toThrow(
      'a 2×2 image needs a whole number of planes of 4 values, got 3 values',
    );
  });
});

describe('seeded randomness', () => {
  it('repeats for a seed and looks standard normal', () => {
    expect(Array.from(gaussian(7, 5))).toEqual(Array.from(gaussian(7, 5)));
    expect(Array.from(gaussian(7, 5))).not.toEqual(Array.from(gaussian(8, 5)));
    const z = gaussian(1, 20000);
    const mean = z.reduce((s, x) => s + x, 0) / z.length;
    const variance = z.reduce((s, x) => s + (x - mean) ** 2, 0) / z.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    expect(() => gaussian(1.5, 3)).toThrow('seed must be a whole number, got 1.5');
  });
});
