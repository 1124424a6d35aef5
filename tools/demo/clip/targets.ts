// The contrastive targets of a training batch: how true each caption is of each face. A caption
// is fully true of a face when every class it claims is the face's class. With a softness above 0,
// a claim that does not hold still counts a little, the more the nearer the face is to the claimed
// class: a face with a slight smile is a little "happy", a deep frown is not at all. Hard 0/1
// targets teach the CLIP only where the class boundaries are; inside the "sad" region its "happy"
// score was then free to fall as the mouth curved upward, and an edit toward "a happy face" had no
// slope to climb from a frown. Graded targets order the faces of every class by how near they are
// to the claimed one, which is the slope the edit optimizer follows.
import { CLASS_GROUPS, attributeIndex, prototypeDistance } from '../attributes.js';
import { captionHolds, type Caption, type FaceClasses } from '../data/captions.js';

/** What the targets need of a face: its classes (null where unclear or invisible) and true attributes. */
export interface TargetFace {
  classes: FaceClasses;
  attributes: ArrayLike<number>;
}

/**
 * How true a caption is of a face, in [0, 1]: 1 when every claim holds; otherwise the product over
 * its claims of exp(−(d²(claimed) − d²(nearest)) / softness), d the distance from the face's true
 * attributes to a class prototype in units of each range; 0 for a claim about a group the face does
 * not show (hair colour of a bald head). Softness 0 gives 1 or 0 (captionHolds).
 */
export function captionTruth(caption: Caption, face: TargetFace, softness: number): number {
  if (captionHolds(caption, face.classes)) return 1;
  if (!(softness > 0)) return 0;
  let truth = 1;
  for (const [groupName, className] of Object.entries(caption.claims)) {
    if (face.classes[groupName] === className) continue;
    const group = CLASS_GROUPS.find((g) => g.name === groupName);
    const claimed = group?.classes.find((c) => c.name === className);
    if (!group || !claimed)
      throw new Error(`captionTruth: the caption "${caption.text}" claims an unknown class ${groupName}: ${className}`);
    if (group.when && face.attributes[attributeIndex(group.when.attribute)]! < group.when.min) return 0;
    const nearest = Math.min(...group.classes.map((c) => prototypeDistance(group, c, face.attributes)));
    truth *= Math.exp(-(prototypeDistance(group, claimed, face.attributes) - nearest) / softness);
  }
  return truth;
}

/**
 * Targets for B faces and C captions, caption j written for face j mod B (always fully true of it):
 * `targets` [B,C] normalized per face, `targetsT` [C,B] normalized per caption.
 */
export function contrastiveTargets(
  captions: readonly Caption[],
  faces: readonly TargetFace[],
  softness = 0,
): { targets: Float32Array; targetsT: Float32Array } {
  const B = faces.length;
  const C = captions.length;
  const truth = new Float64Array(B * C);
  for (let i = 0; i < B; i++)
    for (let j = 0; j < C; j++) truth[i * C + j] = j % B === i ? 1 : captionTruth(captions[j]!, faces[i]!, softness);
  const targets = new Float32Array(B * C);
  const targetsT = new Float32Array(C * B);
  for (let i = 0; i < B; i++) {
    let row = 0;
    for (let j = 0; j < C; j++) row += truth[i * C + j]!;
    for (let j = 0; j < C; j++) targets[i * C + j] = truth[i * C + j]! / row;
  }
  for (let j = 0; j < C; j++) {
    let col = 0;
    for (let i = 0; i < B; i++) col += truth[i * C + j]!;
    for (let i = 0; i < B; i++) targetsT[j * B + i] = truth[i * C + j]! / col;
  }
  return { targets, targetsT };
}
