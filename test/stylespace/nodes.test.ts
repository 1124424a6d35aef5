// The StyleSpace nodes on the demo bundle: Global Direction edits a face toward a text or PAE target,
// re-runs alone when α or β changes, and names β when it keeps no channel; Learn Direction (StyleMC)
// learns a direction that goes out through Save Direction and back through Load Direction, and Apply
// Direction draws it on another face.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageValue } from '../../src/engine/graph/definition.js';
import { Engine } from '../../src/engine/run/engine.js';
import { createNodeServices } from '../../src/engine/run/services-node.js';
import { decodeNpy } from '../../src/engine/tensor/npy.js';
import { captured, captureType, graph, runDoc, testRegistry, type NodeSpec } from '../nodes/pipeline-helpers.js';

const MANIFEST = fileURLToPath(new URL('../../public/models/demo/manifest.json', import.meta.url));
const EXPRESSIONS = ['a happy face', 'a sad face', 'an angry face', 'a surprised face', 'a neutral face'];
let engine: Engine;
let dir: string;

beforeAll(() => {
  engine = new Engine({ registry: testRegistry, services: createNodeServices() });
  dir = mkdtempSync(join(tmpdir(), 'stylespace-nodes-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function meanAbsDiff(a: ImageValue, b: ImageValue): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += Math.abs(a.data[i]! - b.data[i]!);
  return s / a.data.length;
}

const base: NodeSpec[] = [
  ['models', 'models/load', { bundle: MANIFEST }],
  ['face', 'latent/random', { seed: 21, truncation: 0.7 }],
  ['decode', 'latent/decode'],
  ['clipImage', 'clip/image'],
  ['corpus', 'pae/corpus', { prompts: EXPRESSIONS }],
  ['subspace', 'pae/subspace', { method: 'semantic', n: 0 }],
];
const baseWires = [
  'models.models > face.models',
  'models.models > decode.models',
  'face.latent > decode.latent',
  'models.models > clipImage.models',
  'decode.image > clipImage.image',
  'models.models > subspace.models',
  'corpus.prompts > subspace.prompts',
];

function globalDoc(variant: string, alpha: number, beta: number) {
  return graph(
    [
      ...base,
      ['pae', 'pae/target', { prompt: 'a happy face', alpha: 4, variant }],
      ['global', 'stylespace/global-direction', { alpha, beta }],
      ['before', captureType('Image')],
      ['after', captureType('Image')],
    ],
    [
      ...baseWires,
      'clipImage.embedding > pae.image',
      'subspace.subspace > pae.subspace',
      'models.models > global.models',
      'face.latent > global.latent',
      'pae.target > global.target',
      'decode.image > before.value',
      'global.image > after.value',
    ],
  );
}

describe('Global Direction', () => {
  it('edits toward text and PAE targets, and re-runs alone when α or β changes', async () => {
    for (const variant of ['text', 'pae']) {
      const first = await runDoc(engine, globalDoc(variant, 3, 0.1));
      expect(first.errors).toEqual([]);
      const before = captured.before as ImageValue;
      const after = captured.after as ImageValue;
      expect(meanAbsDiff(before, after)).toBeGreaterThan(0.003);
      const again = await runDoc(engine, globalDoc(variant, 5, 0.1));
      const reran = again.events.filter((e) => e.type === 'done' && !e.cached).map((e) => (e as { node: string }).node);
      expect(reran.filter((n) => n !== 'after' && n !== 'before')).toEqual(['global']);
      const further = captured.after as ImageValue;
      expect(meanAbsDiff(further, after)).toBeGreaterThan(0.001);
      // α 0 draws the face itself, through the synthesis from styles.
      await runDoc(engine, globalDoc(variant, 0, 0.1));
      expect(meanAbsDiff(captured.after as ImageValue, before)).toBeLessThan(1e-5);
    }
    const strict = await runDoc(engine, globalDoc('text', 3, 1));
    expect(strict.errors.map((e) => (e as { message: string }).message).join('\n')).toMatch(
      /β = 1 keeps no style channel; the largest \|relevance · Δt\| is 0\.\d+/,
    );
  });
});

describe('Learn Direction (StyleMC) and direction files', () => {
  it('learns a direction, saves it as .npy, loads it back and applies it to another face', async () => {
    const learn = graph(
      [
        ...base,
        [
          'learn',
          'stylespace/learn-direction',
          { prompt: 'a happy face', variant: 'pae', faces: 2, steps: 4, seed: 300 },
        ],
        ['save', 'stylespace/save-direction', { filename: 'happy' }],
        ['apply', 'stylespace/apply-direction', { alpha: 2 }],
        ['other', 'latent/random', { seed: 22, truncation: 0.7 }],
        ['after', captureType('Image')],
      ],
      [
        ...baseWires,
        'models.models > learn.models',
        'subspace.subspace > learn.subspace',
        'learn.direction > save.direction',
        'models.models > other.models',
        'models.models > apply.models',
        'other.latent > apply.latent',
        'learn.direction > apply.direction',
        'apply.image > after.value',
      ],
    );
    const run = await runDoc(engine, learn);
    expect(run.errors).toEqual([]);
    expect(run.summary.files.map((f) => f.file.name)).toEqual(['happy.npy']);
    const npy = decodeNpy(run.summary.files[0]!.file.bytes);
    expect(npy.shape).toEqual([1, 28]);
    expect(Math.max(...npy.data.map(Math.abs))).toBeGreaterThan(0.05);
    const applied = captured.after as ImageValue;
    const file = join(dir, 'happy.npy');
    writeFileSync(file, run.summary.files[0]!.file.bytes);

    const load = graph(
      [
        ['models', 'models/load', { bundle: MANIFEST }],
        ['load', 'stylespace/load-direction', { source: file }],
        ['other', 'latent/random', { seed: 22, truncation: 0.7 }],
        ['apply', 'stylespace/apply-direction', { alpha: 2 }],
        ['after', captureType('Image')],
      ],
      [
        'models.models > load.models',
        'models.models > other.models',
        'models.models > apply.models',
        'other.latent > apply.latent',
        'load.direction > apply.direction',
        'apply.image > after.value',
      ],
    );
    const loaded = await runDoc(engine, load);
    expect(loaded.errors).toEqual([]);
    expect((captured.after as ImageValue).data).toEqual(applied.data);

    writeFileSync(file, new Uint8Array(0));
    const bad = await runDoc(engine, load);
    expect(bad.errors.length).toBe(1);
  });
});
