// graphs/photo-edit.json on a real photo (one of face-api's samples, read from the installed
// package, never copied into the repository): the written photo keeps the input's size and every
// pixel outside the paste-back mask; a picture without a face stops at Detect Faces, naming it.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeImageNode } from '../../src/engine/tensor/image-decode-node.js';
import { decodePng } from '../../src/engine/tensor/png.js';
import { changesAroundFace } from './photo-mask.js';
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

    // The demo encoder's input size: Align Face's size 0.
    const { outside, inside } = await changesAroundFace(original, edited, 128);
    expect(outside).toBe(0);
    // The face itself was replaced by the generator's edit.
    expect(inside).toBeGreaterThan(1000);
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
