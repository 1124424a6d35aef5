// The semantic basis: Gram–Schmidt over the corpus prompts in their order, so direction k is
// "what prompt k adds beyond the prompts before it" and keeps that prompt's name.
import type { Subspace } from './subspace.js';
import { commonDim, dot, unit } from './vector.js';

export interface SemanticBasisOptions {
  /**
   * A prompt whose normalized embedding keeps less than this norm after removing the earlier
   * directions adds no direction of its own and is dropped (with a note).
   */
  tolerance?: number;
}

export function semanticBasis(
  embeddings: readonly ArrayLike<number>[],
  labels: readonly string[],
  options: SemanticBasisOptions = {},
): Subspace {
  const tolerance = options.tolerance ?? 1e-4;
  if (labels.length !== embeddings.length) {
    throw new Error(
      `semantic basis: ${embeddings.length} embeddings but ${labels.length} labels; give one label per prompt`,
    );
  }
  const dim = commonDim(embeddings, (i) => (i < 0 ? 'semantic basis: the corpus' : `embedding of "${labels[i]}"`));
  const rows: Float64Array[] = [];
  const kept: string[] = [];
  const notes: string[] = [];
  embeddings.forEach((e, i) => {
    const v = unit(e, `embedding of "${labels[i]}"`);
    // Two passes of modified Gram–Schmidt: one pass leaves float-sized leaks into earlier directions.
    for (let pass = 0; pass < 2; pass++) {
      for (const b of rows) {
        const c = dot(v, b);
        for (let j = 0; j < dim; j++) v[j]! -= c * b[j]!;
      }
    }
    let residual = 0;
    for (let j = 0; j < dim; j++) residual += v[j]! * v[j]!;
    residual = Math.sqrt(residual);
    if (residual < tolerance) {
      notes.push(
        `dropped "${labels[i]}": it lies in the span of the prompts before it (only ${residual.toExponential(2)} of its normalized embedding is left, below ${tolerance})`,
      );
      return;
    }
    for (let j = 0; j < dim; j++) v[j]! /= residual;
    rows.push(v);
    kept.push(labels[i]!);
  });
  const basis = new Float32Array(rows.length * dim);
  for (const [k, r] of rows.entries()) basis.set(r, k * dim);
  return { basis, n: rows.length, dim, labels: kept, method: 'semantic', notes };
}
