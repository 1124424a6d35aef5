// Every example graph in graphs/ runs headless through the CLI on the demo bundle, with the long
// parts (optimization and refinement steps) cut short through --set, and writes PNGs that carry
// their graph.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { GraphDocument } from '../../src/engine/graph/document.js';
import { readDocumentBytes } from '../../src/engine/graph/open.js';
import { decodePng } from '../../src/engine/tensor/png.js';
import { catalogue } from '../../src/nodes/registry.js';
import { runCli } from './run-cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'rcp-graphs-'));
const examples = readdirSync(join(root, 'graphs'))
  .filter((f) => f.endsWith('.json'))
  .sort();

/** Overrides that keep each long node short: a few steps still exercise every path. */
function shortRun(doc: GraphDocument): string[] {
  const sets: string[] = [];
  for (const n of doc.nodes) {
    if (n.type === 'optimize/edit') sets.push(`${n.id}.steps=3`, `${n.id}.previewEvery=1`);
    if (n.type === 'optimize/alpha-sweep') sets.push(`${n.id}.steps=2`, `${n.id}.alphas=0,4`);
    if (n.type === 'latent/invert') sets.push(`${n.id}.refineSteps=2`);
  }
  return sets.flatMap((s) => ['--set', s]);
}

const cli = (args: string[]) => runCli(args, work);

describe('every example graph runs in the CLI', () => {
  it('has the pipeline examples', () => {
    expect(examples).toEqual(
      expect.arrayContaining([
        'default.json',
        'chain-three-edits.json',
        'text-vs-pae.json',
        'alpha-sweep.json',
        'invert-then-edit.json',
        'photo-edit.json',
        'global-directions.json',
      ]),
    );
  });

  it.each(examples)('%s', async (name) => {
    const path = join(root, 'graphs', name);
    const doc = JSON.parse(readFileSync(path, 'utf8')) as GraphDocument;
    const out = join(work, name.replace(/\.json$/, ''));
    const result = await cli(['run', path, ...shortRun(doc), '--out', out]);
    expect(result.stderr).not.toMatch(/error:|skipped:/);
    expect(result.code).toBe(0);
    const saves = doc.nodes.filter((n) => n.type === 'image/save');
    const written = result.stdout
      .trim()
      .split('\n')
      .filter((l) => l !== '');
    expect(written).toHaveLength(saves.length);
    for (const file of written) {
      const bytes = new Uint8Array(readFileSync(join(work, file)));
      const { image } = decodePng(bytes);
      expect(image.width).toBeGreaterThan(0);
      // The saved picture is not blank: an edit that produced nothing would be a flat image.
      const mean = image.data.reduce((s, v) => s + v, 0) / image.data.length;
      expect(image.data.reduce((s, v) => s + (v - mean) ** 2, 0) / image.data.length).toBeGreaterThan(1e-4);
      const graph = readDocumentBytes(bytes, catalogue);
      expect(graph.ok && graph.document.meta?.title).toBe(doc.meta?.title);
    }
  });
});
