// The package entry: the node catalogue, the graph document, the engine (in-process and in a
// worker), PNG files that carry their graph, and the Rete plugin that puts it all in an editor.

// Node catalogue and the node contract
export { catalogue, nodeFamilies } from './nodes/registry.js';
export { basicFamily } from './nodes/basic/index.js';
export { pipelineFamily } from './nodes/pipeline/index.js';
export { NodeRegistry } from './engine/graph/registry.js';
export type { NodeFamily, SocketTypeDef } from './engine/graph/registry.js';
export { defineNode } from './engine/graph/definition.js';
export type {
  NodeDefinition,
  ParamDef,
  ParamKind,
  PortDef,
  ImageRegion,
  ImageValue,
  OutputFile,
  OutputSummary,
  EngineServices,
  RunContext,
  FingerprintContext,
  SocketValues,
  SocketValue,
} from './engine/graph/definition.js';
export { paramProblem, paramFromText, defaultParam } from './engine/graph/params.js';

// Graph documents
export { DOCUMENT_FORMAT, DOCUMENT_VERSION, emptyDocument, serializeDocument } from './engine/graph/document.js';
export type { GraphDocument, DocNode, DocConnection } from './engine/graph/document.js';
export {
  parseDocument,
  validateDocument,
  migrations,
  migrateDocument,
  topologicalOrder,
} from './engine/graph/validate.js';
export type { DocumentError, ValidationResult } from './engine/graph/validate.js';
export { readDocumentBytes } from './engine/graph/open.js';
export { encodePng, decodePng, isPng, GRAPH_PNG_KEY } from './engine/tensor/png.js';

// The engine
export { Engine } from './engine/run/engine.js';
export type { EngineOptions, RunOptions } from './engine/run/engine.js';
export { DocumentInvalidError } from './engine/run/events.js';
export type { EngineEvent, RunSummary, NodeOutcome } from './engine/run/events.js';
export { EngineClient, RunFailedError } from './engine/run/worker-client.js';
export { serveEngine } from './engine/run/worker-host.js';
export type { MessageEndpoint } from './engine/run/worker-protocol.js';
export { createBrowserServices } from './engine/run/services-browser.js';

// The Rete plugin
export * from './plugin/index.js';
