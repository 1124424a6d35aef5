// Identity: the 128-D descriptor of a face, and how alike two faces are when a second one is given.
import { defineNode } from '../../engine/graph/definition.js';
import { cosineSimilarity, descriptorDistance, identityCrop, identityEmbedding } from '../../engine/faces/detect.js';
import { socket } from './sockets.js';
import { type DescriptorValue, type FaceValue, faceInput } from './values.js';

function descriptorOf(face: FaceValue, signal: AbortSignal): Promise<Float32Array> {
  return identityEmbedding(face.nets, identityCrop(face.photo, face.face), signal);
}

export const identityNode = defineNode<Record<string, never>>({
  type: 'faces/identity',
  title: 'Identity',
  category: 'Faces',
  help:
    'The identity descriptor of a face (face-api’s recognition network, 128 numbers). With a second face connected it shows how alike ' +
    'the two are: cosine similarity, and the distance face-api reads as the same person below about 0.6.',
  inputs: {
    face: { type: socket('Face'), label: 'Face' },
    other: { type: socket('Face'), label: 'Compare with', optional: true },
  },
  outputs: { descriptor: { type: socket('Descriptor'), label: 'Descriptor' } },
  params: {},
  async run(ctx) {
    const face = faceInput(ctx.inputs.face, 'face');
    const descriptor = await descriptorOf(face, ctx.signal);
    if (ctx.inputs.other !== undefined) {
      const other = await descriptorOf(faceInput(ctx.inputs.other, 'other'), ctx.signal);
      const distance = descriptorDistance(descriptor, other);
      ctx.show('descriptor', {
        kind: 'value',
        text: `similarity ${cosineSimilarity(descriptor, other).toFixed(3)}, distance ${distance.toFixed(3)} (${distance < 0.6 ? 'same person' : 'different people'})`,
      });
    } else {
      ctx.show('descriptor', { kind: 'value', text: `${descriptor.length}-D descriptor of face ${face.index}` });
    }
    const value: DescriptorValue = { kind: 'descriptor', descriptor };
    return { descriptor: value };
  },
});
