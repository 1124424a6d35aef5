// The photo family: a person's photo through the edit — align a detected face the FFHQ way, paste
// the edited face back into the full photo — and latents to and from .npy files.
import type { NodeDefinition } from '../../engine/graph/definition.js';
import { alignFaceNode } from './align-face.js';
import { loadLatent, saveLatent } from './latent-files.js';
import { pasteBackNode } from './paste-back.js';

export const photoNodes: readonly NodeDefinition[] = [alignFaceNode, pasteBackNode, loadLatent, saveLatent];
