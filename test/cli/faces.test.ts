// `rete-clip-pae faces` on one of face-api's sample photos (read from the installed package) and on
// a picture without a face; in-process through main() to keep the file fast.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { alignFace } from '../../src/engine/faces/align.js';
import type { DetectedFace } from '../../src/engine/faces/types.js';
import { imageToRgb } from '../../src/engine/tensor/image.js';
import { decodeImageNode } from '../../src/engine/tensor/image-decode-node.js';
import { decodePng } from '../../src/engine/tensor/png.js';
import { runCli } from './run-cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);
const photo = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', 'sample2.jpg');
const noFace = join(root, 'public/images/test-pattern.png');

const cli = (args: string[]) => runCli(args, root);

describe('rete-clip-pae faces', () => {
  it('prints each face of a photo, best first, and the same faces as JSON with 68 landmarks', async () => {
    const text = await cli(['faces', photo]);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toBe(`${photo}: 3 faces (1920×1367)`);
    expect(lines.slice(1)).toHaveLength(3);
    for (const line of lines.slice(1))
      expect(line).toMatch(/^ {2}face \d: box x [\d.]+, y [\d.]+, [\d.]+ × [\d.]+ {2}score 0\.\d{3}$/);

    const json = await cli(['faces', photo, '--json']);
    expect(json.code).toBe(0);
    const faces = JSON.parse(json.stdout) as { box: number[]; score: number; landmarks: number[][] }[];
    expect(faces).toHaveLength(3);
    const scores = faces.map((f) => f.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const [i, line] of lines.slice(1).entries()) expect(line).toContain(`score ${faces[i]!.score.toFixed(3)}`);
    for (const { box, score, landmarks } of faces) {
      expect(score).toBeGreaterThan(0.5);
      const [x, y, w, h] = box as [number, number, number, number];
      expect(w).toBeGreaterThan(50);
      expect(h).toBeGreaterThan(50);
      expect(landmarks).toHaveLength(68);
      // The landmarks lie on the face: inside its box grown by a quarter.
      for (const [px, py] of landmarks) {
        expect(px).toBeGreaterThan(x - w / 4);
        expect(px).toBeLessThan(x + w * 1.25);
        expect(py).toBeGreaterThan(y - h / 4);
        expect(py).toBeLessThan(y + h * 1.25);
      }
      // iBUG order: the left eye (36–41) is left of the right eye (42–47), the nose tip (30) above the mouth (48–67).
      const meanOf = (from: number, to: number, k: number) =>
        landmarks.slice(from, to).reduce((s, p) => s + p[k]!, 0) / (to - from);
      expect(meanOf(36, 42, 0)).toBeLessThan(meanOf(42, 48, 0));
      expect(landmarks[30]![1]!).toBeLessThan(meanOf(48, 68, 1));
    }
  });

  it('names the image and exits 1 when it has no face', async () => {
    const result = await cli(['faces', noFace, '--json']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`no face found in ${noFace} (320×240)\n`);
  });

  it('names an unreadable image and rejects a wrong command line', async () => {
    const missing = await cli(['faces', 'no-such-photo.jpg']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`cannot read the image ${join(root, 'no-such-photo.jpg')}`);
    const bad = await cli(['faces', photo, '--min-score', '2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--min-score must be a number in [0, 1), got '2'");
    expect((await cli(['faces'])).code).toBe(2);
  });

  it('writes every face aligned with --align, exactly the Align Face crop, at --size or 256 px', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rcp-faces-align-'));
    const json = await cli(['faces', photo, '--json', '--align', join(dir, 'small'), '--size', '64']);
    expect(json.code).toBe(0);
    const faces = JSON.parse(json.stdout) as DetectedFace[];
    expect(readdirSync(join(dir, 'small')).sort()).toEqual(['face-0.png', 'face-1.png', 'face-2.png']);
    // With --json the written paths go to stderr, so stdout stays one JSON document.
    expect(json.stderr.trim().split('\n')).toHaveLength(3);

    const original = await decodeImageNode(new Uint8Array(readFileSync(photo)), 'sample2.jpg');
    for (const [i, face] of faces.entries()) {
      const { image } = decodePng(new Uint8Array(readFileSync(join(dir, 'small', `face-${i}.png`))));
      expect([image.width, image.height]).toEqual([64, 64]);
      expect(imageToRgb(image)).toEqual(imageToRgb(alignFace(original, face, 64).image));
    }

    const text = await cli(['faces', photo, '--align', join(dir, 'default')]);
    expect(text.code).toBe(0);
    // Written paths are printed relative to the folder the command runs in when that is shorter.
    const written = text.stdout
      .trim()
      .split('\n')
      .filter((line) => line.endsWith('.png'))
      .map((line) => resolve(root, line));
    expect(written).toContain(join(dir, 'default', 'face-2.png'));
    const { image } = decodePng(new Uint8Array(readFileSync(join(dir, 'default', 'face-0.png'))));
    expect([image.width, image.height]).toEqual([256, 256]);

    const bad = await cli(['faces', photo, '--align', dir, '--size', '4']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--size must be a whole number from 8 to 4096, got '4'");
    expect((await cli(['faces', photo, '--size', '64'])).code).toBe(2);
  });
});
