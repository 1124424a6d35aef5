// Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations: slower than a
// tridiagonal QR but short, unconditionally stable and accurate to working precision, which is
// what a corpus of a few hundred prompts needs.

export interface Eigen {
  /** Eigenvalues, largest first. */
  values: Float64Array;
  /** n×n row-major; row k is the unit eigenvector of values[k]. */
  vectors: Float64Array;
}

/** `a` is n×n row-major and symmetric; it is not modified. */
export function symmetricEigen(a: Float64Array, n: number, maxSweeps = 100): Eigen {
  if (a.length !== n * n)
    throw new Error(`symmetricEigen: expected ${n * n} values for a ${n}×${n} matrix, got ${a.length}`);
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale += m[i]! * m[i]!;
  if (scale === 0) return sorted(new Float64Array(n), v, n);

  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q]! * m[p * n + q]!;
    if (off <= 1e-30 * scale) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (apq === 0) continue;
        const app = m[p * n + p]!;
        const aqq = m[q * n + q]!;
        // The rotation angle that zeroes a_pq, in the cancellation-free form.
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = m[k * n + p]!;
          const akq = m[k * n + q]!;
          m[k * n + p] = c * akp - s * akq;
          m[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p * n + k]!;
          const aqk = m[q * n + k]!;
          m[p * n + k] = c * apk - s * aqk;
          m[q * n + k] = s * apk + c * aqk;
        }
        // Eigenvectors are kept as rows of v.
        for (let k = 0; k < n; k++) {
          const vp = v[p * n + k]!;
          const vq = v[q * n + k]!;
          v[p * n + k] = c * vp - s * vq;
          v[q * n + k] = s * vp + c * vq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = m[i * n + i]!;
  return sorted(values, v, n);
}

function sorted(values: Float64Array, vectors: Float64Array, n: number): Eigen {
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => values[j]! - values[i]!);
  const outValues = new Float64Array(n);
  const outVectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    outValues[dst] = values[src]!;
    outVectors.set(vectors.subarray(src * n, (src + 1) * n), dst * n);
  });
  return { values: outValues, vectors: outVectors };
}
