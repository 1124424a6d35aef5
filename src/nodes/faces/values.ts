// The values on the face family's own sockets. A Face is a plain DetectedFace (src/engine/faces).
import type { DetectedFace } from '../../engine/faces/types.js';

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
