// Faces in a photo: detection, 68 landmarks, the identity descriptor and the expression, with face-api's
// recipe for each crop, so results match face-api's own on the same pixels
// (test/faces/face-nets.test.ts).
import type { ImageValue } from '../graph/definition.js';
import { hostTensor } from '../onnx/model.js';
import { EXPRESSION_NAMES, type ExpressionName } from './manifest.js';
import type { FaceNets } from './nets.js';
import { checkImage, clipBox, cropImage, squareInput } from './preprocess.js';
import { boxToPixels, nonMaxSuppression } from './ssd.js';
import type { DetectedFace } from './types.js';

export type { DetectedFace } from './types.js';
export type { ExpressionName } from './manifest.js';
export { EXPRESSION_NAMES } from './manifest.js';
export { loadFaceNets, type FaceNets } from './nets.js';

export interface DetectOptions {
  /** Faces scoring at or below this are dropped (default: the manifest's, 0.5). */
  minScore?: number;
  /** At most this many faces (default 100). */
  maxFaces?: number;
  signal?: AbortSignal;
}

type Box = [number, number, number, number];

async function runNet(
  nets: FaceNets,
  role: 'detector' | 'landmarks' | 'recognition' | 'expression',
  pixels: Float32Array,
  size: number,
  signal?: AbortSignal,
): Promise<Record<string, Float32Array>> {
  const s = await nets.session(role);
  const out = await s.runToHost(
    { [nets.manifest[role].input]: hostTensor('float32', [1, 3, size, size], pixels) },
    { signal },
  );
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
}

/** The 68 landmarks of the face in `box`, in image pixels. */
async function landmarksIn(nets: FaceNets, image: ImageValue, box: Box, signal?: AbortSignal) {
  const crop = clipBox(box, image.width, image.height);
  if (!crop) return undefined;
  const m = nets.manifest.landmarks;
  const out = (
    await runNet(nets, 'landmarks', squareInput(cropImage(image, crop), m.inputSize, true), m.inputSize, signal)
  )[m.output]!;
  // The net answers relative to the centred square; face-api removes the padding as half the size
  // difference on each side, then scales by the crop and shifts by the (unfloored) detection box.
  const scale = m.inputSize / Math.max(crop.width, crop.height);
  const w = crop.width * scale;
  const h = crop.height * scale;
  const padX = w < h ? Math.abs(w - h) / 2 : 0;
  const padY = h < w ? Math.abs(w - h) / 2 : 0;
  const points: [number, number][] = [];
  for (let i = 0; i < m.points; i++) {
    const rx = (out[2 * i]! * m.inputSize - padX) / w;
    const ry = (out[2 * i + 1]! * m.inputSize - padY) / h;
    points.push([rx * crop.width + box[0], ry * crop.height + box[1]]);
  }
  return points;
}

/** Faces in the image, best score first (larger first on equal scores), each with its 68 landmarks. */
export async function detectFaces(
  nets: FaceNets,
  image: ImageValue,
  opts: DetectOptions = {},
): Promise<DetectedFace[]> {
  checkImage(image, 'detectFaces: the image');
  const d = nets.manifest.detector;
  const minScore = opts.minScore ?? d.minScore;
  const maxFaces = opts.maxFaces ?? 100;
  if (!(minScore >= 0 && minScore < 1)) throw new Error(`detectFaces: minScore must be in [0, 1), got ${minScore}`);
  if (!(Number.isInteger(maxFaces) && maxFaces > 0))
    throw new Error(`detectFaces: maxFaces must be a positive whole number, got ${maxFaces}`);
  const out = await runNet(nets, 'detector', squareInput(image, d.inputSize, false), d.inputSize, opts.signal);
  const boxes = out[d.boxes]!;
  const scores = out[d.scores]!;
  const kept = nonMaxSuppression(boxes, scores, maxFaces, d.iouThreshold, minScore);
  const faces: DetectedFace[] = [];
  for (const k of kept) {
    const box = boxToPixels(boxes, k, image.width, image.height, d.inputSize);
    const landmarks = await landmarksIn(nets, image, box, opts.signal);
    if (landmarks) faces.push({ box, score: scores[k]!, landmarks });
  }
  return faces.sort((a, b) => b.score - a.score || b.box[2] * b.box[3] - a.box[2] * a.box[3]);
}

function mean(points: [number, number][], from: number, to: number): [number, number] {
  let x = 0;
  let y = 0;
  for (let i = from; i < to; i++) {
    x += points[i]![0];
    y += points[i]![1];
  }
  return [x / (to - from), y / (to - from)];
}

/**
 * The crop face-api's recognition net is fed (its "dlib alignment"): a square of side
 * (mean eye-to-mouth distance) / 0.45 placed at 0.5 / 0.43 of its side around the centre of the
 * eyes and mouth, in image pixels, before clipping.
 */
export function identityBox(face: DetectedFace, image: { width: number; height: number }): Box {
  const l = face.landmarks;
  if (l.length !== 68) throw new Error(`identityBox: a face needs 68 landmarks, got ${l.length}`);
  const leftEye = mean(l, 36, 42);
  const rightEye = mean(l, 42, 48);
  const mouth = mean(l, 48, 68);
  const dist = (p: [number, number]) => Math.hypot(mouth[0] - p[0], mouth[1] - p[1]);
  const size = Math.floor((dist(leftEye) + dist(rightEye)) / 2 / 0.45);
  const cx = (leftEye[0] + rightEye[0] + mouth[0]) / 3;
  const cy = (leftEye[1] + rightEye[1] + mouth[1]) / 3;
  const x = Math.floor(Math.max(0, cx - 0.5 * size));
  const y = Math.floor(Math.max(0, cy - 0.43 * size));
  // face-api caps the side by its landmarks' reference frame: the detection crop's size.
  const crop = clipBox(face.box, image.width, image.height) ?? { width: size, height: size };
  return [x, y, Math.min(size, crop.width + x), Math.min(size, crop.height + y)];
}

/** The landmarks' bounding box grown by 20 % (10 % each side): face-api's crop for expressions. */
export function expressionBox(face: DetectedFace): Box {
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = 0;
  let y1 = 0;
  for (const [x, y] of face.landmarks) {
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  const w = x1 - x0;
  const h = y1 - y0;
  return [x0 - (w * 0.2) / 2, y0 - (h * 0.2) / 2, w + w * 0.2, h + h * 0.2];
}

/** The part of the image inside a box (clipped to the image, whole pixels). */
export function cropBox(image: ImageValue, box: Box): ImageValue {
  checkImage(image);
  const crop = clipBox(box, image.width, image.height);
  if (!crop)
    throw new Error(
      `the box [${box.map((v) => v.toFixed(1)).join(', ')}] lies outside the ${image.width}×${image.height} image`,
    );
  return cropImage(image, crop);
}

/** face-api's identity crop of a detected face (see identityBox). */
export function identityCrop(image: ImageValue, face: DetectedFace): ImageValue {
  return cropBox(image, identityBox(face, image));
}

/**
 * The 128-D identity descriptor of a face image: an aligned face or identityCrop's crop. Any aspect
 * works (padded to a centred square first). Not normalized: face-api's same-person threshold is a
 * Euclidean distance of about 0.6.
 */
export async function identityEmbedding(
  nets: FaceNets,
  alignedOrCropped: ImageValue,
  signal?: AbortSignal,
): Promise<Float32Array> {
  checkImage(alignedOrCropped, 'identityEmbedding: the face image');
  const r = nets.manifest.recognition;
  const out = await runNet(nets, 'recognition', squareInput(alignedOrCropped, r.inputSize, true), r.inputSize, signal);
  return Float32Array.from(out[r.output]!);
}

/** Probabilities of the seven expressions of a detected face (they sum to 1). */
export async function expression(
  nets: FaceNets,
  image: ImageValue,
  face: DetectedFace,
  signal?: AbortSignal,
): Promise<Record<ExpressionName, number>> {
  const e = nets.manifest.expression;
  const crop = cropBox(image, expressionBox(face));
  const p = (await runNet(nets, 'expression', squareInput(crop, e.inputSize, true), e.inputSize, signal))[e.output]!;
  return Object.fromEntries(EXPRESSION_NAMES.map((n, i) => [n, p[i]!])) as Record<ExpressionName, number>;
}

/** Cosine similarity of two descriptors. */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`descriptors differ in length: ${a.length} and ${b.length}`);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
}

/** Euclidean distance of two descriptors (face-api: below about 0.6 means the same person). */
export function descriptorDistance(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`descriptors differ in length: ${a.length} and ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}
