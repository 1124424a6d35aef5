// Detect Faces: every face in a photo with its 68 landmarks, and the one chosen for what follows.
import { defineNode, type ImageRegion } from '../../engine/graph/definition.js';
import { detectFaces } from '../../engine/faces/detect.js';
import { drawFaces } from '../../engine/faces/draw.js';
import { FACE_CHOICES, pickFace } from '../../engine/faces/pick.js';
import { faceNetsFor } from '../../engine/faces/service.js';
import { BUNDLE_PARAM } from './sockets.js';
import type { FacesValue } from './values.js';

export const detectFacesNode = defineNode({
  type: 'faces/detect',
  title: 'Detect Faces',
  category: 'Faces',
  help:
    'Finds the faces in a photo (SSD-MobileNet-v1 with 68 landmarks each, face-api’s networks) and chooses one of them: ' +
    'the best scoring, the largest, or by its place in the list. The preview draws every box (the chosen one in green) and the landmarks; click a box there to choose that face.',
  inputs: { image: { type: 'Image', label: 'Photo' } },
  outputs: { faces: { type: 'Faces', label: 'Faces' }, face: { type: 'Face', label: 'Chosen face' } },
  params: {
    pick: {
      kind: 'select',
      options: FACE_CHOICES,
      default: 'largest',
      label: 'Choose',
      help: "'best': the highest detection score; 'largest': the largest box; 'index': the face at Index (0 is the best scoring).",
    },
    index: {
      kind: 'number',
      default: 0,
      min: 0,
      integer: true,
      label: 'Index',
      help: "Which face when Choose is 'index' (0 = best score).",
    },
    minScore: {
      kind: 'number',
      default: 0.5,
      min: 0.05,
      max: 0.99,
      step: 0.05,
      label: 'Min score',
      help: 'Faces the detector scores at or below this are ignored.',
    },
    bundle: BUNDLE_PARAM,
  },
  async run(ctx) {
    const photo = ctx.inputs.image;
    ctx.progress(0, 'loading the face networks');
    const nets = await faceNetsFor(ctx.services, ctx.params.bundle.trim(), ctx.signal);
    ctx.progress(0.3, 'detecting faces');
    const faces = await detectFaces(nets, photo, { minScore: ctx.params.minScore, signal: ctx.signal });
    if (faces.length === 0)
      throw new Error(
        `no face found in ${photo.name ? `${photo.name} (${photo.width}×${photo.height})` : `the ${photo.width}×${photo.height} image`}: ` +
          'choose a photo with a face, or lower Min score',
      );
    const index = pickFace(faces, ctx.params.pick, ctx.params.index);
    const all: FacesValue = { kind: 'faces', faces, width: photo.width, height: photo.height };
    // Each box is clickable in the editor: a click chooses that face by its index.
    const regions: ImageRegion[] = faces.map((f, i) => ({
      box: [f.box[0] / photo.width, f.box[1] / photo.height, f.box[2] / photo.width, f.box[3] / photo.height],
      label: `face ${i} (score ${f.score.toFixed(2)}): click to choose it`,
      params: { pick: 'index', index: i },
    }));
    ctx.show('faces', { kind: 'image', image: drawFaces(photo, faces, index), regions });
    ctx.show('face', {
      kind: 'value',
      text: `${faces.length} face${faces.length === 1 ? '' : 's'}; face ${index} (score ${faces[index]!.score.toFixed(2)})`,
    });
    return { faces: all, face: faces[index]! };
  },
});
