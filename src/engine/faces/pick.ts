// Choosing one face of a photo: the best scoring, the largest box, or by place in the list.
import type { DetectedFace } from './types.js';

export const FACE_CHOICES = ['best', 'largest', 'index'] as const;
export type FaceChoice = (typeof FACE_CHOICES)[number];

/** The index of the chosen face in `faces` (best score first). */
export function pickFace(faces: readonly DetectedFace[], choice: FaceChoice, index = 0): number {
  if (faces.length === 0) throw new Error('there is no face to choose from');
  if (choice === 'best') return 0;
  if (choice === 'largest') {
    let best = 0;
    faces.forEach((f, i) => {
      if (f.box[2] * f.box[3] > faces[best]!.box[2] * faces[best]!.box[3]) best = i;
    });
    return best;
  }
  if (!Number.isInteger(index) || index < 0 || index >= faces.length)
    throw new Error(
      `face index ${index} does not exist: the photo has ${faces.length} face${faces.length === 1 ? '' : 's'} (0–${faces.length - 1})`,
    );
  return index;
}
