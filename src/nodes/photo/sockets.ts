// The socket type of the photo family: where an aligned face sits in its photo. Its check lives
// beside the face code (src/engine/faces/values.ts). The Face socket is the face family's.
import type { FaceTransform } from '../../engine/faces/align.js';
import { faceTransformProblem } from '../../engine/faces/values.js';
import type { SocketTypeDef } from '../../engine/graph/registry.js';

declare module '../../engine/graph/definition.js' {
  interface SocketValues {
    FaceTransform: FaceTransform;
  }
}

export const photoSockets: readonly SocketTypeDef[] = [
  {
    name: 'FaceTransform',
    help: 'Where an aligned face sits in its photo: the FFHQ crop square and the map from aligned pixels back to the photo',
    check: faceTransformProblem,
  },
];
