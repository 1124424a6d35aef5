// Checks for the face values nodes receive (a DetectedFace on a Face socket, a FaceTransform),
// with messages that name the input and what is wrong, before any pixel work starts.
import type { FaceTransform } from './align.js';
import type { DetectedFace } from './types.js';

const isPoint = (p: unknown): p is [number, number] =>
  Array.isArray(p) && p.length === 2 && Number.isFinite(p[0]) && Number.isFinite(p[1]);

/** A problem with a value meant as a DetectedFace, or undefined when it is one. */
export function faceProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null)
    return `expected a face, got ${value === null ? 'null' : typeof value}`;
  const v = value as Partial<DetectedFace>;
  if (!Array.isArray(v.box) || v.box.length !== 4 || !v.box.every(Number.isFinite))
    return 'expected a face with a box [x, y, width, height]';
  if (typeof v.score !== 'number') return 'expected a face with a score';
  if (!Array.isArray(v.landmarks)) return 'expected a face with landmarks';
  if (v.landmarks.length !== 68) return `the face has ${v.landmarks.length} landmarks, 68 (iBUG 68 layout) are needed`;
  const bad = v.landmarks.findIndex((p) => !isPoint(p));
  if (bad >= 0) return `landmark ${bad} of the face is not a finite [x, y] point`;
  return undefined;
}

export function readFace(value: unknown, input: string): DetectedFace {
  const problem = faceProblem(value);
  if (problem) throw new Error(`input '${input}': ${problem}`);
  return value as DetectedFace;
}

export function isFaceTransform(value: unknown): value is FaceTransform {
  const v = value as FaceTransform;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.kind === 'face-transform' &&
    Number.isInteger(v.size) &&
    Number.isInteger(v.photoWidth) &&
    Number.isInteger(v.photoHeight) &&
    Array.isArray(v.quad) &&
    v.quad.length === 4 &&
    v.quad.every(isPoint) &&
    Array.isArray(v.toPhoto) &&
    v.toPhoto.length === 6 &&
    v.toPhoto.every(Number.isFinite)
  );
}

/** A problem with a value meant as a FaceTransform, or undefined when it is one. */
export function faceTransformProblem(value: unknown): string | undefined {
  return isFaceTransform(value) ? undefined : `expected a face transform (from Align Face), got ${describe(value)}`;
}

export function readFaceTransform(value: unknown, input: string): FaceTransform {
  const problem = faceTransformProblem(value);
  if (problem) throw new Error(`input '${input}' ${problem}`);
  return value as FaceTransform;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  const kind = (value as { kind?: unknown }).kind;
  if (typeof value === 'object' && typeof kind === 'string')
    return `${/^[aeiou]/i.test(kind) ? 'an' : 'a'} ${kind} value`;
  return typeof value;
}
