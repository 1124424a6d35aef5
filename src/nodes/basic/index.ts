// The basic family: images in and out, and constant values. Order here is palette order.
import type { NodeDefinition } from '../../engine/graph/definition.js';
import { loadImage } from './load-image.js';
import { previewImage } from './preview.js';
import { resizeImage } from './resize.js';
import { saveImage } from './save-image.js';
import { numberValue, textValue } from './values.js';

export const basicNodes: readonly NodeDefinition[] = [
  loadImage,
  resizeImage,
  previewImage,
  saveImage,
  textValue,
  numberValue,
];
