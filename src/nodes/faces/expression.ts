// Expression: the seven expression probabilities of a face, drawn as bars.
import { defineNode } from '../../engine/graph/definition.js';
import { EXPRESSION_NAMES, expression } from '../../engine/faces/detect.js';
import { faceNetsFor } from '../../engine/faces/service.js';
import { BUNDLE_PARAM } from './sockets.js';

export const expressionNode = defineNode({
  type: 'faces/expression',
  title: 'Expression',
  category: 'Faces',
  help:
    'How likely each of seven expressions is on a face of a photo (face-api’s expression network): neutral, happy, sad, angry, fearful, ' +
    'disgusted, surprised. Shown as bars; the probabilities sum to 1.',
  inputs: { image: { type: 'Image', label: 'Photo' }, face: { type: 'Face', label: 'Face' } },
  outputs: {},
  params: { bundle: BUNDLE_PARAM },
  sink: true,
  async run(ctx) {
    const { image: photo, face } = ctx.inputs;
    const nets = await faceNetsFor(ctx.services, ctx.params.bundle.trim(), ctx.signal);
    const p = await expression(nets, photo, face, ctx.signal);
    ctx.show('expression', { kind: 'bars', labels: [...EXPRESSION_NAMES], before: EXPRESSION_NAMES.map((n) => p[n]) });
    return {};
  },
});
