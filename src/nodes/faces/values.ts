// The values on the face sockets, and checks that name the input when something else arrives.
// A Face socket carries a plain DetectedFace (box, score, 68 landmarks in its photo's pixels); the
// photo travels on its own Image socket, so an aligned face and its photo can be wired separately.
import type { ImageValue } from '../../engine/graph/definition.js';
import type { DetectedFace } from '../../engine/faces/types.js';
import { isImageValue } from '../../engine/tensor/image.js';

export interface FacesValue {
  kind: 'faces';
  /** Best score first. */
  faces: DetectedFace[];
  /** The photo's size, for readouts. */
  width: number;
  height: number;
}

export interface DescriptorValue {
  kind: 'descriptor';
  descriptor: Float32Array;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  const kind = (value as { kind?: unknown }).kind;
  if (typeof value === 'object' && typeof kind === 'string')
    return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} value`;
  return typeof value;
}

export function imageInput(value: unknown, input: string): ImageValue {
  if (!isImageValue(value)) throw new Error(`input '${input}' needs an image, got ${describe(value)}`);
  return value;
}

const isPoint = (p: unknown) => Array.isArray(p) && p.length === 2 && Number.isFinite(p[0]) && Number.isFinite(p[1]);

export function faceInput(value: unknown, input: string): DetectedFace {
  const v = value as Partial<DetectedFace> | undefined;
  const ok =
    typeof v === 'object' &&
    v !== null &&
    Array.isArray(v.box) &&
    v.box.length === 4 &&
    v.box.every(Number.isFinite) &&
    typeof v.score === 'number' &&
    Array.isArray(v.landmarks) &&
    v.landmarks.length === 68 &&
    v.landmarks.every(isPoint);
  if (!ok)
    throw new Error(
      `input '${input}' needs a face with a box and 68 landmarks (from Detect Faces), got ${describe(value)}`,
    );
  return v as DetectedFace;
}
