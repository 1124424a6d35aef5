// graphs/photo-edit.json, unchanged, on the reduced-width real-architecture bundle
// (test/export/realshape-fixture.ts): only the bundle path and the photo are set, and the short
// edit. The bundle's encoder takes 256 px and its generator makes 64 px faces, the demo's 128 and
// 128: Align Face crops at the encoder's size, Invert fits the generator's, and Paste Back warps
// the 64 px edit back into the photo at its own size.
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImageNode } from '../../src/engine/tensor/image-decode-node.js';
import { decodePng } from '../../src/engine/tensor/png.js';
import { realshapeBundle } from '../export/realshape-fixture.js';
import { repoPath } from '../paths.js';
import { changesAroundFace } from './photo-mask.js';
import { runCli } from './run-cli.js';

const require = createRequire(import.meta.url);
const photo = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', 'sample2.jpg');
const work = mkdtempSync(join(tmpdir(), 'rcp-photo-realshape-'));
let manifest: string;

beforeAll(async () => {
  manifest = join(await realshapeBundle(), 'manifest.json');
}, 900_000);

describe('graphs/photo-edit.json on a real-architecture bundle', () => {
  it('runs with only the bundle path and the photo set, and writes the photo at its size', async () => {
    const out = join(work, 'edit');
    const result = await runCli(
      [
        'run',
        repoPath('graphs/photo-edit.json'),
        '--set',
        `models.bundle=${manifest}`,
        '--set',
        `photo.source=${photo}`,
        '--set',
        'edit.steps=2',
        '--out',
        out,
      ],
      work,
    );
    expect(result.stderr).not.toMatch(/error:|skipped:/);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Optimize: 100% step 2/2');
    expect(result.stdout.trim()).toBe(join('edit', 'photo-edit.png'));

    const original = await decodeImageNode(new Uint8Array(readFileSync(photo)), 'sample2.jpg');
    const { image: edited, text } = decodePng(new Uint8Array(readFileSync(join(out, 'photo-edit.png'))));
    expect([edited.width, edited.height]).toEqual([original.width, original.height]);
    // The saved graph names the bundle it ran on.
    expect(Object.values(text).join('')).toContain('realshape/manifest.json');

    // Align Face's size 0 is this bundle's encoder input size.
    const encoderSize = JSON.parse(readFileSync(manifest, 'utf8')).encoder.inputSize;
    expect(encoderSize).toBe(256);
    const { outside, inside } = await changesAroundFace(original, edited, encoderSize);
    expect(outside).toBe(0);
    expect(inside).toBeGreaterThan(1000);
  });
});
