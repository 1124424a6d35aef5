// Expression: the seven expression probabilities of a face, drawn as bars.
import { defineNode } from '../../engine/graph/definition.js';
import { EXPRESSION_NAMES, expression } from '../../engine/faces/detect.js';
import { socket } from './sockets.js';
import { faceInput } from './values.js';

export const expressionNode = defineNode<Record<string, never>>({
  type: 'faces/expression',
  title: 'Expression',
  category: 'Faces',
  help:
    'How likely each of seven expressions is on a face (face-api’s expression network): neutral, happy, sad, angry, fearful, disgusted, surprised. ' +
    'Shown as bars; the probabilities sum to 1.',
  inputs: { face: { type: socket('Face'), label: 'Face' } },
  outputs: {},
  params: {},
  sink: true,
  async run(ctx) {
    const face = faceInput(ctx.inputs.face, 'face');
    const p = await expression(face.nets, face.photo, face.face, ctx.signal);
    ctx.show('expression', { kind: 'bars', labels: [...EXPRESSION_NAMES], before: EXPRESSION_NAMES.map((n) => p[n]) });
    return {};
  },
});
