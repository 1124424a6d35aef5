// The socket types of the face family: the faces of a photo, one chosen face, an identity
// descriptor. Face carries a plain DetectedFace (box, score, 68 landmarks in its photo's pixels);
// the photo travels on its own Image socket, so an aligned face and its photo can be wired apart.
import type { DetectedFace } from '../../engine/faces/types.js';
import { faceProblem } from '../../engine/faces/values.js';
import type { SocketTypeDef } from '../../engine/graph/registry.js';
import { describe } from '../basic/sockets.js';
import type { DescriptorValue, FacesValue } from './values.js';

declare module '../../engine/graph/definition.js' {
  interface SocketValues {
    Faces: FacesValue;
    Face: DetectedFace;
    Descriptor: DescriptorValue;
  }
}

export const faceSockets: readonly SocketTypeDef[] = [
  {
    name: 'Faces',
    help: "Every face found in a photo, best score first: boxes, scores and 68 landmarks in the photo's pixels",
    check: (v) =>
      (v as FacesValue | null)?.kind === 'faces' && Array.isArray((v as FacesValue).faces)
        ? undefined
        : `expected the faces of a photo (from Detect Faces), got ${describe(v)}`,
  },
  {
    name: 'Face',
    help: "A face found in a photo: its box, score and 68 landmarks in the photo's pixels",
    check: faceProblem,
  },
  {
    name: 'Descriptor',
    help: 'A 128-D face identity descriptor (the same person below a distance of about 0.6)',
    check: (v) =>
      (v as DescriptorValue | null)?.kind === 'descriptor' && (v as DescriptorValue).descriptor instanceof Float32Array
        ? undefined
        : `expected an identity descriptor, got ${describe(v)}`,
  },
];

/** The param every face node has: which face bundle to run. */
export const BUNDLE_PARAM = {
  kind: 'text',
  default: 'models/faces/manifest.json',
  label: 'Face models',
  help: "The face bundle's manifest.json: the bundled face-api networks, or another bundle in the same format (a URL, or a path in the CLI).",
} as const;
