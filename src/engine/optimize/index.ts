// Public API of the optimizer: edits (Optimize), inversion (Invert), the compiled objectives they
// share, and the Adam and learning-rate pieces.
export { optimizeLatent, EDIT_HOSTS, type EditHost, type EditRun, type EditResult } from './optimize.js';
export { invertImage, referenceImage, type InvertRun, type InvertResult } from './invert.js';
export { editObjective, type EditObjective, type EditEvaluation, type EvaluateOptions } from './objective.js';
export { buildEditModel, type EditModel, type EditModelNames, type EditModelSource } from './edit-model.js';
export { buildInvertModel, type InvertModelNames } from './invert-model.js';
export { releaseCompiled as releaseObjectives } from './compiled.js';
export { runLoop, abortError, type LoopOptions, type LoopResult, type Evaluation } from './loop.js';
export { resizePlan, type ResizePlan } from './prep.js';
export { Adam, type AdamOptions } from './adam.js';
export { styleClipLr, learningRateAt, type ScheduleOptions } from './schedule.js';
