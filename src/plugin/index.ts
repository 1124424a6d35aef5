// The Rete plugin's public surface: setupClipPae for the whole plugin in one call, and each
// extension on its own for a host that wants only some of them (every one returns its cleanup).
export { setupClipPae } from './setup.js';
export type { ClipPae, ClipPaeOptions, GraphChangeKind, GraphChangeListener } from './setup.js';
export { ClipPaeNode, idleRunView, clipPaeNode, clipPaeNodes } from './node.js';
export type { NodeRunView, OutputView, DownloadView, RunState } from './node.js';
export { TypedSocket, socketFor } from './sockets.js';
export { SOCKET_COLORS, CATEGORY_COLORS, socketColor, categoryColor } from './theme.js';

// The extensions, in the order setupClipPae composes them
export { rendering, addRenderPresets } from './render.js';
export type { ClipPaeLitPlugin } from './render.js';
export { documentBridge, toDocument, loadDocument, createNode, freshNodeId } from './document-bridge.js';
export type { DocumentBridge } from './document-bridge.js';
export { runView } from './run-view.js';
export type { RunView } from './run-view.js';
export { connectionRules, connectionProblem, guardConnections } from './connections.js';
export { selection } from './selection.js';
export { undoHistory, ParamChangeAction } from './history.js';
export type { UndoHistory } from './history.js';
export { paletteDock, PaletteElement } from './palette.js';
export { contextMenu } from './context-menu.js';
export { paramEdits } from './param-edits.js';
export type { ParamEdits } from './param-edits.js';
export { removablePipes, runCleanups } from './pipes.js';
export type { Cleanup } from './pipes.js';

export type { ClipPaeSchemes, ClipPaeConnection, ClipPaeArea, NodeCatalogue, SocketTypeInfo } from './types.js';
export { createEngineWorker } from './engine-worker.js';
export { EDITOR_SHORTCUTS } from './shortcuts.js';
export type { Shortcut } from './shortcuts.js';
export { IMAGE_OPEN_EVENT } from './components/image-view.js';
export type { ImageOpenDetail } from './components/image-view.js';
