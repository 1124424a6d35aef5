// Optimization targets built from an image embedding e_I, a text embedding e_T and a corpus
// subspace (formulas in docs/method.md):
//   pae            e_I − α Σ|c_k| b_k + (α Σ|c_k| / Σ d_k) · P_W(e_T)
//   pae-reference  e_I − α Σ|c_k| b_k + (α Σ|c_k| / Σ d_k) · e_T
//   naive          e_I + α e_T
//   text           e_T
// with c_k = e_I·b_k and d_k = e_T·b_k.
import { coefficients, combine, type Subspace } from './subspace.js';
import { norm, unit } from './vector.js';

export const TARGET_VARIANTS = ['pae', 'pae-reference', 'naive', 'text'] as const;
export type TargetVariant = (typeof TARGET_VARIANTS)[number];

/** |Σ d_k| below this makes PAE's rescaling meaningless (a division by almost nothing). */
export const MIN_TARGET_COEFFICIENT_SUM = 1e-6;

export interface AugmentResult {
  /** The target before normalization (float64, same direction as the final target). */
  vector: Float64Array;
  /** c_k: the image's coordinates along the subspace directions. */
  before: number[];
  /** d_k: the text's coordinates along the subspace directions. */
  targetCoefficients: number[];
}

/**
 * The target formula on the embeddings as given (no normalization), so its homogeneity can be
 * checked: degree 1 in e_I, degree 0 in e_T for both PAE forms.
 */
export function augment(
  image: ArrayLike<number>,
  text: ArrayLike<number>,
  subspace: Subspace,
  alpha: number,
  variant: TargetVariant,
): AugmentResult {
  if (!TARGET_VARIANTS.includes(variant))
    throw new Error(`unknown target variant "${variant}" (choose one of ${TARGET_VARIANTS.join(', ')})`);
  if (!Number.isFinite(alpha) || alpha < 0) throw new Error(`the strength α must be a finite number ≥ 0, got ${alpha}`);
  const c = coefficients(image, subspace, 'the image embedding');
  const d = coefficients(text, subspace, 'the text embedding');
  const dim = subspace.dim;
  const vector = new Float64Array(dim);
  switch (variant) {
    case 'text':
      for (let i = 0; i < dim; i++) vector[i] = text[i]!;
      break;
    case 'naive':
      for (let i = 0; i < dim; i++) vector[i] = image[i]! + alpha * text[i]!;
      break;
    case 'pae':
    case 'pae-reference': {
      const moved = alpha * c.reduce((s, ck) => s + Math.abs(ck), 0);
      const removed = combine(
        c.map((ck) => alpha * Math.abs(ck)),
        subspace,
      );
      for (let i = 0; i < dim; i++) vector[i] = image[i]! - removed[i]!;
      if (moved === 0) break;
      const sumD = d.reduce((s, dk) => s + dk, 0);
      const textNorm = norm(text);
      if (!(Math.abs(sumD) >= MIN_TARGET_COEFFICIENT_SUM * textNorm)) {
        throw new Error(
          `PAE: the target prompt's coefficients in this subspace sum to ${sumD.toExponential(2)}, so the added component cannot be rescaled ` +
            `to the mass taken from the image; choose a target prompt that lies in the corpus subspace or another basis`,
        );
      }
      const added = variant === 'pae' ? combine(d, subspace) : Float64Array.from(text);
      const scale = moved / sumD;
      for (let i = 0; i < dim; i++) vector[i]! += scale * added[i]!;
      break;
    }
  }
  return { vector, before: c, targetCoefficients: d };
}

export interface PaeTargetInput {
  image: ArrayLike<number>;
  text: ArrayLike<number>;
  subspace: Subspace;
  alpha: number;
  variant: TargetVariant;
}

export interface PaeTarget {
  /** Unit-length optimization target. */
  target: Float32Array;
  /** c_k of the normalized image embedding, one per subspace direction. */
  before: number[];
  /** d_k of the normalized text embedding. */
  targetCoefficients: number[];
}

/** The target for an edit; both embeddings are L2-normalized first so results are reproducible. */
export function paeTarget({ image, text, subspace, alpha, variant }: PaeTargetInput): PaeTarget {
  const eI = unit(image, 'the image embedding');
  const eT = unit(text, 'the text embedding');
  const { vector, before, targetCoefficients } = augment(eI, eT, subspace, alpha, variant);
  const length = norm(vector);
  if (!(length > 1e-12))
    throw new Error(
      `the ${variant} target is the zero vector for α = ${alpha}: the edit cancels the image embedding exactly`,
    );
  const target = new Float32Array(vector.length);
  for (let i = 0; i < vector.length; i++) target[i] = vector[i]! / length;
  return { target, before, targetCoefficients };
}
