// A corpus subspace: an orthonormal basis with one named direction per row, and the projections
// PAE reads and writes through it. Projections are uncentred (v·b_k), as in the method.
import { checkFinite, dot } from './vector.js';

export interface Subspace {
  /** N×dim, row-major: row k is the unit direction b_k. */
  basis: Float32Array;
  /** Number of directions N. */
  n: number;
  /** Embedding dimension d. */
  dim: number;
  /** One name per direction, for the coefficient bars. */
  labels: string[];
  method: 'semantic' | 'pca';
  /** What the construction had to do that the user should know (e.g. prompts dropped as dependent). */
  notes: string[];
}

/** A view of direction k (no copy). */
export function direction(subspace: Subspace, k: number): Float32Array {
  return subspace.basis.subarray(k * subspace.dim, (k + 1) * subspace.dim);
}

function checkVector(v: ArrayLike<number>, subspace: Subspace, what: string): void {
  if (v.length !== subspace.dim)
    throw new Error(`${what} has ${v.length} values, but the subspace lives in ${subspace.dim} dimensions`);
  checkFinite(v, what);
}

/** c_k = v·b_k for every direction. */
export function coefficients(v: ArrayLike<number>, subspace: Subspace, what = 'the vector'): number[] {
  checkVector(v, subspace, what);
  const out: number[] = [];
  for (let k = 0; k < subspace.n; k++) out.push(dot(v, subspace.basis, k * subspace.dim, subspace.dim));
  return out;
}

/** Σ_k a_k b_k, in float64. */
export function combine(a: readonly number[], subspace: Subspace): Float64Array {
  const out = new Float64Array(subspace.dim);
  for (let k = 0; k < subspace.n; k++) {
    const off = k * subspace.dim;
    for (let i = 0; i < subspace.dim; i++) out[i]! += a[k]! * subspace.basis[off + i]!;
  }
  return out;
}

/** P_W(v) = Σ_k (v·b_k) b_k. */
export function project(v: ArrayLike<number>, subspace: Subspace, what = 'the vector'): Float32Array {
  return Float32Array.from(combine(coefficients(v, subspace, what), subspace));
}
