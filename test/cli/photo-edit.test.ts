// graphs/photo-edit.json on a real photo (one of face-api's samples, read from the installed
// package, never copied into the repository): the written photo keeps the input's size and every
// pixel outside the paste-back mask; a picture without a face stops at Detect Faces, naming it.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { alignFace } from '../../src/engine/faces/align.js';
import { detectFaces, loadFaceNets } from '../../src/engine/faces/detect.js';
import { faceMask } from '../../src/engine/faces/paste.js';
import { pickFace } from '../../src/engine/faces/pick.js';
import { imageToRgb } from '../../src/engine/tensor/image.js';
import { decodeImageNode } from '../../src/engine/tensor/image-decode-node.js';
import { decodePng } from '../../src/engine/tensor/png.js';
import { createRuntime } from '../../src/engine/tensor/runtime.js';
import { runCli } from './run-cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const graph = join(root, 'graphs/photo-edit.json');
const require = createRequire(import.meta.url);
const photo = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', 'sample2.jpg');
const noFace = join(root, 'public/images/test-pattern.png');
const work = mkdtempSync(join(tmpdir(), 'rcp-photo-edit-'));
/** A few steps still take every path of the graph. */
const short = ['--set', 'edit.steps=2', '--set', 'edit.previewEvery=1', '--set', 'invert.refineSteps=1'];

const cli = (args: string[]) => runCli(args, work);

describe('graphs/photo-edit.json', () => {
  it('edits the face of a photo and writes the whole photo, changed only under the face mask', async () => {
    const out = join(work, 'edit');
    const result = await cli(['run', graph, '--set', `photo.source=${photo}`, ...short, '--out', out]);
    expect(result.stderr).not.toMatch(/error:|skipped:/);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(join('edit', 'photo-edit.png'));

    const original = await decodeImageNode(new Uint8Array(readFileSync(photo)), 'sample2.jpg');
    const { image: edited } = decodePng(new Uint8Array(readFileSync(join(out, 'photo-edit.png'))));
    expect([edited.width, edited.height]).toEqual([original.width, original.height]);

    // The face the graph chose (Detect Faces' default: the largest) and its mask, from the same functions.
    const runtime = await createRuntime();
    const nets = await loadFaceNets(runtime, join(root, 'public/models/faces/manifest.json'), {
      loadBytes: async (path) => new Uint8Array(readFileSync(path)),
    });
    const faces = await detectFaces(nets, original, { minScore: 0.5 });
    await nets.release();
    const face = faces[pickFace(faces, 'largest', 0)]!;
    const demoEncoderSize = 128;
    const { transform } = alignFace(original, face, demoEncoderSize);
    const mask = faceMask(face, transform, original.width, original.height);

    const a = imageToRgb(original);
    const b = imageToRgb(edited);
    let changedOutside = 0;
    let changedInside = 0;
    for (let y = 0; y < original.height; y++) {
      for (let x = 0; x < original.width; x++) {
        const mx = x - mask.x;
        const my = y - mask.y;
        const inWindow = mx >= 0 && my >= 0 && mx < mask.width && my < mask.height;
        const weight = inWindow ? mask.alpha[my * mask.width + mx]! : 0;
        const i = (y * original.width + x) * 3;
        const differs = a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2];
        if (weight === 0) changedOutside += differs ? 1 : 0;
        else changedInside += differs ? 1 : 0;
      }
    }
    expect(changedOutside).toBe(0);
    // The face itself was replaced by the generator's edit.
    expect(changedInside).toBeGreaterThan(1000);
  });

  it('stops at Detect Faces on a picture without a face, naming it, and writes nothing', async () => {
    const out = join(work, 'no-face');
    const result = await cli(['run', graph, '--set', `photo.source=${noFace}`, ...short, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`[detect] Detect Faces: error: no face found in '${noFace}' (320×240)`);
    // Everything after the detection is skipped, not run on something else.
    for (const id of ['align', 'invert', 'clipImage', 'pae', 'edit', 'paste', 'compare', 'save', 'moodBefore'])
      expect(result.stderr).toMatch(new RegExp(`\\[${id}\\] [^\\n]*: skipped: `));
    expect(result.stderr).not.toMatch(/\[(align|invert|edit|paste|save)\] [^\n]*: (started|done)/);
    expect(result.stdout).toBe('');
    expect(() => readdirSync(out)).toThrow();
  });
});
