// The photo family: a person's photo through the edit — align a detected face the FFHQ way, paste
// the edited face back into the full photo — and latents to and from .npy files. Order here is
// palette order; a new node is one more line here.
import type { NodeFamily } from '../../engine/graph/registry.js';
import { alignFaceNode } from './align-face.js';
import { loadLatent, saveLatent } from './latent-files.js';
import { pasteBackNode } from './paste-back.js';
import { photoSockets } from './sockets.js';

export const photoFamily: NodeFamily = {
  sockets: photoSockets,
  nodes: [alignFaceNode, pasteBackNode, loadLatent, saveLatent],
};
