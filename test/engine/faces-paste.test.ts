// Paste back: an unedited face goes back into its photo without a trace (byte-identical outside
// the mask, under 2/255 on average inside), an edited one replaces only the face, and the edited
// image may come at another size than the aligned crop.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { alignFace } from '../../src/engine/faces/align.js';
import { faceMask, pasteBack } from '../../src/engine/faces/paste.js';
import type { DetectedFace } from '../../src/engine/faces/types.js';
import type { ImageValue } from '../../src/engine/graph/definition.js';
import { createImage, imageToRgb, resizeBilinear } from '../../src/engine/tensor/image.js';
import { decodeImageNode } from '../../src/engine/tensor/image-decode-node.js';
import { faceApiFaces, SAMPLE_PHOTOS } from './face-api-reference.js';
import { syntheticFace } from './faces-synthetic.js';

/** Per-pixel mask weights over the whole photo (0 outside the mask's window). */
function fullMask(mask: ReturnType<typeof faceMask>, width: number, height: number): Float32Array {
  const full = new Float32Array(width * height);
  for (let y = 0; y < mask.height; y++)
    for (let x = 0; x < mask.width; x++) full[(mask.y + y) * width + mask.x + x] = mask.alpha[y * mask.width + x]!;
  return full;
}

/** Bytes that differ outside the mask, and the mean 8-bit difference inside it. */
function compare(photo: ImageValue, pasted: ImageValue, weights: Float32Array) {
  const a = imageToRgb(photo);
  const b = imageToRgb(pasted);
  let changedOutside = 0;
  let insideSum = 0;
  let insideCount = 0;
  for (let i = 0; i < weights.length; i++) {
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(a[i * 3 + c]! - b[i * 3 + c]!);
      if (weights[i] === 0) changedOutside += d === 0 ? 0 : 1;
      else {
        insideSum += d;
        insideCount++;
      }
    }
  }
  return { changedOutside, insideMean: insideSum / insideCount, insidePixels: insideCount / 3 };
}

describe('paste back into a real photo', () => {
  const path = join(SAMPLE_PHOTOS, 'sample1.jpg');
  let photo: ImageValue;
  let faces: DetectedFace[];

  beforeAll(async () => {
    photo = await decodeImageNode(new Uint8Array(readFileSync(path)), 'sample1.jpg');
    faces = await faceApiFaces(path);
  }, 180_000);

  it('leaves the photo as it was when the face is not edited', () => {
    expect(faces.length).toBeGreaterThanOrEqual(1);
    for (const size of [256, 512]) {
      const face = faces[0]!;
      const { image, transform } = alignFace(photo, face, size);
      const pasted = pasteBack(photo, image, transform, face);
      const weights = fullMask(faceMask(face, transform, photo.width, photo.height), photo.width, photo.height);
      const result = compare(photo, pasted, weights);
      expect(result.insidePixels).toBeGreaterThan(10_000);
      expect(result.changedOutside).toBe(0);
      expect(result.insideMean).toBeLessThan(2);
    }
  });

  it('replaces only the face with an edit, at any size of the edited image', () => {
    const [face, other] = faces as [DetectedFace, DetectedFace];
    const { transform } = alignFace(photo, face, 256);
    // An "edit" that is easy to see: the whole aligned square painted pure green, given at 1024 px.
    const green = createImage(1024, 1024);
    green.data.fill(1, 1024 * 1024, 2 * 1024 * 1024);
    const pasted = pasteBack(photo, green, transform, face);
    const weights = fullMask(faceMask(face, transform, photo.width, photo.height), photo.width, photo.height);
    const plane = photo.width * photo.height;
    let full = 0;
    for (let i = 0; i < plane; i++) {
      if (weights[i] === 1) {
        full++;
        expect([pasted.data[i], pasted.data[plane + i], pasted.data[2 * plane + i]]).toEqual([0, 1, 0]);
      }
    }
    expect(full).toBeGreaterThan(10_000);
    // The face's own centre (between the eyes and the mouth) is green; another face is untouched.
    const nose = face.landmarks[30]!;
    const at = Math.round(nose[1]) * photo.width + Math.round(nose[0]);
    expect(pasted.data[plane + at]).toBe(1);
    const [ox, oy, ow, oh] = other.box;
    for (let y = Math.round(oy); y < oy + oh; y += 7)
      for (let x = Math.round(ox); x < ox + ow; x += 7)
        expect(pasted.data[y * photo.width + x]).toBe(photo.data[y * photo.width + x]);
    expect(compare(photo, pasted, weights).changedOutside).toBe(0);
  });

  it('gives nearly the same pixels for the edited face at the aligned size and at 4× that', () => {
    const face = faces[0]!;
    const { image, transform } = alignFace(photo, face, 256);
    const direct = pasteBack(photo, image, transform, face);
    const big = pasteBack(photo, resizeBilinear(image, 1024, 1024), transform, face);
    const weights = fullMask(faceMask(face, transform, photo.width, photo.height), photo.width, photo.height);
    expect(compare(direct, big, weights).insideMean).toBeLessThan(2);
  });
});

describe('paste back checks', () => {
  it('refuses a photo of another size than the one the face was aligned from', () => {
    const face = syntheticFace([100, 100], 40, 0);
    const photo = createImage(200, 200);
    const { image, transform } = alignFace(photo, face, 64);
    expect(() => pasteBack(createImage(300, 200), image, transform, face)).toThrow(
      'the transform was made for a 200×200 photo, this photo is 300×200; connect the photo the face was aligned from',
    );
    expect(() => pasteBack(photo, image, transform, { ...face, landmarks: face.landmarks.slice(0, 27) })).toThrow(
      'the face has 27 landmarks',
    );
  });

  it('feathers the mask: full inside the face, a smooth edge, nothing far away', () => {
    const face = syntheticFace([200, 150], 60, 10);
    const photo = createImage(400, 320);
    const { transform } = alignFace(photo, face, 128);
    const mask = faceMask(face, transform, photo.width, photo.height);
    const weights = fullMask(mask, photo.width, photo.height);
    const nose = face.landmarks[30]!;
    expect(weights[Math.round(nose[1]) * 400 + Math.round(nose[0])]).toBe(1);
    expect(weights[5 * 400 + 5]).toBe(0);
    const soft = Array.from(weights).filter((w) => w > 0 && w < 1).length;
    expect(soft).toBeGreaterThan(500);
  });
});
