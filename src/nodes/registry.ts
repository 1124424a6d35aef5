// The plugin's catalogue: every node family this package provides, and the registry built from
// them. The registry itself (and its checks) is the engine's (src/engine/graph/registry.ts); a
// host can build its own from any families (tests do).
import { NodeRegistry, type NodeFamily } from '../engine/graph/registry.js';
import { basicFamily } from './basic/index.js';
import { faceFamily } from './faces/index.js';
import { photoFamily } from './photo/index.js';
import { pipelineFamily } from './pipeline/index.js';
import { styleSpaceFamily } from './stylespace/index.js';

/** The families that make up the plugin's catalogue. A new family is one more entry here. */
export const nodeFamilies: readonly NodeFamily[] = [
  basicFamily,
  pipelineFamily,
  faceFamily,
  photoFamily,
  styleSpaceFamily,
];

/** The plugin's catalogue: every node this package provides. */
export const catalogue = new NodeRegistry(nodeFamilies);
