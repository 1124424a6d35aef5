// The detector's host-side post-processing: score threshold, greedy non-maximum suppression, and the
// way back from the padded 512 px square to the photo's pixels. Written out rather than taken from
// onnxruntime's NonMaxSuppression because that op runs on the CPU under WebGPU anyway and its tie
// and threshold rules differ from face-api's, which the boxes must reproduce.

/** IoU of boxes i and j in [ymin, xmin, ymax, xmax] rows; corners may come in either order. */
function iou(boxes: Float32Array, i: number, j: number): number {
  const a = boxes.subarray(i * 4, i * 4 + 4);
  const b = boxes.subarray(j * 4, j * 4 + 4);
  const ay0 = Math.min(a[0]!, a[2]!);
  const ax0 = Math.min(a[1]!, a[3]!);
  const ay1 = Math.max(a[0]!, a[2]!);
  const ax1 = Math.max(a[1]!, a[3]!);
  const by0 = Math.min(b[0]!, b[2]!);
  const bx0 = Math.min(b[1]!, b[3]!);
  const by1 = Math.max(b[0]!, b[2]!);
  const bx1 = Math.max(b[1]!, b[3]!);
  const areaA = (ay1 - ay0) * (ax1 - ax0);
  const areaB = (by1 - by0) * (bx1 - bx0);
  if (areaA <= 0 || areaB <= 0) return 0;
  const inter =
    Math.max(Math.min(ay1, by1) - Math.max(ay0, by0), 0) * Math.max(Math.min(ax1, bx1) - Math.max(ax0, bx0), 0);
  return inter / (areaA + areaB - inter);
}

/**
 * Indices of the kept boxes, best score first: candidates above `minScore` in descending score
 * (ties in anchor order), each kept unless it overlaps a kept one by more than `iouThreshold`.
 */
export function nonMaxSuppression(
  boxes: Float32Array,
  scores: Float32Array,
  maxOutput: number,
  iouThreshold: number,
  minScore: number,
): number[] {
  const candidates: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i]! > minScore) candidates.push(i);
  candidates.sort((a, b) => scores[b]! - scores[a]!);
  const kept: number[] = [];
  const limit = Math.min(maxOutput, scores.length);
  for (const c of candidates) {
    if (kept.length >= limit) break;
    if (kept.every((k) => iou(boxes, c, k) <= iouThreshold)) kept.push(c);
  }
  return kept;
}

/**
 * A detector box (relative to the padded input square) in the photo's pixels, [x, y, width, height].
 * The photo was padded after its short side to a square, so the relative box is first scaled by
 * input size / resized side (face-api rounds the resized side to whole pixels), then by the photo.
 */
export function boxToPixels(
  boxes: Float32Array,
  index: number,
  width: number,
  height: number,
  inputSize: number,
): [number, number, number, number] {
  const scale = inputSize / Math.max(width, height);
  const padX = inputSize / Math.round(width * scale);
  const padY = inputSize / Math.round(height * scale);
  const b = boxes.subarray(index * 4, index * 4 + 4);
  const top = Math.max(0, b[0]!) * padY;
  const bottom = Math.min(1, b[2]!) * padY;
  const left = Math.max(0, b[1]!) * padX;
  const right = Math.min(1, b[3]!) * padX;
  return [left * width, top * height, (right - left) * width, (bottom - top) * height];
}
