// FFHQ alignment: the eyes and the mouth land where the recipe puts them, in the transform and
// in the pixels, for synthetic faces (turned, scaled, mouth off-centre) and for the landmarks
// face-api finds in a real photo; shrinking a large face does not alias.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { alignedToPhoto, alignFace, ffhqQuad, photoToAligned, quadToPhoto } from '../../src/engine/faces/align.js';
import type { DetectedFace } from '../../src/engine/faces/types.js';
import type { ImageValue } from '../../src/engine/graph/definition.js';
import { decodeImageNode } from '../../src/engine/tensor/image-decode-node.js';
import { readFileSync } from 'node:fs';
import { faceApiFaces, faceApiFacesInImage, SAMPLE_PHOTOS } from './face-api-reference.js';
import { blobPhoto, channelCentroid, eyeCentres, ffhqTemplate, mouthCentre, syntheticFace } from './faces-synthetic.js';

const distance = (a: readonly number[], b: readonly number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!);

/** The face's eye centres and mouth centre moved into the aligned frame, against the template. */
function templateErrors(face: DetectedFace, transform: Parameters<typeof photoToAligned>[0]) {
  const expected = ffhqTemplate(face, transform.size);
  const [le, re] = eyeCentres(face);
  return [
    distance(photoToAligned(transform, le), expected.leftEye),
    distance(photoToAligned(transform, re), expected.rightEye),
    distance(photoToAligned(transform, mouthCentre(face)), expected.mouth),
  ];
}

describe('FFHQ alignment of synthetic faces', () => {
  const cases = [
    { name: 'upright, 80 px eyes', at: [700, 500], eyes: 80, degrees: 0, size: 256 },
    { name: 'turned 23°, 300 px eyes', at: [900, 600], eyes: 300, degrees: 23, size: 256 },
    { name: 'turned −40°, 45 px eyes, upscaled', at: [300, 260], eyes: 45, degrees: -40, size: 256 },
    {
      name: 'upside down, long face, mouth off-centre',
      at: [800, 700],
      eyes: 120,
      degrees: 170,
      size: 128,
      mouthY: 1.4,
      mouthShift: 0.15,
    },
  ] as const;

  for (const c of cases) {
    it(`puts the eyes and the mouth on the template: ${c.name}`, () => {
      const face = syntheticFace([c.at[0], c.at[1]], c.eyes, c.degrees, {
        mouthY: 'mouthY' in c ? c.mouthY : undefined,
        mouthShift: 'mouthShift' in c ? c.mouthShift : undefined,
      });
      const photo = blobPhoto(1600, 1200, face, c.eyes / 10);
      const { image, transform } = alignFace(photo, face, c.size);
      expect([image.width, image.height]).toEqual([c.size, c.size]);
      // The transform is exact; the pixels are within a fraction of a pixel (well inside 2 px).
      for (const e of templateErrors(face, transform)) expect(e).toBeLessThan(1e-6);
      // In the pixels: each blob's centre lands on its template point.
      const expected = ffhqTemplate(face, c.size);
      for (const [channel, point] of [expected.leftEye, expected.rightEye, expected.mouth].entries())
        expect(distance(channelCentroid(image, channel), point)).toBeLessThan(0.5);
      // The template of an upright frontal face with eyes 1 apart and mouth 1 below: s = 2, N/4 per unit.
      if (c.degrees === 0) {
        const n = c.size;
        expect(expected.leftEye[0]).toBeCloseTo((n - 1) / 2 - n / 8, 6);
        expect(expected.rightEye[0]).toBeCloseTo((n - 1) / 2 + n / 8, 6);
        expect(expected.leftEye[1]).toBeCloseTo((n - 1) / 2 - n / 40, 6);
        expect(expected.mouth[1]).toBeCloseTo((n - 1) / 2 + (0.9 * n) / 4, 6);
      }
    });
  }

  it('returns the quad FFHQ would crop and a transform that maps its corners onto it', () => {
    const face = syntheticFace([500, 400], 100, 30);
    const quad = ffhqQuad(face.landmarks);
    const { transform } = alignFace(blobPhoto(1000, 800, face, 10), face, 64);
    expect(transform.quad).toEqual(quad);
    // Side 2 · max(2 · 100, 1.8 · 100) = 400, turned 30° like the face.
    expect(distance(quad[0], quad[3])).toBeCloseTo(400, 6);
    expect(distance(quad[0], quad[1])).toBeCloseTo(400, 6);
    expect(Math.atan2(quad[3][1] - quad[0][1], quad[3][0] - quad[0][0]) * (180 / Math.PI)).toBeCloseTo(30, 6);
    for (const [corner, [u, v]] of [
      [quad[0], [-0.5, -0.5]],
      [quad[1], [-0.5, 63.5]],
      [quad[2], [63.5, 63.5]],
      [quad[3], [63.5, -0.5]],
    ] as const) {
      const p = alignedToPhoto(transform, [u, v]);
      expect(distance(p, corner)).toBeLessThan(1e-9);
      expect(distance(photoToAligned(transform, p), [u, v])).toBeLessThan(1e-9);
    }
    expect([transform.photoWidth, transform.photoHeight]).toEqual([1000, 800]);
  });

  it('averages over the area it shrinks, so fine stripes do not alias', () => {
    // 1-pixel stripes under a face with 400 px between the eyes: a 1600 px quad shrunk to 96 px.
    const width = 2400;
    const height = 2000;
    const data = new Float32Array(width * height * 3);
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < height; y++) for (let x = 0; x < width; x += 2) data[c * width * height + y * width + x] = 1;
    const photo: ImageValue = { kind: 'image', width, height, data };
    const face = syntheticFace([1200, 900], 400, 17);
    const { image } = alignFace(photo, face, 96);
    const plane = image.width * image.height;
    let sum = 0;
    let worst = 0;
    for (let i = 0; i < plane; i++) {
      sum += image.data[i]!;
      worst = Math.max(worst, Math.abs(image.data[i]! - 0.5));
    }
    expect(sum / plane).toBeCloseTo(0.5, 2);
    expect(worst).toBeLessThan(0.06);
  });

  it('says what is wrong with a face it cannot align', () => {
    const photo = blobPhoto(100, 100, syntheticFace([50, 50], 20, 0), 2);
    const face = syntheticFace([50, 50], 20, 0);
    expect(() => alignFace(photo, { ...face, landmarks: face.landmarks.slice(0, 5) }, 64)).toThrow(
      'the face has 5 landmarks; alignment needs the 68 points of the iBUG 68 layout',
    );
    expect(() => alignFace(photo, face, 3)).toThrow('the aligned size must be a whole number of pixels from 8 to 4096');
    const flat = { ...face, landmarks: face.landmarks.map(() => [10, 10] as [number, number]) };
    expect(() => alignFace(photo, flat, 64)).toThrow('its eyes and mouth coincide');
  });
});

describe('FFHQ alignment of a real photo', () => {
  const path = join(SAMPLE_PHOTOS, 'sample1.jpg');
  let photo: ImageValue;
  let faces: DetectedFace[];

  beforeAll(async () => {
    photo = await decodeImageNode(new Uint8Array(readFileSync(path)), 'sample1.jpg');
    faces = await faceApiFaces(path);
  }, 180_000);

  it("puts face-api's landmarks of every face on the template at 256 and 1024 px", () => {
    expect(faces.length).toBeGreaterThanOrEqual(3);
    for (const face of faces) {
      for (const size of [256, 1024]) {
        const quad = ffhqQuad(face.landmarks);
        // Only the transform is checked at 1024 (no resampling needed for that).
        const transform =
          size === 256
            ? alignFace(photo, face, size).transform
            : { ...alignFace(photo, face, 8).transform, size, toPhoto: quadToPhoto(quad, size) };
        for (const e of templateErrors(face, transform)) expect(e).toBeLessThan(2);
      }
    }
  });

  it('crops the face so that face-api, run on the crop, finds its eyes and mouth on the template', async () => {
    const face = faces[0]!;
    const { image } = alignFace(photo, face, 256);
    const again = await faceApiFacesInImage(image);
    expect(again.length).toBeGreaterThanOrEqual(1);
    // The template of the face as found in the photo; landmarks found anew on a 256 px crop carry
    // the detector's own scatter (2.7–3.7 px on sample1's best face), so the bound here is 5 px.
    const expected = ffhqTemplate(face, 256);
    const [le, re] = eyeCentres(again[0]!);
    const errors = [
      distance(le, expected.leftEye),
      distance(re, expected.rightEye),
      distance(mouthCentre(again[0]!), expected.mouth),
    ];
    for (const e of errors) expect(e).toBeLessThan(5);
  }, 120_000);

  it('crops an upright face: the aligned eyes are level and the mouth is below them', () => {
    const face = faces[0]!;
    const { image, transform } = alignFace(photo, face, 256);
    const [le, re] = eyeCentres(face).map((p) => photoToAligned(transform, p));
    const mouth = photoToAligned(transform, mouthCentre(face));
    expect(Math.abs(le![1] - re![1])).toBeLessThan(256 * 0.05);
    expect(le![0]).toBeLessThan(re![0]);
    expect(mouth[1]).toBeGreaterThan(le![1] + 256 * 0.15);
    // A real crop: not blank, not clipped.
    let sum = 0;
    for (const v of image.data) sum += v;
    const mean = sum / image.data.length;
    expect(mean).toBeGreaterThan(0.1);
    expect(mean).toBeLessThan(0.9);
  });
});
