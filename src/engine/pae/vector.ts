// Small dense vector helpers. Sums run in float64: CLIP embeddings are float32, but subspace
// coefficients are differences of nearly equal dot products and lose digits otherwise.

export type Vector = Float32Array | Float64Array;

export function dot(a: ArrayLike<number>, b: ArrayLike<number>, bOffset = 0, n = a.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i]! * b[bOffset + i]!;
  return s;
}

export function norm(v: ArrayLike<number>): number {
  return Math.sqrt(dot(v, v));
}

/** A unit-length float64 copy; `what` names the vector in the error when it has no direction. */
export function unit(v: ArrayLike<number>, what: string): Float64Array {
  checkFinite(v, what);
  const n = norm(v);
  if (!(n > 0)) throw new Error(`${what} is the zero vector: it has no direction to normalize`);
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / n;
  return out;
}

export function checkFinite(v: ArrayLike<number>, what: string): void {
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i]!)) throw new Error(`${what} has a non-finite value (${v[i]}) at index ${i}`);
  }
}

/** Checks that every vector has the same length and returns it. */
export function commonDim(vectors: readonly ArrayLike<number>[], what: (i: number) => string): number {
  if (vectors.length === 0) throw new Error(`${what(-1)}: the list is empty`);
  const dim = vectors[0]!.length;
  if (dim === 0) throw new Error(`${what(0)} has no values`);
  vectors.forEach((v, i) => {
    if (v.length !== dim) throw new Error(`${what(i)} has ${v.length} values, but ${what(0)} has ${dim}`);
  });
  return dim;
}
