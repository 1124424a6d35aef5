// The values on the face sockets, and checks that name the input when something else arrives.
import type { ImageValue } from '../../engine/graph/definition.js';
import type { FaceNets } from '../../engine/faces/nets.js';
import type { DetectedFace } from '../../engine/faces/types.js';
import { isImageValue } from '../../engine/tensor/image.js';

export interface FacesValue {
  kind: 'faces';
  photo: ImageValue;
  faces: DetectedFace[];
  nets: FaceNets;
}

export interface FaceValue {
  kind: 'face';
  photo: ImageValue;
  face: DetectedFace;
  /** Its place in the photo's faces, best score first. */
  index: number;
  nets: FaceNets;
}

export interface DescriptorValue {
  kind: 'descriptor';
  descriptor: Float32Array;
}

function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  const kind = (value as { kind?: unknown })?.kind;
  return typeof kind === 'string' ? `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} value` : typeof value;
}

export function imageInput(value: unknown, input: string): ImageValue {
  if (!isImageValue(value)) throw new Error(`input '${input}' needs an image, got ${kindOf(value)}`);
  return value;
}

export function faceInput(value: unknown, input: string): FaceValue {
  const v = value as FaceValue | undefined;
  if (v?.kind !== 'face' || !v.face || !isImageValue(v.photo))
    throw new Error(`input '${input}' needs a face (from Detect Faces), got ${kindOf(value)}`);
  return v;
}
