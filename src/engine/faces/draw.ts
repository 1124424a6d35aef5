// Faces drawn over a copy of their photo: box outlines and landmark dots, for node previews.
import type { ImageValue } from '../graph/definition.js';
import type { DetectedFace } from './types.js';

type Rgb = readonly [number, number, number];

const CHOSEN: Rgb = [0.2, 0.9, 0.3];
const OTHER: Rgb = [1, 0.8, 0.1];
const POINT: Rgb = [1, 0.2, 0.2];

function fill(image: ImageValue, x0: number, y0: number, x1: number, y1: number, rgb: Rgb): void {
  const { width: w, height: h, data } = image;
  const xa = Math.max(0, Math.floor(x0));
  const ya = Math.max(0, Math.floor(y0));
  const xb = Math.min(w, Math.ceil(x1));
  const yb = Math.min(h, Math.ceil(y1));
  for (let c = 0; c < 3; c++)
    for (let y = ya; y < yb; y++) data.fill(rgb[c]!, (c * h + y) * w + xa, (c * h + y) * w + Math.max(xa, xb));
}

/** A copy of the photo with every face's box (the chosen one in green) and its 68 landmarks. */
export function drawFaces(photo: ImageValue, faces: readonly DetectedFace[], chosen?: number): ImageValue {
  const image: ImageValue = { ...photo, data: photo.data.slice() };
  const line = Math.max(1, Math.round(Math.min(photo.width, photo.height) / 300));
  faces.forEach((face, i) => {
    const [x, y, w, h] = face.box;
    const rgb = i === chosen ? CHOSEN : OTHER;
    fill(image, x, y, x + w, y + line, rgb);
    fill(image, x, y + h - line, x + w, y + h, rgb);
    fill(image, x, y, x + line, y + h, rgb);
    fill(image, x + w - line, y, x + w, y + h, rgb);
    const r = line;
    for (const [px, py] of face.landmarks) fill(image, px - r, py - r, px + r, py + r, POINT);
  });
  return image;
}
