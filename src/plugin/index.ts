// The Rete plugin's public surface: what a host needs to add the catalogue to its own editor.
export { setupClipPae } from './setup.js';
export type { ClipPae, ClipPaeOptions, GraphChangeKind, GraphChangeListener } from './setup.js';
export { ClipPaeNode, idleRunView } from './node.js';
export type { NodeRunView, OutputView, DownloadView, RunState } from './node.js';
export { TypedSocket, socketFor } from './sockets.js';
export { connectionProblem } from './connections.js';
export { ParamChangeAction } from './history.js';
export { toDocument, loadDocument, createNode, freshNodeId } from './document-bridge.js';
export { PaletteElement } from './palette.js';
export type { ClipPaeSchemes, ClipPaeConnection, ClipPaeArea, NodeCatalogue } from './types.js';
export { createEngineWorker } from './engine-worker.js';
