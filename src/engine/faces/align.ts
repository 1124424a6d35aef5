// FFHQ alignment: the crop a StyleGAN face encoder expects. From the 68 landmarks, the eyes and
// mouth fix an oriented square (the recipe of the FFHQ dataset's alignment: eye centres, mouth
// corners, a frame turned to the eye line and the eye-to-mouth axis, sized by the larger of
// 2 × eye distance and 1.8 × eye-to-mouth distance); the photo inside it is resampled to N × N.
// Coordinates: photo and aligned pixels both have pixel centres at whole numbers, origin top-left.
import type { ImageValue } from '../graph/definition.js';
import { type Affine, applyAffine, invertAffine, warpAffine } from './resample.js';
import type { DetectedFace } from './types.js';

export type Point = [number, number];

/** How an aligned face sits in its photo; a value on the FaceTransform socket. */
export interface FaceTransform {
  kind: 'face-transform';
  /** Side of the aligned square in pixels. */
  size: number;
  /** The photo's size, so the face goes back into the same photo. */
  photoWidth: number;
  photoHeight: number;
  /**
   * Photo points at the aligned square's outer corners (aligned (−½, −½), (−½, N−½), (N−½, N−½),
   * (N−½, −½)): top-left, bottom-left, bottom-right, top-right, FFHQ's quad order.
   */
  quad: [Point, Point, Point, Point];
  /** Aligned pixel (u, v) → photo pixel (x, y). */
  toPhoto: Affine;
}

export interface AlignedFace {
  image: ImageValue;
  transform: FaceTransform;
}

const mean = (points: readonly Point[]): Point => {
  let x = 0;
  let y = 0;
  for (const [px, py] of points) {
    x += px;
    y += py;
  }
  return [x / points.length, y / points.length];
};

/** The parts of the landmarks the recipe uses: eye centres (points 36–41, 42–47) and mouth corners (48, 54). */
export function faceKeyPoints(
  landmarks: readonly (readonly [number, number])[],
  what = 'the face',
): {
  leftEye: Point;
  rightEye: Point;
  mouthLeft: Point;
  mouthRight: Point;
} {
  if (landmarks.length !== 68)
    throw new Error(`${what} has ${landmarks.length} landmarks; alignment needs the 68 points of the iBUG 68 layout`);
  for (const [i, p] of landmarks.entries()) {
    if (!Array.isArray(p) || p.length !== 2 || !Number.isFinite(p[0]) || !Number.isFinite(p[1]))
      throw new Error(`${what}: landmark ${i} is not a finite [x, y] point`);
  }
  const pts = landmarks as readonly Point[];
  return {
    leftEye: mean(pts.slice(36, 42)),
    rightEye: mean(pts.slice(42, 48)),
    mouthLeft: pts[48]!,
    mouthRight: pts[54]!,
  };
}

/** FFHQ's oriented square around the face, in photo pixels: [c − x − y, c − x + y, c + x + y, c + x − y]. */
export function ffhqQuad(
  landmarks: readonly (readonly [number, number])[],
  what?: string,
): [Point, Point, Point, Point] {
  const { leftEye, rightEye, mouthLeft, mouthRight } = faceKeyPoints(landmarks, what);
  const eyeAvg: Point = [(leftEye[0] + rightEye[0]) / 2, (leftEye[1] + rightEye[1]) / 2];
  const eyeToEye: Point = [rightEye[0] - leftEye[0], rightEye[1] - leftEye[1]];
  const mouthAvg: Point = [(mouthLeft[0] + mouthRight[0]) / 2, (mouthLeft[1] + mouthRight[1]) / 2];
  const eyeToMouth: Point = [mouthAvg[0] - eyeAvg[0], mouthAvg[1] - eyeAvg[1]];
  // x = eye_to_eye − flipud(eye_to_mouth) · [−1, 1]: the eye line averaged with the mouth axis turned a quarter.
  let x: Point = [eyeToEye[0] + eyeToMouth[1], eyeToEye[1] - eyeToMouth[0]];
  const length = Math.hypot(x[0], x[1]);
  if (!(length > 1e-9)) throw new Error(`${what ?? 'the face'}: its eyes and mouth coincide; it cannot be aligned`);
  const scale = Math.max(Math.hypot(eyeToEye[0], eyeToEye[1]) * 2, Math.hypot(eyeToMouth[0], eyeToMouth[1]) * 1.8);
  x = [(x[0] / length) * scale, (x[1] / length) * scale];
  const y: Point = [-x[1], x[0]]; // flipud(x) · [−1, 1]
  const c: Point = [eyeAvg[0] + eyeToMouth[0] * 0.1, eyeAvg[1] + eyeToMouth[1] * 0.1];
  return [
    [c[0] - x[0] - y[0], c[1] - x[1] - y[1]],
    [c[0] - x[0] + y[0], c[1] - x[1] + y[1]],
    [c[0] + x[0] + y[0], c[1] + x[1] + y[1]],
    [c[0] + x[0] - y[0], c[1] + x[1] - y[1]],
  ];
}

/** The map from aligned pixels to photo pixels for a quad and an aligned side N. */
export function quadToPhoto(quad: readonly [Point, Point, Point, Point], size: number): Affine {
  const [q0, q1, , q3] = quad;
  // Aligned pixel u has its centre at u + ½ of N along the quad's top edge (q0 → q3), v likewise down (q0 → q1).
  const a = (q3[0] - q0[0]) / size;
  const b = (q1[0] - q0[0]) / size;
  const d = (q3[1] - q0[1]) / size;
  const e = (q1[1] - q0[1]) / size;
  return [a, b, q0[0] + 0.5 * (a + b), d, e, q0[1] + 0.5 * (d + e)];
}

export function checkAlignedSize(size: number): void {
  if (!Number.isInteger(size) || size < 8 || size > 4096)
    throw new Error(`the aligned size must be a whole number of pixels from 8 to 4096, got ${size}`);
}

/** The face cut out of the photo along FFHQ's quad as a size × size image, and how it maps back. */
export function alignFace(image: ImageValue, face: DetectedFace, size: number): AlignedFace {
  checkAlignedSize(size);
  const quad = ffhqQuad(face.landmarks);
  const toPhoto = quadToPhoto(quad, size);
  return {
    image: warpAffine(image, toPhoto, size, size),
    transform: { kind: 'face-transform', size, photoWidth: image.width, photoHeight: image.height, quad, toPhoto },
  };
}

/** A photo point in the aligned frame (e.g. a landmark). */
export function photoToAligned(transform: FaceTransform, point: readonly [number, number]): Point {
  return applyAffine(invertAffine(transform.toPhoto), point);
}

/** An aligned point in the photo. */
export function alignedToPhoto(transform: FaceTransform, point: readonly [number, number]): Point {
  return applyAffine(transform.toPhoto, point);
}
