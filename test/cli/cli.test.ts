// The command line as a user meets it: the bin is spawned for real runs and validations; the
// error paths run in-process through main() to keep the file fast.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readDocumentBytes } from '../../src/engine/graph/open.js';
import { decodePng, encodePng } from '../../src/engine/tensor/png.js';
import { createImage } from '../../src/engine/tensor/image.js';
import { catalogue } from '../../src/nodes/registry.js';
import { runCli } from './run-cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/rete-clip-pae.mjs');
const example = join(root, 'graphs/test-pattern.json');
const work = mkdtempSync(join(tmpdir(), 'rcp-cli-'));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: work }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const inProcess = (args: string[]) => runCli(args, work);

describe('rete-clip-pae validate', () => {
  it('passes a good graph and prints each error of a bad one with its path', async () => {
    const bad = JSON.parse(readFileSync(example, 'utf8'));
    bad.nodes[1].params.width = 0;
    bad.connections[1].to.input = 'img';
    writeFileSync(join(work, 'bad.json'), JSON.stringify(bad));
    const result = await cli(['validate', example, 'bad.json']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${example}: valid (4 nodes, 3 connections)`);
    expect(result.stdout).toContain('bad.json: nodes[1].params.width: 0 is below the minimum 1');
    expect(result.stdout).toContain(
      "bad.json: connections[1].to.input: Preview 'preview' has no input 'img' (its inputs: image)",
    );
  });

  it('says when a file cannot be read or is not JSON', async () => {
    writeFileSync(join(work, 'broken.json'), '{ "format": ');
    const result = await inProcess(['validate', 'missing.json', 'broken.json']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('cannot read missing.json: no such file');
    expect(result.stdout).toMatch(/broken\.json: not JSON: /);
  });
});

describe('rete-clip-pae run', () => {
  it('runs the example headless and writes its Save Image output with the graph embedded', async () => {
    const result = await cli(['run', example, '--out', 'first']);
    expect(result.stderr).toContain('[load] Load Image: started');
    expect(result.stderr).toContain('[save] Save Image: done in');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(join('first', 'test-pattern-224.png'));
    const bytes = new Uint8Array(readFileSync(join(work, 'first/test-pattern-224.png')));
    expect([decodePng(bytes).image.width, decodePng(bytes).image.height]).toEqual([224, 224]);
    const graph = readDocumentBytes(bytes, catalogue);
    expect(graph.ok && graph.document.nodes.map((n) => n.id)).toEqual(['load', 'resize', 'preview', 'save']);
  });

  it('runs a saved PNG with --set overrides', async () => {
    await cli(['run', example, '--out', 'source']);
    const result = await cli([
      'run',
      'source/test-pattern-224.png',
      '--set',
      'resize.width=100',
      '--set',
      'resize.mode=stretch',
      '--set',
      'save.filename=narrow',
      '--out',
      'second',
    ]);
    expect(result.code).toBe(0);
    const bytes = new Uint8Array(readFileSync(join(work, 'second/narrow.png')));
    expect(decodePng(bytes).image.width).toBe(100);
    const graph = readDocumentBytes(bytes, catalogue);
    expect(graph.ok && graph.document.nodes[1]!.params).toEqual({ width: 100, height: 224, mode: 'stretch' });
  });

  it('names an unknown node, an unknown param and a bad value in --set', async () => {
    const result = await cli(['run', example, '--set', 'resise.width=3', '--set', 'resize.widht=3']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "--set resise.width: the graph has no node 'resise' (its nodes: load, resize, preview, save)",
    );
    expect(result.stderr).toContain(
      "--set resize.widht: Resize 'resize' has no param 'widht' (its params: width, height, mode)",
    );
    const range = await inProcess(['run', example, '--set', 'resize.width=0']);
    expect(range.code).toBe(1);
    expect(range.stderr).toContain('--set resize.width: 0 is below the minimum 1');
    const text = await inProcess(['run', example, '--set', 'resize.height=tall']);
    expect(text.stderr).toContain("--set resize.height: 'tall' is not a number");
  });

  it('takes an image path for Load Image relative to where it is called', async () => {
    const image = createImage(6, 4, new Float32Array(72).fill(0.5));
    writeFileSync(join(work, 'gray.png'), encodePng(image));
    const result = await inProcess([
      'run',
      example,
      '--set',
      'load.source=gray.png',
      '--set',
      'resize.width=3',
      '--set',
      'resize.height=2',
      '--out',
      'third',
    ]);
    expect(result.code).toBe(0);
    const out = decodePng(new Uint8Array(readFileSync(join(work, 'third/test-pattern-224.png')))).image;
    expect([out.width, out.height]).toEqual([3, 2]);
    expect(Math.abs(out.data[0]! - 0.5)).toBeLessThan(1 / 255);
  });

  it('fails with a clear message for unreadable input, a PNG without a graph and a bad command line', async () => {
    expect(await inProcess(['run', 'nope.json'])).toMatchObject({
      code: 1,
      stderr: 'cannot read nope.json: no such file\n',
    });
    writeFileSync(join(work, 'plain.png'), encodePng(createImage(1, 1)));
    expect((await inProcess(['run', 'plain.png'])).stderr).toContain('plain.png: this PNG carries no graph');
    expect(await inProcess(['run'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('run needs a graph file'),
    });
    expect(await inProcess(['run', example, '--set', 'nodot'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--set expects <node>.<param>=<value>'),
    });
    expect(await inProcess(['frobnicate'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("unknown command 'frobnicate'"),
    });
  });

  it('exits 1 and writes nothing when a node fails', async () => {
    const result = await inProcess(['run', example, '--set', 'load.source=missing.png', '--out', 'fourth']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("[load] Load Image: error: cannot read 'missing.png': no such file");
    expect(result.stderr).toContain('[save] Save Image: skipped');
    expect(result.stdout).toBe('');
  });
});

describe('rete-clip-pae onnx', () => {
  it('is wired to the ONNX tools', async () => {
    const help = await inProcess(['onnx', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('rete-clip-pae onnx info <model.onnx>');
    const missing = await inProcess(['onnx', 'info', join(work, 'none.onnx')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read model');
  });
});
