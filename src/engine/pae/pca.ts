// The PCA basis: the top principal directions of a larger corpus. As in the method's reference
// code, each embedding dimension is standardized (zero mean, unit population variance) before the
// PCA, and the components are then used as plain directions: embeddings are projected onto them
// uncentred.
import { symmetricEigen } from './eigen.js';
import type { Subspace } from './subspace.js';
import { checkFinite, commonDim, dot, unit } from './vector.js';

export interface PcaBasisOptions {
  /**
   * L2-normalize each embedding before standardizing (default true, like every other embedding
   * here). The reference code feeds raw CLIP text embeddings; pass false to match it.
   */
  normalize?: boolean;
}

export function pcaBasis(
  embeddings: readonly ArrayLike<number>[],
  n: number,
  labels?: readonly string[],
  options: PcaBasisOptions = {},
): Subspace {
  const name = (i: number) =>
    i < 0 ? 'PCA basis: the corpus' : labels ? `embedding of "${labels[i]}"` : `embedding ${i}`;
  const dim = commonDim(embeddings, name);
  const m = embeddings.length;
  if (labels && labels.length !== m) throw new Error(`PCA basis: ${m} embeddings but ${labels.length} labels`);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`PCA basis: the number of components must be a whole number ≥ 1, got ${n}`);
  // Centring removes one degree of freedom: m prompts span at most m − 1 directions of variance.
  const maxComponents = Math.min(m - 1, dim);
  if (n > maxComponents) {
    throw new Error(
      `PCA basis: asked for ${n} components, but a corpus of ${m} prompts in ${dim} dimensions has at most ${maxComponents} directions of variance`,
    );
  }

  const x = new Float64Array(m * dim);
  embeddings.forEach((e, i) => {
    if (options.normalize === false) checkFinite(e, name(i));
    x.set(options.normalize === false ? Float64Array.from(e) : unit(e, name(i)), i * dim);
  });
  const z = standardize(x, m, dim);

  // Eigenvectors of whichever of ZZᵀ (m×m) and ZᵀZ (d×d) is smaller; they give the same components.
  const components: Float64Array[] = [];
  const variances: number[] = [];
  if (m <= dim) {
    const gram = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      for (let j = i; j < m; j++) {
        const g = dot(z.subarray(i * dim, (i + 1) * dim), z, j * dim, dim);
        gram[i * m + j] = g;
        gram[j * m + i] = g;
      }
    }
    const eig = symmetricEigen(gram, m);
    for (let k = 0; k < n; k++) {
      const comp = new Float64Array(dim);
      for (let i = 0; i < m; i++) {
        const u = eig.vectors[k * m + i]!;
        for (let j = 0; j < dim; j++) comp[j]! += u * z[i * dim + j]!;
      }
      components.push(comp);
      variances.push(eig.values[k]! / m);
    }
  } else {
    const cov = new Float64Array(dim * dim);
    for (let i = 0; i < m; i++) {
      for (let a = 0; a < dim; a++) {
        const za = z[i * dim + a]!;
        for (let b = 0; b < dim; b++) cov[a * dim + b]! += za * z[i * dim + b]!;
      }
    }
    const eig = symmetricEigen(cov, dim);
    for (let k = 0; k < n; k++) {
      components.push(eig.vectors.slice(k * dim, (k + 1) * dim));
      variances.push(eig.values[k]! / m);
    }
  }

  const notes: string[] = [];
  const basis = new Float32Array(n * dim);
  const total = variances.reduce((a, b) => a + Math.max(b, 0), 0);
  components.forEach((comp, k) => {
    const length = Math.sqrt(dot(comp, comp));
    if (!(variances[k]! > 1e-12 * Math.max(total, 1)) || !(length > 0)) {
      throw new Error(
        `PCA basis: component ${k + 1} carries no variance (the corpus is too small or too uniform for ${n} components)`,
      );
    }
    // A fixed sign (largest-magnitude entry positive) makes the basis independent of the solver;
    // it matters because PAE divides by the sum of the target's coefficients.
    let big = 0;
    for (let j = 0; j < dim; j++) if (Math.abs(comp[j]!) > Math.abs(comp[big]!)) big = j;
    const s = (comp[big]! < 0 ? -1 : 1) / length;
    for (let j = 0; j < dim; j++) basis[k * dim + j] = comp[j]! * s;
  });
  const labelsOut = components.map((_, k) =>
    componentLabel(k, basis.subarray(k * dim, (k + 1) * dim), embeddings, labels),
  );
  const explained = total / totalVariance(z, m);
  notes.push(`${n} components explain ${(explained * 100).toFixed(1)}% of the standardized corpus variance`);
  return { basis, n, dim, labels: labelsOut, method: 'pca', notes };
}

/** Standardizes each column of the m×dim matrix (zero mean, unit population variance; constant columns only centred). */
function standardize(x: Float64Array, m: number, dim: number): Float64Array {
  const z = new Float64Array(x.length);
  for (let j = 0; j < dim; j++) {
    let mean = 0;
    for (let i = 0; i < m; i++) mean += x[i * dim + j]!;
    mean /= m;
    let variance = 0;
    for (let i = 0; i < m; i++) variance += (x[i * dim + j]! - mean) ** 2;
    const std = Math.sqrt(variance / m);
    const scale = std > 0 ? std : 1;
    for (let i = 0; i < m; i++) z[i * dim + j] = (x[i * dim + j]! - mean) / scale;
  }
  return z;
}

/** Sum of the per-dimension variances of the centred m-row matrix z. */
function totalVariance(z: Float64Array, m: number): number {
  let s = 0;
  for (let i = 0; i < z.length; i++) s += z[i]! * z[i]!;
  return s / m;
}

/** "PC1 · a happy face": the corpus prompt that points furthest along the component. */
function componentLabel(
  k: number,
  comp: Float32Array,
  embeddings: readonly ArrayLike<number>[],
  labels?: readonly string[],
): string {
  if (!labels) return `PC${k + 1}`;
  let best = 0;
  let bestScore = -Infinity;
  embeddings.forEach((e, i) => {
    const score = dot(comp, e) / Math.sqrt(dot(e, e));
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  });
  return `PC${k + 1} · ${labels[best]}`;
}
