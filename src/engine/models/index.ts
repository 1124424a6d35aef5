export { loadBundle, type ModelBundle, type LoadBundleOptions, type GenerateResult, type ModelRole } from './bundle.js';
export {
  parseManifest,
  manifestSchema,
  bundleFiles,
  type Manifest,
  type AttributeInfo,
  type StyleSpaceInfo,
} from './manifest.js';
export { defaultCache, browserCache, memoryCache, type BundleCache } from './cache.js';
export {
  fetchBytes,
  manifestUrl,
  resolveFile,
  type BundleSource,
  type FileLike,
  type LoadBytes,
  type ProgressCallback,
} from './source.js';
export { PromptTokenizer, type TokenizedPrompt } from './tokenizer.js';
export { checkModel, declaredIo, type DeclaredValue, type ModelContract } from './io.js';
export { modelContracts } from './contracts.js';
export { resizeImage, centreSquare, imageToInput } from './preprocess.js';
export { mulberry32, gaussian } from '../random.js';
