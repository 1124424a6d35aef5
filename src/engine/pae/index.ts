export { semanticBasis, type SemanticBasisOptions } from './semantic.js';
export { pcaBasis, type PcaBasisOptions } from './pca.js';
export { coefficients, project, combine, direction, type Subspace } from './subspace.js';
export {
  augment,
  paeTarget,
  TARGET_VARIANTS,
  MIN_TARGET_COEFFICIENT_SUM,
  type TargetVariant,
  type PaeTarget,
  type PaeTargetInput,
  type AugmentResult,
} from './target.js';
export { symmetricEigen, type Eigen } from './eigen.js';
