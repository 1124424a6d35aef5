// Public API of the ONNX toolkit: model I/O, builder, static shapes and constant folding,
// composition, and reverse-mode autodiff that emits standard ONNX.
export * from './model.js';
export { GraphBuilder, valueInfo, attribute, DEFAULT_OPSET, type AttrValue } from './builder.js';
export { foldConstants, inferShapes, loadState, type FoldOptions } from './fold.js';
export {
  compose,
  extendModel,
  initializersToInputs,
  describeIO,
  type ComposeOptions,
  type ExtendContext,
  type ExtendOptions,
} from './compose.js';
export { upgradeOpset } from './opset.js';
export { gradientModel, gradName, type GradientOptions } from './gradient.js';
export { RULES, NON_DIFFERENTIABLE, type VjpRule, type VjpArgs } from './rules.js';
export { GraphState } from './state.js';
export type { ValueType } from './graph.js';
