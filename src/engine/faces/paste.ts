// Paste back: the edited aligned face into its photo at the photo's full resolution. Only the
// face itself is replaced (the hull of the jaw line and the brows, widened a little and feathered),
// so the hair, the background and the other faces keep the photo's own pixels, unchanged to the
// bit. Each photo pixel under the mask averages the edited face over its footprint, so a 1024 px
// generator output pasted into a small face does not alias.
import type { ImageValue } from '../graph/definition.js';
import type { FaceTransform, Point } from './align.js';
import { type Affine, applyAffine, createAreaSampler, invertAffine } from './resample.js';
import type { DetectedFace } from './types.js';

export interface PasteOptions {
  /** How far the mask reaches past the jaw-and-brows hull, as a fraction of the face's size (√ hull area). */
  grow?: number;
  /** Width of the mask's soft edge, as a fraction of the face's size. */
  feather?: number;
}

/** The convex hull of the points, counter-clockwise in image coordinates (y down) as seen on screen. */
export function convexHull(points: readonly Point[]): Point[] {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (sorted.length < 3) return sorted;
  const cross = (o: Point, a: Point, b: Point) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Point[] = [];
  for (const p of sorted) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = sorted.length - 1; i >= 0; i--) {
    const p = sorted[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop();
    upper.push(p);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

/** Distance from p to the convex polygon's boundary, negative inside. */
function signedDistance(hull: readonly Point[], p: Point): number {
  let inside = true;
  let nearest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i]!;
    const b = hull[(i + 1) % hull.length]!;
    const ex = b[0] - a[0];
    const ey = b[1] - a[1];
    const px = p[0] - a[0];
    const py = p[1] - a[1];
    if (ex * py - ey * px < 0) inside = false;
    const t = Math.max(0, Math.min(1, (px * ex + py * ey) / (ex * ex + ey * ey || 1)));
    nearest = Math.min(nearest, Math.hypot(px - t * ex, py - t * ey));
  }
  return inside ? -nearest : nearest;
}

function polygonArea(hull: readonly Point[]): number {
  let twice = 0;
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i]!;
    const b = hull[(i + 1) % hull.length]!;
    twice += a[0] * b[1] - b[0] * a[1];
  }
  return Math.abs(twice) / 2;
}

/** What paste-back blends with: the mask's weight per photo pixel inside a bounding window. */
export interface FaceMask {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Weights in [0, 1], row-major over the window; 0 keeps the photo's pixel as it is. */
  alpha: Float32Array;
}

/**
 * The feathered face mask in photo pixels: 1 inside the hull of the jaw line and the brows
 * (landmarks 0–26) grown by `grow`, falling smoothly to 0 over `feather`, and 0 wherever the
 * aligned square does not reach.
 */
export function faceMask(
  face: DetectedFace,
  transform: FaceTransform,
  photoWidth: number,
  photoHeight: number,
  options: PasteOptions = {},
): FaceMask {
  if (face.landmarks.length !== 68)
    throw new Error(
      `the face has ${face.landmarks.length} landmarks; the paste-back mask needs the 68 of the iBUG 68 layout`,
    );
  const hull = convexHull(face.landmarks.slice(0, 27) as Point[]);
  const scale = Math.sqrt(polygonArea(hull));
  if (!(scale > 0)) throw new Error('the face has no area: its jaw and brow landmarks are on one line');
  const grow = (options.grow ?? 0.06) * scale;
  const feather = Math.max(1, (options.feather ?? 0.08) * scale);
  const reach = grow + feather;
  const xs = hull.map((p) => p[0]);
  const ys = hull.map((p) => p[1]);
  const x0 = Math.max(0, Math.floor(Math.min(...xs) - reach));
  const y0 = Math.max(0, Math.floor(Math.min(...ys) - reach));
  const x1 = Math.min(photoWidth - 1, Math.ceil(Math.max(...xs) + reach));
  const y1 = Math.min(photoHeight - 1, Math.ceil(Math.max(...ys) + reach));
  const width = Math.max(0, x1 - x0 + 1);
  const height = Math.max(0, y1 - y0 + 1);
  const alpha = new Float32Array(width * height);
  const toAligned = invertAffine(transform.toPhoto);
  const n = transform.size;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p: Point = [x0 + x, y0 + y];
      const d = signedDistance(hull, p);
      if (d >= reach) continue;
      const t = Math.min(1, (reach - d) / feather);
      let a = t * t * (3 - 2 * t); // smoothstep: no visible seam where the ramp starts or ends
      // The edited face only covers the aligned square: fade out over its last pixel.
      const [u, v] = applyAffine(toAligned, p);
      const inside = Math.min(u + 0.5, v + 0.5, n - 0.5 - u, n - 0.5 - v);
      if (inside <= 0) continue;
      if (inside < 1) a *= inside;
      alpha[y * width + x] = a;
    }
  }
  return { x: x0, y: y0, width, height, alpha };
}

/**
 * The photo with the edited face put back where `transform` took it from. `edited` may have any
 * size (an aligned N × N crop, the generator's 1024 px output): it is stretched over the aligned
 * square. Pixels outside the mask are the photo's own values.
 */
export function pasteBack(
  photo: ImageValue,
  edited: ImageValue,
  transform: FaceTransform,
  face: DetectedFace,
  options: PasteOptions = {},
): ImageValue {
  if (photo.width !== transform.photoWidth || photo.height !== transform.photoHeight)
    throw new Error(
      `the transform was made for a ${transform.photoWidth}×${transform.photoHeight} photo, this photo is ${photo.width}×${photo.height}; connect the photo the face was aligned from`,
    );
  const mask = faceMask(face, transform, photo.width, photo.height, options);
  const out: ImageValue = { kind: 'image', width: photo.width, height: photo.height, data: photo.data.slice() };
  // Photo pixel → edited pixel: photo → aligned pixel, then aligned (centre u + ½ of N) → edited (of W).
  const [a, b, c, d, e, f] = invertAffine(transform.toPhoto);
  const sx = edited.width / transform.size;
  const sy = edited.height / transform.size;
  const toEdited: Affine = [a * sx, b * sx, (c + 0.5) * sx - 0.5, d * sy, e * sy, (f + 0.5) * sy - 0.5];
  const du: [number, number] = [toEdited[0], toEdited[3]];
  const dv: [number, number] = [toEdited[1], toEdited[4]];
  const sampler = createAreaSampler(edited);
  const rgb = new Float32Array(3);
  const plane = photo.width * photo.height;
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      const w = mask.alpha[y * mask.width + x]!;
      if (w === 0) continue;
      const px = mask.x + x;
      const py = mask.y + y;
      const [ex, ey] = applyAffine(toEdited, [px, py]);
      sampler.area(ex, ey, du, dv, rgb);
      const i = py * photo.width + px;
      for (let ch = 0; ch < 3; ch++) {
        const o = ch * plane + i;
        out.data[o] = photo.data[o]! * (1 - w) + rgb[ch]! * w;
      }
    }
  }
  return out;
}
