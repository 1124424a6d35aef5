// Paste Back: the edited face into the whole photo, only where the face is, at full resolution.
import { pasteBack } from '../../engine/faces/paste.js';
import { defineNode } from '../../engine/graph/definition.js';

export const pasteBackNode = defineNode({
  type: 'face/paste',
  title: 'Paste Back',
  category: 'Faces',
  help:
    'Puts the edited face back into the photo it was aligned from, at the photo’s full resolution: the edited image ' +
    '(any size, e.g. the generator’s output) is warped back through the transform and blended in through a feathered mask ' +
    'around the jaw line and the brows. The rest of the photo keeps its own pixels.',
  inputs: {
    photo: { type: 'Image', label: 'Photo' },
    edited: { type: 'Image', label: 'Edited face' },
    transform: { type: 'FaceTransform', label: 'Transform' },
    face: { type: 'Face', label: 'Face' },
  },
  outputs: { image: { type: 'Image', label: 'Photo' } },
  params: {},
  async run(ctx) {
    const { photo, edited, transform, face } = ctx.inputs;
    const image = pasteBack(photo, edited, transform, face);
    ctx.show('image', { kind: 'image', image });
    return { image };
  },
});
