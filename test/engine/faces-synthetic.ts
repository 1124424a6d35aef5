// Synthetic faces for the alignment and paste-back tests: 68 landmarks in face-api's order,
// placed, turned and scaled at will, and photos with coloured blobs where the eyes and the mouth
// are, so where the alignment puts them can be measured in its pixels.
import type { ImageValue } from '../../src/engine/graph/definition.js';
import type { DetectedFace } from '../../src/engine/faces/types.js';

type Point = [number, number];

/**
 * A frontal face with the eyes one unit apart (centres at (±0.5, 0)) and the mouth corners at
 * (±0.4, mouthY); the other points only need to be plausibly placed.
 */
function frontalUnitFace(mouthY = 1): Point[] {
  const pts: Point[] = [];
  for (let i = 0; i <= 16; i++) {
    const t = (Math.PI * i) / 16;
    pts.push([-1.05 * Math.cos(t), 0.1 + 1.25 * Math.sin(t)]);
  }
  for (let i = 0; i < 5; i++) pts.push([-0.9 + i * 0.175, -0.35 - 0.05 * Math.sin((Math.PI * i) / 4)]);
  for (let i = 0; i < 5; i++) pts.push([0.2 + i * 0.175, -0.35 - 0.05 * Math.sin((Math.PI * (4 - i)) / 4)]);
  for (let i = 0; i < 4; i++) pts.push([0, -0.1 + i * 0.18]);
  for (let i = 0; i < 5; i++) pts.push([-0.2 + i * 0.1, 0.6]);
  for (const cx of [-0.5, 0.5]) {
    // six points around the eye centre, symmetric, so their mean is the centre
    for (let i = 0; i < 6; i++) {
      const t = Math.PI + (Math.PI * i) / 3;
      pts.push([cx + 0.16 * Math.cos(t), 0.07 * Math.sin(t)]);
    }
  }
  for (let i = 0; i < 12; i++) {
    const t = Math.PI + (Math.PI * i) / 6;
    pts.push([0.4 * Math.cos(t), mouthY + 0.15 * Math.sin(t)]);
  }
  for (let i = 0; i < 8; i++) {
    const t = Math.PI + (Math.PI * i) / 4;
    pts.push([0.3 * Math.cos(t), mouthY + 0.06 * Math.sin(t)]);
  }
  return pts;
}

/** The unit face turned by `degrees`, `eyeDistance` pixels between the eyes, the eye midpoint at `at`. */
export function syntheticFace(
  at: Point,
  eyeDistance: number,
  degrees: number,
  options: { mouthY?: number; mouthShift?: number } = {},
): DetectedFace {
  const t = (degrees * Math.PI) / 180;
  const cos = Math.cos(t);
  const sin = Math.sin(t);
  const landmarks = frontalUnitFace(options.mouthY).map(([x, y], i): Point => {
    const sx = i >= 48 && i < 68 ? x + (options.mouthShift ?? 0) : x;
    return [at[0] + eyeDistance * (cos * sx - sin * y), at[1] + eyeDistance * (sin * sx + cos * y)];
  });
  const xs = landmarks.map((p) => p[0]);
  const ys = landmarks.map((p) => p[1]);
  const x0 = Math.min(...xs);
  const y0 = Math.min(...ys);
  return { box: [x0, y0, Math.max(...xs) - x0, Math.max(...ys) - y0], score: 1, landmarks };
}

export const eyeCentres = (face: DetectedFace): [Point, Point] => {
  const mean = (from: number): Point => {
    const pts = face.landmarks.slice(from, from + 6);
    return [pts.reduce((s, p) => s + p[0], 0) / 6, pts.reduce((s, p) => s + p[1], 0) / 6];
  };
  return [mean(36), mean(42)];
};

export const mouthCentre = (face: DetectedFace): Point => {
  const [a, b] = [face.landmarks[48]!, face.landmarks[54]!];
  return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
};

/**
 * A dark photo with a red blob on the left eye, a green one on the right eye and a blue one on
 * the mouth centre (Gaussians of `sigma` pixels).
 */
export function blobPhoto(width: number, height: number, face: DetectedFace, sigma: number): ImageValue {
  const data = new Float32Array(width * height * 3);
  const plane = width * height;
  const [left, right] = eyeCentres(face);
  const centres = [left, right, mouthCentre(face)];
  for (const [c, [cx, cy]] of centres.entries()) {
    const r = Math.ceil(4 * sigma);
    for (let y = Math.max(0, Math.floor(cy - r)); y <= Math.min(height - 1, Math.ceil(cy + r)); y++)
      for (let x = Math.max(0, Math.floor(cx - r)); x <= Math.min(width - 1, Math.ceil(cx + r)); x++)
        data[c * plane + y * width + x] = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma * sigma));
  }
  return { kind: 'image', width, height, data };
}

/** The value-weighted centre of one channel. */
export function channelCentroid(image: ImageValue, channel: number): Point {
  const plane = image.width * image.height;
  let sx = 0;
  let sy = 0;
  let s = 0;
  for (let y = 0; y < image.height; y++)
    for (let x = 0; x < image.width; x++) {
      const v = image.data[channel * plane + y * image.width + x]!;
      sx += v * x;
      sy += v * y;
      s += v;
    }
  return [sx / s, sy / s];
}

/**
 * Where FFHQ's recipe puts the eye centres and the mouth centre of `face` in an N × N crop,
 * worked out in the face's own frame: turned so the eye line is level, the recipe's x axis is
 * the eye line plus the eye-to-mouth axis turned a quarter, the square's half side is
 * max(2 · eye distance, 1.8 · eye-to-mouth distance) and its centre is 0.1 of the way from
 * the eyes to the mouth, at the crop's centre pixel (N − 1) / 2.
 */
export function ffhqTemplate(face: DetectedFace, size: number): { leftEye: Point; rightEye: Point; mouth: Point } {
  const [le, re] = eyeCentres(face);
  const m = mouthCentre(face);
  const eyeAvg: Point = [(le[0] + re[0]) / 2, (le[1] + re[1]) / 2];
  const e2e: Point = [re[0] - le[0], re[1] - le[1]];
  const e2m: Point = [m[0] - eyeAvg[0], m[1] - eyeAvg[1]];
  const eyeDistance = Math.hypot(...e2e);
  const alpha = Math.atan2(e2e[1], e2e[0]);
  const turn = (p: Point, a: number): Point => [
    Math.cos(a) * p[0] - Math.sin(a) * p[1],
    Math.sin(a) * p[0] + Math.cos(a) * p[1],
  ];
  const mouthLevel = turn(e2m, -alpha);
  const beta = Math.atan2(-mouthLevel[0], eyeDistance + mouthLevel[1]);
  const half = Math.max(2 * eyeDistance, 1.8 * Math.hypot(...e2m));
  const k = size / (2 * half);
  const centre: Point = [eyeAvg[0] + 0.1 * e2m[0], eyeAvg[1] + 0.1 * e2m[1]];
  const place = (p: Point): Point => {
    const q = turn(turn([p[0] - centre[0], p[1] - centre[1]], -alpha), -beta);
    return [(size - 1) / 2 + k * q[0], (size - 1) / 2 + k * q[1]];
  };
  return { leftEye: place(le), rightEye: place(re), mouth: place(m) };
}
