// The photo family in graphs: a real photo is aligned around a face, inverted and decoded on a
// tiny bundle and pasted back; latents go out as .npy files and come back in; wrong inputs fail
// with messages that say what to connect.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { alignFace, type FaceTransform } from '../../src/engine/faces/align.js';
import { faceMask } from '../../src/engine/faces/paste.js';
import { faceProblem, faceTransformProblem } from '../../src/engine/faces/values.js';
import { defineNode, type ImageValue } from '../../src/engine/graph/definition.js';
import { NodeRegistry } from '../../src/engine/graph/registry.js';
import { Engine } from '../../src/engine/run/engine.js';
import { createNodeServices } from '../../src/engine/run/services-node.js';
import { createImage, imageToRgb } from '../../src/engine/tensor/image.js';
import { decodeNpy, encodeNpy } from '../../src/engine/tensor/npy.js';
import { npyFileName } from '../../src/nodes/photo/latent-files.js';
import type { LatentValue } from '../../src/nodes/pipeline/values.js';
import { catalogue } from '../../src/nodes/registry.js';
import { LAYERS, WIDTH, writeTinyBundle } from '../models/tiny-bundle.js';
import { syntheticFace } from '../engine/faces-synthetic.js';
import { captured, captureType, graph, runDoc, testFamilies } from './pipeline-helpers.js';

const require = createRequire(fileURLToPath(import.meta.url));
const photoPath = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', 'sample1.jpg');

// A face on the photo where face-api finds its best one (eyes 74 px apart around (476, 458), the mouth 83 px below),
// written out by hand: the node tests need landmarks, not a detector.
const FACE = syntheticFace([476, 458], 74, 1, { mouthY: 1.12 });

const faceSource = defineNode({
  type: 'test/face',
  title: 'Test Face',
  category: 'Test',
  help: 'A fixed synthetic face for the tests.',
  inputs: {},
  outputs: { face: { type: 'Face' } },
  params: {},
  async run() {
    return { face: FACE };
  },
});
const captureTransform = defineNode({
  type: 'test/capture-transform',
  title: 'Capture Transform',
  category: 'Test',
  help: 'Keeps the transform it receives for the test to read.',
  inputs: { value: { type: 'FaceTransform' } },
  outputs: {},
  params: {},
  sink: true,
  dependsOnDocument: true,
  async run(ctx) {
    captured[ctx.nodeId] = ctx.inputs.value;
    return {};
  },
});
const registry = new NodeRegistry([...testFamilies, { sockets: [], nodes: [faceSource, captureTransform] }]);

let manifest: string;
let work: string;
let engine: Engine;

beforeAll(async () => {
  manifest = join(await writeTinyBundle(), 'manifest.json');
  work = mkdtempSync(join(tmpdir(), 'rcp-photo-'));
  engine = new Engine({ registry, services: createNodeServices({ baseDir: work }) });
});

describe('the photo family in the catalogue', () => {
  it('lists Align Face, Paste Back, Load Latent and Save Latent, with their socket types', () => {
    for (const type of ['face/align', 'face/paste', 'latent/load', 'latent/save'])
      expect(catalogue.get(type)?.help.length).toBeGreaterThan(40);
    expect(catalogue.socketType('Face')?.help).toContain('68 landmarks');
    expect(catalogue.socketType('FaceTransform')?.help).toContain('aligned');
    expect(catalogue.get('face/align')!.outputs.transform!.type).toBe('FaceTransform');
  });
});

describe('a photo through align, invert, decode and paste back', () => {
  it('edits only the face of the full-resolution photo and saves the latent as .npy', async () => {
    const doc = graph(
      [
        ['photo', 'image/load', { source: photoPath }],
        ['face', 'test/face'],
        ['models', 'models/load', { bundle: manifest }],
        ['align', 'face/align', { size: 0 }],
        ['invert', 'latent/invert', { refineSteps: 0 }],
        ['decode', 'latent/decode'],
        ['paste', 'face/paste'],
        ['save', 'latent/save', { filename: 'photo-latent' }],
        ['cAligned', captureType('Image')],
        ['cPasted', captureType('Image')],
        ['cDecoded', captureType('Image')],
        ['cPhoto', captureType('Image')],
        ['cTransform', 'test/capture-transform'],
      ],
      [
        'photo.image > align.image',
        'face.face > align.face',
        'models.models > align.models',
        'models.models > invert.models',
        'align.image > invert.image',
        'models.models > decode.models',
        'invert.latent > decode.latent',
        'photo.image > paste.photo',
        'decode.image > paste.edited',
        'align.transform > paste.transform',
        'face.face > paste.face',
        'invert.latent > save.latent',
        'align.image > cAligned.value',
        'paste.image > cPasted.value',
        'decode.image > cDecoded.value',
        'photo.image > cPhoto.value',
        'align.transform > cTransform.value',
      ],
    );
    const { summary, errors } = await runDoc(engine, doc);
    expect(errors).toEqual([]);
    expect(summary.status).toBe('ok');
    const photo = captured.cPhoto as ImageValue;
    const aligned = captured.cAligned as ImageValue;
    const pasted = captured.cPasted as ImageValue;
    const transform = captured.cTransform as FaceTransform;
    // Size 0: the tiny bundle's encoder input (8 px).
    expect([aligned.width, aligned.height]).toEqual([8, 8]);
    expect(transform.size).toBe(8);
    expect([pasted.width, pasted.height]).toEqual([1920, 1280]);
    // Outside the face mask the photo's bytes are untouched; inside, the decoded face shows.
    const mask = faceMask(FACE, transform, photo.width, photo.height);
    const before = imageToRgb(photo);
    const after = imageToRgb(pasted);
    let changedOutside = 0;
    let changedInside = 0;
    for (let y = 0; y < photo.height; y++)
      for (let x = 0; x < photo.width; x++) {
        const mx = x - mask.x;
        const my = y - mask.y;
        const w = mx >= 0 && my >= 0 && mx < mask.width && my < mask.height ? mask.alpha[my * mask.width + mx]! : 0;
        const i = (y * photo.width + x) * 3;
        const differs = after[i] !== before[i] || after[i + 1] !== before[i + 1] || after[i + 2] !== before[i + 2];
        if (w === 0 && differs) changedOutside++;
        if (w === 1 && differs) changedInside++;
      }
    expect(changedOutside).toBe(0);
    expect(changedInside).toBeGreaterThan(1000);
    // The latent went out as a NumPy file of the bundle's W+ shape.
    expect(summary.files.map((f) => f.file.name)).toEqual(['photo-latent.npy']);
    const npy = decodeNpy(summary.files[0]!.file.bytes);
    expect(npy.shape).toEqual([1, LAYERS, WIDTH]);
  });
});

describe('latents through .npy files', () => {
  it('loads back what Save Latent wrote, and a single W as every layer', async () => {
    const saved = graph(
      [
        ['models', 'models/load', { bundle: manifest }],
        ['face', 'latent/random', { seed: 5, truncation: 0.7 }],
        ['save', 'latent/save', { filename: 'w.npy' }],
        ['cLatent', captureType('Latent')],
      ],
      ['models.models > face.models', 'face.latent > save.latent', 'face.latent > cLatent.value'],
    );
    const first = await runDoc(engine, saved);
    expect(first.summary.status).toBe('ok');
    const original = captured.cLatent as LatentValue;
    writeFileSync(join(work, 'w.npy'), first.summary.files[0]!.file.bytes);
    const single = Float32Array.from({ length: WIDTH }, (_, i) => i - 1.5);
    writeFileSync(join(work, 'single.npy'), encodeNpy(single, [1, WIDTH]));

    const load = (source: string) =>
      graph(
        [
          ['models', 'models/load', { bundle: manifest }],
          ['load', 'latent/load', { source }],
          ['cLatent', captureType('Latent')],
        ],
        ['models.models > load.models', 'load.latent > cLatent.value'],
      );
    expect((await runDoc(engine, load('w.npy'))).summary.status).toBe('ok');
    const back = captured.cLatent as LatentValue;
    expect(back.data).toEqual(original.data);
    expect(back.bundleId).toBe(original.bundleId);
    expect(back.shape).toEqual([1, LAYERS, WIDTH]);

    expect((await runDoc(engine, load('single.npy'))).summary.status).toBe('ok');
    const repeated = (captured.cLatent as LatentValue).data;
    for (let l = 0; l < LAYERS; l++) expect(repeated.subarray(l * WIDTH, (l + 1) * WIDTH)).toEqual(single);

    writeFileSync(join(work, 'wrong.npy'), encodeNpy(new Float32Array(18 * 512), [1, 18, 512]));
    const wrong = await runDoc(engine, load('wrong.npy'));
    expect(wrong.errors[0]).toMatchObject({
      node: 'load',
      message: expect.stringContaining(
        `'wrong.npy' holds a (1, 18, 512) array; this bundle's latents are (1, ${LAYERS}, ${WIDTH}) (W+)`,
      ),
    });
    const none = await runDoc(engine, load(''));
    expect(none.errors[0]).toMatchObject({ message: expect.stringContaining('no latent file chosen') });
  });

  it('names saved files safely', () => {
    expect(npyFileName('../../etc/w')).toBe('w.npy');
    expect(npyFileName('edit.NPY')).toBe('edit.NPY');
    expect(npyFileName('  ')).toBe('latent.npy');
    expect(npyFileName('a\u0001b')).toBe('a_b.npy');
  });
});

describe('wrong inputs', () => {
  it('says to connect Models or set a size, and what a face input is missing', async () => {
    const doc = graph(
      [
        ['photo', 'image/load', { source: photoPath }],
        ['face', 'test/face'],
        ['align', 'face/align', { size: 0 }],
        ['cAligned', captureType('Image')],
      ],
      ['photo.image > align.image', 'face.face > align.face', 'align.image > cAligned.value'],
    );
    const run = await runDoc(engine, doc);
    expect(run.errors[0]).toMatchObject({
      node: 'align',
      message: expect.stringContaining("size 0 means the bundle encoder's input size: connect Models, or set a size"),
    });
  });
});

describe('face value checks', () => {
  it('names what a face or a transform value lacks', () => {
    expect(faceProblem(FACE)).toBeUndefined();
    expect(faceProblem({ ...FACE, landmarks: FACE.landmarks.slice(0, 5) })).toBe(
      'the face has 5 landmarks, 68 (iBUG 68 layout) are needed',
    );
    expect(faceProblem({ ...FACE, box: [1, 2] })).toBe('expected a face with a box [x, y, width, height]');
    expect(faceProblem(null)).toBe('expected a face, got null');
    const bad = FACE.landmarks.map((p, i) => (i === 7 ? [Number.NaN, 1] : p));
    expect(faceProblem({ ...FACE, landmarks: bad })).toBe('landmark 7 of the face is not a finite [x, y] point');
    expect(faceTransformProblem({ kind: 'image' })).toBe(
      'expected a face transform (from Align Face), got an image value',
    );
    expect(faceTransformProblem(alignFace(createImage(900, 700), FACE, 16).transform)).toBeUndefined();
  });
});
