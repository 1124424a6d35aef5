// The StyleSpace family: edits that move a face's style vector s instead of optimizing its latent —
// StyleCLIP's global directions and StyleMC's learned directions. Order here is palette order.
import type { NodeFamily } from '../../engine/graph/registry.js';
import { applyDirection } from './apply-direction.js';
import { loadDirection, saveDirection } from './direction-files.js';
import { learnDirectionNode } from './learn-direction.js';
import { globalDirection } from './global-direction.js';
import { styleSpaceSockets } from './sockets.js';

export const styleSpaceFamily: NodeFamily = {
  sockets: styleSpaceSockets,
  nodes: [globalDirection, learnDirectionNode, applyDirection, loadDirection, saveDirection],
};
