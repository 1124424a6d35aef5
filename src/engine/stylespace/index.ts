// Public API of StyleSpace editing: the styles / synthesis-from-styles models of a bundle,
// StyleCLIP's global directions, and StyleMC's learned directions.
export { styleSpaceOf, styleSize, type StyleSpace, type Synthesis } from './space.js';
export {
  buildDirections,
  bundleDirections,
  directionsBytes,
  directionsFromState,
  resumeMismatch,
  styleDelta,
  applyDelta,
  DEFAULT_STEP,
  DEFAULT_SEED,
  type DirectionsState,
  type DirectionsOptions,
  type GlobalDirections,
  type StyleDelta,
} from './directions.js';
export { learnDirection, type LearnRun, type LearnedDirection } from './learn.js';
export { buildStyleModel, type StyleModelNames } from './style-model.js';
