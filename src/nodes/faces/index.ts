// The face family: find the faces of a photo, read a face's identity and expression. Order here is
// palette order; a new node is one more line here.
import type { NodeFamily } from '../../engine/graph/registry.js';
import { detectFacesNode } from './detect-faces.js';
import { expressionNode } from './expression.js';
import { identityNode } from './identity.js';
import { faceSockets } from './sockets.js';

export const faceFamily: NodeFamily = {
  sockets: faceSockets,
  nodes: [detectFacesNode, identityNode, expressionNode],
};
