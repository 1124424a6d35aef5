// `run --batch <folder>`: one graph over every photo in a folder, through main() in-process. The
// test-pattern graph needs no models, so this stays fast; the pipeline graphs are covered in
// graphs.test.ts.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { batchSourceNode } from '../../src/cli/batch.js';
import { readDocumentBytes } from '../../src/engine/graph/open.js';
import { createImage } from '../../src/engine/tensor/image.js';
import { decodePng, encodePng } from '../../src/engine/tensor/png.js';
import { catalogue } from '../../src/nodes/registry.js';
import type { GraphDocument } from '../../src/engine/graph/document.js';
import { runCli } from './run-cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const example = join(root, 'graphs/test-pattern.json');
const work = mkdtempSync(join(tmpdir(), 'rcp-batch-'));

const cli = (args: string[]) => runCli(args, work);

function solid(value: number, width = 8, height = 6): Uint8Array {
  return encodePng(createImage(width, height, new Float32Array(width * height * 3).fill(value)));
}

describe('rete-clip-pae run --batch', () => {
  it('runs the graph once per JPEG, PNG and WebP, each into its own folder, and names what it skipped', async () => {
    mkdirSync(join(work, 'faces'));
    writeFileSync(join(work, 'faces/dark.png'), solid(0.2));
    writeFileSync(join(work, 'faces/light.png'), solid(0.8, 12, 12));
    const gray = (v: number) => ({
      create: { width: 10, height: 8, channels: 3 as const, background: { r: v, g: v, b: v } },
    });
    writeFileSync(join(work, 'faces/mid.jpg'), await sharp(gray(102)).jpeg({ quality: 100 }).toBuffer());
    writeFileSync(join(work, 'faces/pale.webp'), await sharp(gray(153)).webp({ lossless: true }).toBuffer());
    writeFileSync(join(work, 'faces/anim.gif'), await sharp(gray(0)).gif().toBuffer());
    writeFileSync(join(work, 'faces/notes.txt'), 'not an image');
    const result = await cli([
      'run',
      example,
      '--batch',
      'faces',
      '--set',
      'resize.width=4',
      '--set',
      'resize.height=4',
      '--out',
      'batch-out',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('batch: skipped anim.gif: a batch reads JPEG, PNG and WebP images only');
    expect(result.stderr).not.toContain('notes.txt');
    expect(result.stderr).toContain('batch: [1/4] dark.png');
    expect(result.stderr).toContain('batch: 4 images, 4 ok');
    expect(result.stdout.trim().split('\n')).toEqual([
      join('batch-out', 'dark', 'test-pattern-224.png'),
      join('batch-out', 'light', 'test-pattern-224.png'),
      join('batch-out', 'mid', 'test-pattern-224.png'),
      join('batch-out', 'pale', 'test-pattern-224.png'),
    ]);
    for (const [name, value, ext] of [
      ['dark', 0.2, 'png'],
      ['light', 0.8, 'png'],
      ['mid', 0.4, 'jpg'],
      ['pale', 0.6, 'webp'],
    ] as const) {
      const bytes = new Uint8Array(readFileSync(join(work, 'batch-out', name, 'test-pattern-224.png')));
      const { image } = decodePng(bytes);
      expect([image.width, image.height]).toEqual([4, 4]);
      expect(Math.abs(image.data[5]! - value)).toBeLessThan(1.5 / 255);
      // The embedded graph names the image it was made from.
      const graph = readDocumentBytes(bytes, catalogue);
      expect(graph.ok && graph.document.nodes[0]!.params.source).toBe(join(work, 'faces', `${name}.${ext}`));
    }
  });

  it('reports a failed image and a file that is not an image, goes on with the rest and exits 1', async () => {
    mkdirSync(join(work, 'mixed'));
    writeFileSync(join(work, 'mixed/a-broken.png'), new Uint8Array([1, 2, 3]));
    writeFileSync(join(work, 'mixed/b-good.png'), solid(0.5));
    writeFileSync(join(work, 'mixed/c-notes.jpg'), 'these are notes, not a photo');
    const result = await cli(['run', example, '--batch', 'mixed', '--out', 'mixed-out']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('batch: c-notes.jpg is not an image: its bytes are not a JPEG, PNG or WebP file');
    expect(result.stderr).toContain('batch: 3 images, 1 ok, 2 failed (a-broken.png, c-notes.jpg)');
    expect(result.stdout.trim()).toBe(join('mixed-out', 'b-good', 'test-pattern-224.png'));
  });

  it('fails clearly for a missing folder, a folder without images and a bad --batch-node', async () => {
    expect(await cli(['run', example, '--batch', 'nowhere'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('--batch nowhere: no such folder'),
    });
    mkdirSync(join(work, 'empty'));
    expect(await cli(['run', example, '--batch', 'empty'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('the folder has no JPEG, PNG or WebP images'),
    });
    expect(await cli(['run', example, '--batch', 'empty', '--batch-node', 'resize'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("--batch-node: 'resize' is a Resize node, not a Load Image node"),
    });
    expect(await cli(['run', example, '--batch-node', 'load'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--batch-node only goes with --batch'),
    });
  });

  it('picks the Load Image node that feeds an Invert when there are several', () => {
    const node = (id: string, type: string) => ({ id, type, position: [0, 0] as [number, number], params: {} });
    const doc: GraphDocument = {
      format: 'rete-clip-pae/graph',
      version: 2,
      nodes: [
        node('other', 'image/load'),
        node('photo', 'image/load'),
        node('models', 'models/load'),
        node('invert', 'latent/invert'),
      ],
      connections: [{ from: { node: 'photo', output: 'image' }, to: { node: 'invert', input: 'image' } }],
    };
    expect(batchSourceNode(doc, catalogue)).toBe('photo');
    expect(batchSourceNode(doc, catalogue, 'other')).toBe('other');
    doc.connections = [];
    expect(() => batchSourceNode(doc, catalogue)).toThrow(
      "the graph has 2 Load Image nodes (other, photo); choose the one that takes the folder's images with --batch-node <id>",
    );
  });
});
