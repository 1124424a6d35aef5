// Identity: the 128-D descriptor of a face, and how alike two faces are when a second one is given.
import { defineNode } from '../../engine/graph/definition.js';
import type { EngineServices } from '../../engine/graph/definition.js';
import { cosineSimilarity, descriptorDistance, identityCrop, identityEmbedding } from '../../engine/faces/detect.js';
import { faceNetsFor } from '../../engine/faces/service.js';
import type { DetectedFace } from '../../engine/faces/types.js';
import type { ImageValue } from '../../engine/graph/definition.js';
import { BUNDLE_PARAM } from './sockets.js';
import type { DescriptorValue } from './values.js';

/** The descriptor of `face` in `image`, or of the whole image (an aligned face) when no face is given. */
async function descriptorOf(
  image: ImageValue,
  face: DetectedFace | undefined,
  services: EngineServices,
  bundle: string,
  signal: AbortSignal,
): Promise<Float32Array> {
  const nets = await faceNetsFor(services, bundle, signal);
  return identityEmbedding(nets, face ? identityCrop(image, face) : image, signal);
}

export const identityNode = defineNode({
  type: 'faces/identity',
  title: 'Identity',
  category: 'Faces',
  help:
    'The identity descriptor of a face (face-api’s recognition network, 128 numbers): of the face in the photo when a face is connected, ' +
    'else of the whole image (an aligned face). With a second image it shows how alike the two are: cosine similarity, and the distance ' +
    'face-api reads as the same person below about 0.6.',
  inputs: {
    image: { type: 'Image', label: 'Photo or face' },
    face: { type: 'Face', label: 'Face', optional: true },
    other: { type: 'Image', label: 'Compare with', optional: true },
    otherFace: { type: 'Face', label: 'Its face', optional: true },
  },
  outputs: { descriptor: { type: 'Descriptor', label: 'Descriptor' } },
  params: { bundle: BUNDLE_PARAM },
  async run(ctx) {
    const bundle = ctx.params.bundle.trim();
    const { image, face, other: otherImage, otherFace } = ctx.inputs;
    const descriptor = await descriptorOf(image, face, ctx.services, bundle, ctx.signal);
    if (otherImage !== undefined) {
      const other = await descriptorOf(otherImage, otherFace, ctx.services, bundle, ctx.signal);
      const distance = descriptorDistance(descriptor, other);
      ctx.show('descriptor', {
        kind: 'value',
        text: `similarity ${cosineSimilarity(descriptor, other).toFixed(3)}, distance ${distance.toFixed(3)} (${distance < 0.6 ? 'same person' : 'different people'})`,
      });
    } else if (otherFace !== undefined) {
      throw new Error("input 'otherFace' needs its photo on 'other'");
    } else {
      ctx.show('descriptor', { kind: 'value', text: `${descriptor.length}-D identity descriptor` });
    }
    const value: DescriptorValue = { kind: 'descriptor', descriptor };
    return { descriptor: value };
  },
});
