// The face family: Detect Faces, Identity, Expression. Its socket types are FACE_SOCKET_TYPES.
import type { NodeDefinition } from '../../engine/graph/definition.js';
import { detectFacesNode } from './detect-faces.js';
import { expressionNode } from './expression.js';
import { identityNode } from './identity.js';

export { FACE_SOCKET_TYPES } from './sockets.js';
export const faceNodes: readonly NodeDefinition[] = [detectFacesNode, identityNode, expressionNode];
