/** One face found in an image; coordinates in the image's pixels, origin top-left. */
export interface DetectedFace {
  box: [x: number, y: number, width: number, height: number];
  score: number;
  /** 68 points in face-api's (iBUG 68) order. */
  landmarks: [number, number][];
}
