// The converted face networks against face-api 1.7.15 itself (TensorFlow.js CPU backend, run here)
// on its six sample photos: same faces, same boxes, landmarks, descriptors and expressions.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cosineSimilarity,
  detectFaces,
  EXPRESSION_NAMES,
  expression,
  identityCrop,
  identityEmbedding,
  loadFaceNets,
  type FaceNets,
} from '../../src/engine/faces/detect.js';
import { createRuntime } from '../../src/engine/tensor/runtime.js';
import { type FaceApiReference, loadFaceApi } from './face-api-reference.js';
import { decodePhoto, SAMPLE_PHOTOS, samplePath } from './photos.js';

const MANIFEST = fileURLToPath(new URL('../../public/models/faces/manifest.json', import.meta.url));
const loadBytes = async (path: string) => new Uint8Array(await readFile(path));

function iou(a: number[], b: number[]): number {
  const x0 = Math.max(a[0]!, b[0]!);
  const y0 = Math.max(a[1]!, b[1]!);
  const x1 = Math.min(a[0]! + a[2]!, b[0]! + b[2]!);
  const y1 = Math.min(a[1]! + a[3]!, b[1]! + b[3]!);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  return inter / (a[2]! * a[3]! + b[2]! * b[3]! - inter);
}

describe('face networks converted to ONNX match face-api', () => {
  let nets: FaceNets;
  let reference: FaceApiReference;
  const worst = { iou: 1, landmarkPx: 0, cosine: 1, expression: 0, faces: 0 };

  beforeAll(async () => {
    [nets, reference] = await Promise.all([
      createRuntime().then((runtime) => loadFaceNets(runtime, MANIFEST, { loadBytes })),
      loadFaceApi(),
    ]);
  });
  afterAll(async () => {
    await nets?.release();
    if (worst.faces) console.log(`face-api comparison over ${worst.faces} faces: ${JSON.stringify(worst)}`);
  });

  for (const name of SAMPLE_PHOTOS) {
    it(`${name}: same faces, boxes, landmarks, descriptors and expressions`, async () => {
      const { rgb, image } = await decodePhoto(samplePath(name));
      const expected = await reference.run(rgb, image.width, image.height);
      const faces = await detectFaces(nets, image);
      expect(expected.length).toBeGreaterThan(0);
      expect(faces.length).toBe(expected.length);
      for (const ref of expected) {
        // Pair each reference face with the detection that overlaps it most.
        const face = faces.reduce((best, f) => (iou(f.box, ref.box) > iou(best.box, ref.box) ? f : best));
        const overlap = iou(face.box, ref.box);
        expect(overlap).toBeGreaterThanOrEqual(0.95);
        expect(Math.abs(face.score - ref.score)).toBeLessThan(1e-3);
        expect(face.landmarks).toHaveLength(68);
        const landmarkPx = Math.max(
          ...face.landmarks.map(([x, y], i) => Math.hypot(x - ref.landmarks[i]![0], y - ref.landmarks[i]![1])),
        );
        expect(landmarkPx).toBeLessThanOrEqual(1);
        const cosine = cosineSimilarity(await identityEmbedding(nets, identityCrop(image, face)), ref.descriptor);
        expect(cosine).toBeGreaterThanOrEqual(0.999);
        const probabilities = await expression(nets, image, face);
        const expressionDiff = Math.max(
          ...EXPRESSION_NAMES.map((k) => Math.abs(probabilities[k] - ref.expressions[k]!)),
        );
        expect(expressionDiff).toBeLessThanOrEqual(1e-3);
        worst.iou = Math.min(worst.iou, overlap);
        worst.landmarkPx = Math.max(worst.landmarkPx, landmarkPx);
        worst.cosine = Math.min(worst.cosine, cosine);
        worst.expression = Math.max(worst.expression, expressionDiff);
        worst.faces++;
      }
      // face-api on the pure-JS backend takes 10–20 s a photo, several times that on a loaded machine.
    }, 600_000);
  }
});
