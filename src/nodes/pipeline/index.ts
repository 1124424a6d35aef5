// The pipeline family: the CLIP-PAE edit as nodes, from loading models to comparing results.
// Order here is palette order; a new node is one more line here.
import type { NodeFamily } from '../../engine/graph/registry.js';
import { alphaSweep } from './alpha-sweep.js';
import { clipImage, clipText } from './clip.js';
import { compareNode } from './compare.js';
import { corpus } from './corpus.js';
import { decodeLatent } from './decode.js';
import { invertNode } from './invert.js';
import { loadModels } from './load-models.js';
import { optimizeNode } from './optimize.js';
import { paeNode } from './pae.js';
import { randomFace } from './random-face.js';
import { pipelineSockets } from './sockets.js';
import { subspace } from './subspace.js';

export const pipelineFamily: NodeFamily = {
  sockets: pipelineSockets,
  nodes: [
    loadModels,
    randomFace,
    invertNode,
    decodeLatent,
    clipText,
    clipImage,
    corpus,
    subspace,
    paeNode,
    optimizeNode,
    alphaSweep,
    compareNode,
  ],
};
