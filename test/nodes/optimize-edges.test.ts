// The Optimize node at its edges, on the tiny bundle: PAE at α = 0 asks for no edit, so the edit
// hands back the start latent untouched; a loss that turns NaN fails the Optimize node with the step
// named, and everything downstream of it is skipped rather than run on garbage.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defineNode } from '../../src/engine/graph/definition.js';
import { Engine } from '../../src/engine/run/engine.js';
import { createNodeServices } from '../../src/engine/run/services-node.js';
import { NodeRegistry } from '../../src/engine/graph/registry.js';
import type { EmbeddingValue, LatentValue, TargetValue } from '../../src/nodes/pipeline/values.js';
import { writeTinyBundle } from '../models/tiny-bundle.js';
import { captured, captureType, editChain, graph, runDoc, testFamilies } from './pipeline-helpers.js';

/** A target whose values are NaN: what a broken upstream computation would hand Optimize. */
const nanTarget = defineNode({
  type: 'test/nan-target',
  title: 'NaN Target',
  category: 'Test',
  help: 'Passes the target on with every value replaced by NaN.',
  inputs: { target: { type: 'Target' } },
  outputs: { target: { type: 'Target' } },
  params: {},
  async run(ctx) {
    const target = ctx.inputs.target;
    const poisoned: TargetValue = { ...target, data: target.data.map(() => NaN) };
    return { target: poisoned };
  },
});

let manifest: string;
let engine: Engine;

beforeAll(async () => {
  manifest = join(await writeTinyBundle(), 'manifest.json');
  engine = new Engine({
    registry: new NodeRegistry([...testFamilies, { sockets: [], nodes: [nanTarget] }]),
    services: createNodeServices(),
  });
});

const EDIT = { steps: 12, lr: 0.1, lambdaL2: 0.008, lambdaId: 0, previewEvery: 4 };

/** Random face → decode → CLIP image → PAE → Optimize → Compare, with captures on the latents. */
function edit(options: { alpha: number; poison?: boolean }) {
  const { nodes, wires } = editChain(manifest, { seed: 5, pae: { alpha: options.alpha }, edit: EDIT });
  nodes.push(
    ['cStart', captureType('Latent')],
    ['cEdited', captureType('Latent')],
    ['cStartEmbedding', captureType('Embedding')],
    ['cEditedEmbedding', captureType('Embedding')],
  );
  wires.push(
    'face.latent > cStart.value',
    'edit.latent > cEdited.value',
    'clipImage.embedding > cStartEmbedding.value',
    'edit.embedding > cEditedEmbedding.value',
  );
  if (options.poison) {
    nodes.push(['poison', 'test/nan-target']);
    wires.push('pae.target > poison.target', 'poison.target > edit.target');
  } else {
    wires.push('pae.target > edit.target');
  }
  return graph(nodes, wires);
}

describe('Optimize after PAE at α = 0', () => {
  it('returns the start latent unchanged, and the start embedding', async () => {
    const { summary, errors, events, done } = await runDoc(engine, edit({ alpha: 0 }));
    expect(errors).toEqual([]);
    expect(summary.status).toBe('ok');
    const start = captured.cStart as LatentValue;
    const edited = captured.cEdited as LatentValue;
    expect(edited.data).toEqual(start.data);
    const startEmbedding = (captured.cStartEmbedding as EmbeddingValue).data;
    const norm = Math.hypot(...startEmbedding);
    const editedEmbedding = (captured.cEditedEmbedding as EmbeddingValue).data;
    for (const [i, v] of editedEmbedding.entries()) expect(Math.abs(v - startEmbedding[i]! / norm)).toBeLessThan(1e-5);
    // One progress report that finishes the bar, and one loss.
    const progress = events.filter((e) => e.type === 'progress' && e.node === 'edit');
    expect(progress).toEqual([expect.objectContaining({ fraction: 1 })]);
    expect(done('edit')!.outputs.loss).toMatchObject({
      kind: 'value',
      text: expect.stringMatching(/^loss -?0\.0000 → -?0\.0000 in 1 steps$/),
    });
  });

  it('moves the latent once α > 0 (the same graph otherwise)', async () => {
    const { summary } = await runDoc(engine, edit({ alpha: 4 }));
    expect(summary.status).toBe('ok');
    const start = captured.cStart as LatentValue;
    const edited = captured.cEdited as LatentValue;
    expect(edited.data.some((v, i) => v !== start.data[i])).toBe(true);
  });
});

describe('Optimize whose loss becomes NaN', () => {
  it('fails with the step named, and the nodes after it are skipped', async () => {
    const { summary, errors, events } = await runDoc(engine, edit({ alpha: 4, poison: true }));
    expect(summary.status).toBe('failed');
    expect(errors).toEqual([
      {
        type: 'error',
        node: 'edit',
        message: expect.stringMatching(
          /^Optimize: the loss became NaN at step 0 \(the start latent\) \(lr 0\.1\); lower the learning rate/,
        ),
      },
    ]);
    expect(summary.nodes.edit).toMatchObject({ status: 'error' });
    const skipped = events
      .filter((e) => e.type === 'skipped')
      .map((e) => (e as { node: string }).node)
      .sort();
    expect(skipped).toEqual(['cEdited', 'cEditedEmbedding', 'compare']);
    expect(summary.nodes.compare).toEqual({ status: 'skipped', because: "input 'after' needs 'edit', which failed" });
    // The rest of the graph ran.
    expect(summary.nodes.pae).toMatchObject({ status: 'done' });
    expect(summary.nodes.cStart).toMatchObject({ status: 'done' });
  });
});
