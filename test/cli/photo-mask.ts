// Where an edited photo differs from the original: outside and inside the paste-back mask of the
// face graphs/photo-edit.json edits (Detect Faces' default pick, the largest), found with the same
// functions the graph's nodes run.
import { readFileSync } from 'node:fs';
import { alignFace } from '../../src/engine/faces/align.js';
import { detectFaces, loadFaceNets } from '../../src/engine/faces/detect.js';
import { faceMask } from '../../src/engine/faces/paste.js';
import { pickFace } from '../../src/engine/faces/pick.js';
import type { ImageValue } from '../../src/engine/graph/definition.js';
import { imageToRgb } from '../../src/engine/tensor/image.js';
import { createRuntime } from '../../src/engine/tensor/runtime.js';
import { repoPath } from '../paths.js';

export interface MaskChanges {
  /** Pixels that differ where the mask's weight is 0: Paste Back must leave all of them alone. */
  outside: number;
  /** Pixels that differ under the mask: the edited face. */
  inside: number;
}

/** `alignSize` is the side Align Face cropped to (size 0: the bundle encoder's input size). */
export async function changesAroundFace(
  original: ImageValue,
  edited: ImageValue,
  alignSize: number,
): Promise<MaskChanges> {
  const runtime = await createRuntime();
  const nets = await loadFaceNets(runtime, repoPath('public/models/faces/manifest.json'), {
    loadBytes: async (path) => new Uint8Array(readFileSync(path)),
  });
  const faces = await detectFaces(nets, original, { minScore: 0.5 });
  await nets.release();
  const face = faces[pickFace(faces, 'largest', 0)]!;
  const { transform } = alignFace(original, face, alignSize);
  const mask = faceMask(face, transform, original.width, original.height);

  const a = imageToRgb(original);
  const b = imageToRgb(edited);
  const changes: MaskChanges = { outside: 0, inside: 0 };
  for (let y = 0; y < original.height; y++) {
    for (let x = 0; x < original.width; x++) {
      const mx = x - mask.x;
      const my = y - mask.y;
      const inWindow = mx >= 0 && my >= 0 && mx < mask.width && my < mask.height;
      const weight = inWindow ? mask.alpha[my * mask.width + mx]! : 0;
      const i = (y * original.width + x) * 3;
      if (a[i] === b[i] && a[i + 1] === b[i + 1] && a[i + 2] === b[i + 2]) continue;
      if (weight === 0) changes.outside++;
      else changes.inside++;
    }
  }
  return changes;
}
