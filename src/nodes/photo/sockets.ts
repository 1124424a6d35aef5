// The socket types of the photo family: a face found in a photo and where its aligned crop sits.
// Their checks live beside the face code (src/engine/faces/values.ts), so a node's run() gets a
// value it can use as it is typed.
import type { FaceTransform } from '../../engine/faces/align.js';
import type { DetectedFace } from '../../engine/faces/types.js';
import { faceProblem, faceTransformProblem } from '../../engine/faces/values.js';
import type { SocketTypeDef } from '../../engine/graph/registry.js';

declare module '../../engine/graph/definition.js' {
  interface SocketValues {
    Face: DetectedFace;
    FaceTransform: FaceTransform;
  }
}

export const photoSockets: readonly SocketTypeDef[] = [
  {
    name: 'Face',
    help: "A face found in a photo: its box, score and 68 landmarks in the photo's pixels",
    check: faceProblem,
  },
  {
    name: 'FaceTransform',
    help: 'Where an aligned face sits in its photo: the FFHQ crop square and the map from aligned pixels back to the photo',
    check: faceTransformProblem,
  },
];
