// The socket types the face nodes pass along. They join the graph's socket table
// (src/engine/graph/sockets.ts: SOCKET_TYPES) when the family is registered; until then `socket()`
// keeps the definitions typed. Face means the same as the alignment nodes' Face: a DetectedFace.
import type { SocketType } from '../../engine/graph/sockets.js';

export const FACE_SOCKET_TYPES = {
  Faces: {
    color: '#26a69a',
    help: "Every face found in a photo, best score first: boxes, scores and 68 landmarks in the photo's pixels",
  },
  Face: { color: '#ffc107', help: "A face found in a photo: its box, score and 68 landmarks in the photo's pixels" },
  Descriptor: {
    color: '#8d6e63',
    help: 'A 128-D face identity descriptor (the same person below a distance of about 0.6)',
  },
} as const;

export type FaceSocketType = keyof typeof FACE_SOCKET_TYPES;

export function socket(type: FaceSocketType): SocketType {
  return type as unknown as SocketType;
}

/** The param every face node has: which face bundle to run. */
export const BUNDLE_PARAM = {
  kind: 'text',
  default: 'models/faces/manifest.json',
  label: 'Face models',
  help: "The face bundle's manifest.json: the bundled face-api networks, or another bundle in the same format (a URL, or a path in the CLI).",
} as const;
