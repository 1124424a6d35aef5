import { mulberry32 } from '../../src/engine/random.js';

/** A deterministic pseudo-random vector for property tests (uniform in [-0.5, 0.5)). */
export function randomVector(seed: number, n: number): Float32Array {
  const uniform = mulberry32(seed);
  return Float32Array.from({ length: n }, () => uniform() - 0.5);
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-6): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    if (!(Math.abs(actual[i]! - expected[i]!) <= tolerance)) {
      throw new Error(
        `index ${i}: ${actual[i]} ≠ ${expected[i]} (±${tolerance}); actual [${Array.from(actual).join(', ')}]`,
      );
    }
  }
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
