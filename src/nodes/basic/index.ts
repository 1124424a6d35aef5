// The basic family: images in and out, and constant values. Order here is palette order; a new
// node is one more line here.
import type { NodeFamily } from '../../engine/graph/registry.js';
import { loadImage } from './load-image.js';
import { previewImage } from './preview.js';
import { resizeImage } from './resize.js';
import { saveImage } from './save-image.js';
import { basicSockets } from './sockets.js';
import { numberValue, textValue } from './values.js';

export const basicFamily: NodeFamily = {
  sockets: basicSockets,
  nodes: [loadImage, resizeImage, previewImage, saveImage, textValue, numberValue],
};
