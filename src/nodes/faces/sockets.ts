// The socket types the face nodes pass along. They join the graph's socket table
// (src/engine/graph/sockets.ts: SOCKET_TYPES) when the family is registered; until then `socket()`
// keeps the definitions typed.
import type { SocketType } from '../../engine/graph/sockets.js';

export const FACE_SOCKET_TYPES = {
  Faces: { color: '#26a69a', help: 'The faces found in a photo (boxes, scores, 68 landmarks each) with the photo' },
  Face: { color: '#00897b', help: 'One face of a photo: its box, score and 68 landmarks, with the photo' },
  Descriptor: {
    color: '#8d6e63',
    help: 'A 128-D face identity descriptor (same person below a distance of about 0.6)',
  },
} as const;

export type FaceSocketType = keyof typeof FACE_SOCKET_TYPES;

export function socket(type: FaceSocketType): SocketType {
  return type as unknown as SocketType;
}
