// The pipeline nodes on a tiny real bundle (every model a small ONNX graph run by onnxruntime-node):
// each node runs, values carry their kind and bundle, PAE matches paeTarget, a two-edit chain runs,
// cancelling an edit leaves the engine usable, and wrong wiring fails with a clear message.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundle, type ModelBundle } from '../../src/engine/models/bundle.js';
import { coefficients } from '../../src/engine/pae/subspace.js';
import { paeTarget } from '../../src/engine/pae/target.js';
import { Engine } from '../../src/engine/run/engine.js';
import { sizeOf } from '../../src/engine/run/cache.js';
import { createNodeServices } from '../../src/engine/run/services-node.js';
import { createRuntime } from '../../src/engine/tensor/runtime.js';
import { encodePng } from '../../src/engine/tensor/png.js';
import type { ImageValue } from '../../src/engine/graph/definition.js';
import { catalogue } from '../../src/nodes/registry.js';
import { parseAlphas } from '../../src/nodes/pipeline/alpha-sweep.js';
import type {
  CoefficientsValue,
  EmbeddingValue,
  LatentValue,
  ModelsValue,
  SubspaceValue,
  TargetValue,
} from '../../src/nodes/pipeline/values.js';
import { EMBED, IMAGE, LAYERS, WIDTH, writeTinyBundle } from '../models/tiny-bundle.js';
import { captured, captureType, editChain, graph, runDoc, testRegistry } from './pipeline-helpers.js';

let dir: string;
let manifest: string;
let engine: Engine;
let bundle: ModelBundle;

beforeAll(async () => {
  dir = await writeTinyBundle();
  manifest = join(dir, 'manifest.json');
  engine = new Engine({ registry: testRegistry, services: createNodeServices() });
  bundle = await loadBundle(dir, {
    loadBytes: async (p) => new Uint8Array(await (await import('node:fs/promises')).readFile(p)),
    runtime: await createRuntime(),
  });
});
afterAll(() => bundle?.release());

const EDIT = { steps: 6, lr: 0.1, lambdaL2: 0.008, lambdaId: 0, previewEvery: 2 };

/** One edit on a random face, with capture sinks on every value the tests look at. */
function oneEdit(extra: { pae?: Record<string, unknown>; edit?: Record<string, unknown> } = {}) {
  const chain = editChain(manifest, { seed: 3, pae: extra.pae, edit: { ...EDIT, ...extra.edit } });
  return graph(
    [
      ...chain.nodes,
      ['cModels', captureType('Models')],
      ['cLatent', captureType('Latent')],
      ['cImage', captureType('Image')],
      ['cEmbedding', captureType('Embedding')],
      ['cSubspace', captureType('Subspace')],
      ['cTarget', captureType('Target')],
      ['cBefore', captureType('Coefficients')],
      ['cAfter', captureType('Coefficients')],
      ['cEdited', captureType('Latent')],
      ['cEditedEmbedding', captureType('Embedding')],
    ],
    [
      ...chain.wires,
      'pae.target > edit.target',
      'models.models > cModels.value',
      'face.latent > cLatent.value',
      'decode.image > cImage.value',
      'clipImage.embedding > cEmbedding.value',
      'subspace.subspace > cSubspace.value',
      'pae.target > cTarget.value',
      'pae.coefficients > cBefore.value',
      'edit.coefficients > cAfter.value',
      'edit.latent > cEdited.value',
      'edit.embedding > cEditedEmbedding.value',
    ],
  );
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-6) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++)
    expect(Math.abs(actual[i]! - expected[i]!), `index ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(
      tolerance,
    );
}

describe('the pipeline family in the catalogue', () => {
  it('has every node with help text, in the six categories', () => {
    const types = [
      'models/load',
      'latent/random',
      'latent/invert',
      'latent/decode',
      'clip/text',
      'clip/image',
      'pae/corpus',
      'pae/subspace',
      'pae/target',
      'optimize/edit',
      'optimize/alpha-sweep',
      'output/compare',
    ];
    for (const type of types) {
      const def = catalogue.get(type);
      expect(def, type).toBeDefined();
      expect(def!.help.length, type).toBeGreaterThan(60);
      for (const [name, p] of Object.entries(def!.params)) expect(p.help.length, `${type}.${name}`).toBeGreaterThan(10);
    }
    expect(catalogue.categories()).toEqual(
      expect.arrayContaining(['Models', 'Latent', 'CLIP', 'PAE', 'Optimize', 'Output']),
    );
    expect(catalogue.get('pae/corpus')!.params.prompts).toMatchObject({
      kind: 'prompts',
      presets: {
        emotion: [
          'a happy face',
          'a sad face',
          'an angry face',
          'a fearful face',
          'a surprised face',
          'a disgusted face',
        ],
        eyes: ['large eyes', 'small eyes'],
        mouth: ['large mouth', 'small mouth'],
      },
    });
  });
});

describe('one edit on a tiny bundle', () => {
  it('runs every node and hands values of the right kind and bundle along', async () => {
    const { summary, done, errors } = await runDoc(engine, oneEdit());
    expect(errors).toEqual([]);
    expect(summary.status).toBe('ok');

    const models = captured.cModels as ModelsValue;
    expect(models).toMatchObject({ kind: 'models', backend: 'cpu', device: 'auto', cacheBytes: 0 });
    expect(models.bundle.name).toBe('tiny');
    // The handle costs the result cache nothing: the model service holds the bundle.
    expect(sizeOf({ outputs: { models } })).toBeLessThan(100);
    expect(done('models')!.outputs.models).toEqual({ kind: 'value', text: 'tiny · cpu' });
    expect(done('models')!.outputs.runtime).toEqual({ kind: 'value', text: 'cpu' });
    // The tiny bundle's manifest states no licence and no MODEL_CARD.md sits next to it.
    expect(done('models')!.outputs.license).toEqual({
      kind: 'value',
      text: 'Licence: not stated in the manifest · no model card',
    });

    const latent = captured.cLatent as LatentValue;
    expect(latent).toMatchObject({ kind: 'latent', shape: [1, LAYERS, WIDTH], bundleId: models.bundle.id });
    expectClose(latent.data, await bundle.sampleLatent(3, 0.7), 1e-6);
    expect(done('face')!.outputs.latent).toMatchObject({ kind: 'image', image: { width: IMAGE, height: IMAGE } });

    const image = captured.cImage as ImageValue;
    expect([image.width, image.height]).toEqual([IMAGE, IMAGE]);
    expectClose(image.data, (await bundle.generate(latent.data)).image.data, 1e-6);

    const embedding = captured.cEmbedding as EmbeddingValue;
    expect(embedding).toMatchObject({ kind: 'embedding', of: 'image' });
    expectClose(embedding.data, await bundle.encodeImage(image), 1e-6);

    const subspace = captured.cSubspace as SubspaceValue;
    expect(subspace.subspace).toMatchObject({
      n: 2,
      dim: EMBED,
      labels: ['a happy face', 'a sad face'],
      method: 'semantic',
    });

    const after = captured.cAfter as CoefficientsValue;
    const edited = captured.cEditedEmbedding as EmbeddingValue;
    expect(after).toMatchObject({ kind: 'coefficients', labels: ['a happy face', 'a sad face'], of: 'edited image' });
    expectClose(after.values, coefficients(edited.data, subspace.subspace), 1e-6);
    // The edit moved the latent, and the embedding is the edited image's.
    const editedLatent = captured.cEdited as LatentValue;
    expect(editedLatent.data.some((v, i) => v !== latent.data[i])).toBe(true);
    expectClose(edited.data, await bundle.encodeImage((await bundle.generate(editedLatent.data)).image), 1e-4);

    const compare = done('compare')!.outputs;
    expect(compare.comparison).toMatchObject({ kind: 'image', image: { width: 2 * IMAGE + 4, height: IMAGE } });
    expect(compare.image).toEqual({ kind: 'value', text: `${2 * IMAGE + 4} × ${IMAGE}` });
    expect(compare.coefficients).toEqual({
      kind: 'bars',
      labels: ['a happy face', 'a sad face'],
      before: (captured.cBefore as CoefficientsValue).values,
      after: after.values,
    });
    expect(done('edit')!.outputs.loss).toMatchObject({
      kind: 'value',
      text: expect.stringMatching(/^loss \d\.\d{4} → \d\.\d{4} in 7 steps$/),
    });
  });

  it('builds exactly the paeTarget of its inputs, for every variant', async () => {
    for (const variant of ['pae', 'pae-reference', 'naive', 'text'] as const) {
      const { summary, done } = await runDoc(engine, oneEdit({ pae: { variant, alpha: 2.5 } }));
      expect(summary.status).toBe('ok');
      const target = captured.cTarget as TargetValue;
      const subspace = (captured.cSubspace as SubspaceValue).subspace;
      const [text] = await bundle.encodeText(['a happy face']);
      const expected = paeTarget({
        image: (captured.cEmbedding as EmbeddingValue).data,
        text: text!,
        subspace,
        alpha: 2.5,
        variant,
      });
      expect(target).toMatchObject({ kind: 'target', variant, alpha: 2.5, prompt: 'a happy face' });
      expectClose(target.data, expected.target, 1e-6);
      expectClose(target.before, expected.before, 1e-9);
      expect((captured.cBefore as CoefficientsValue).values).toEqual(expected.before);
      expect(done('pae')!.outputs.target).toMatchObject({
        kind: 'bars',
        labels: ['a happy face', 'a sad face'],
        before: expected.before,
      });
    }
  });

  it('edits toward the target: the cosine to it grows', async () => {
    await runDoc(engine, oneEdit({ edit: { steps: 30 } }));
    const target = (captured.cTarget as TargetValue).data;
    const start = (captured.cEmbedding as EmbeddingValue).data;
    const end = (captured.cEditedEmbedding as EmbeddingValue).data;
    const cos = (a: Float32Array) => a.reduce((s, v, i) => s + v * target[i]!, 0);
    expect(cos(end)).toBeGreaterThan(cos(start));
  });
});

describe('chained edits', () => {
  it('a second edit starts from the first edit: its latent and its image embedding', async () => {
    const doc = oneEdit();
    doc.nodes.push(
      {
        id: 'pae2',
        type: 'pae/target',
        position: [0, 300],
        params: { prompt: 'a sad face', alpha: 2, variant: 'pae' },
      },
      { id: 'edit2', type: 'optimize/edit', position: [200, 300], params: { ...EDIT } },
      { id: 'cTarget2', type: captureType('Target'), position: [400, 300], params: {} },
      { id: 'cEdited2', type: captureType('Latent'), position: [400, 400], params: {} },
    );
    const wire = (from: string, output: string, to: string, input: string) =>
      doc.connections.push({ from: { node: from, output }, to: { node: to, input } });
    wire('edit', 'embedding', 'pae2', 'image');
    wire('subspace', 'subspace', 'pae2', 'subspace');
    wire('models', 'models', 'edit2', 'models');
    wire('edit', 'latent', 'edit2', 'latent');
    wire('pae2', 'target', 'edit2', 'target');
    wire('pae2', 'target', 'cTarget2', 'value');
    wire('edit2', 'latent', 'cEdited2', 'value');
    const { summary, errors } = await runDoc(engine, doc);
    expect(errors).toEqual([]);
    expect(summary.status).toBe('ok');
    const first = captured.cEditedEmbedding as EmbeddingValue;
    const target2 = captured.cTarget2 as TargetValue;
    expectClose(target2.before, coefficients(first.data, (captured.cSubspace as SubspaceValue).subspace), 1e-6);
    const latent1 = (captured.cEdited as LatentValue).data;
    const latent2 = (captured.cEdited2 as LatentValue).data;
    expect(latent2.some((v, i) => v !== latent1[i])).toBe(true);
  });
});

describe('cancelling an edit', () => {
  it('stops the run mid-optimization, caches nothing half-done, and the next run completes', async () => {
    const doc = oneEdit({ edit: { steps: 200, previewEvery: 5 }, pae: { alpha: 3 } });
    const controller = new AbortController();
    let steps = 0;
    const first = await runDoc(engine, doc, {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'progress' && e.node === 'edit' && ++steps === 3) controller.abort();
      },
    });
    expect(first.summary.status).toBe('cancelled');
    expect(first.summary.nodes.edit).toEqual({ status: 'cancelled' });
    expect(first.summary.nodes.pae).toMatchObject({ status: 'done' });
    const second = await runDoc(engine, {
      ...doc,
      nodes: doc.nodes.map((n) => (n.id === 'edit' ? { ...n, params: { ...n.params, steps: 10 } } : n)),
    });
    expect(second.summary.status).toBe('ok');
    expect(second.summary.nodes.pae).toMatchObject({ status: 'done', cached: true });
    expect(second.summary.nodes.edit).toMatchObject({ status: 'done', cached: false });
    // The same 200-step edit, run to the end now, is not served from a half-done cache entry.
    const third = await runDoc(engine, doc);
    expect(third.summary.status).toBe('ok');
    expect(third.summary.nodes.edit).toMatchObject({ status: 'done', cached: false });
  });
});

describe('the other nodes', () => {
  it('CLIP Text embeds the param or the Text input; Invert gives a latent and its reconstruction; Alpha Sweep makes a strip', async () => {
    const face = await bundle.generate(await bundle.sampleLatent(11, 0.7));
    const dataUrl = `data:image/png;base64,${Buffer.from(encodePng(face.image)).toString('base64')}`;
    const doc = graph(
      [
        ['models', 'models/load', { bundle: manifest }],
        ['word', 'value/text', { text: 'a sad face' }],
        ['textParam', 'clip/text', { prompt: 'a happy face' }],
        ['textInput', 'clip/text', { prompt: 'ignored' }],
        ['photo', 'image/load', { source: dataUrl }],
        ['invert', 'latent/invert', { refineSteps: 4, lr: 0.05, lambdaL2: 0.001 }],
        ['corpus', 'pae/corpus', { prompts: ['a happy face', 'a sad face'] }],
        ['subspace', 'pae/subspace', { method: 'pca', n: 1 }],
        ['clipImage', 'clip/image'],
        ['sweep', 'optimize/alpha-sweep', { alphas: '0, 2, 8', steps: 4 }],
        ['cHappy', captureType('Embedding')],
        ['cSad', captureType('Embedding')],
        ['cInverted', captureType('Latent')],
        ['cReconstruction', captureType('Image')],
      ],
      [
        'models.models > textParam.models',
        'models.models > textInput.models',
        // The old name of the Prompt input: documents from before params took inputs still open.
        'word.text > textInput.text',
        'models.models > invert.models',
        'photo.image > invert.image',
        'models.models > subspace.models',
        'corpus.prompts > subspace.prompts',
        'models.models > clipImage.models',
        'photo.image > clipImage.image',
        'models.models > sweep.models',
        'invert.latent > sweep.latent',
        'clipImage.embedding > sweep.image',
        'textParam.embedding > sweep.text',
        'subspace.subspace > sweep.subspace',
        'textParam.embedding > cHappy.value',
        'textInput.embedding > cSad.value',
        'invert.latent > cInverted.value',
        'invert.image > cReconstruction.value',
      ],
    );
    const { summary, done, errors } = await runDoc(engine, doc);
    expect(errors).toEqual([]);
    expect(summary.status).toBe('ok');
    const [happy, sad] = await bundle.encodeText(['a happy face', 'a sad face']);
    expect(captured.cHappy).toMatchObject({ kind: 'embedding', of: 'text', label: 'a happy face' });
    expectClose((captured.cHappy as EmbeddingValue).data, happy!, 1e-6);
    expect(captured.cSad).toMatchObject({ label: 'a sad face' });
    expectClose((captured.cSad as EmbeddingValue).data, sad!, 1e-6);

    const inverted = captured.cInverted as LatentValue;
    expect(inverted).toMatchObject({ kind: 'latent', shape: [1, LAYERS, WIDTH] });
    expect((captured.cReconstruction as ImageValue).width).toBe(IMAGE);

    expect(done('subspace')!.outputs.subspace).toMatchObject({
      kind: 'value',
      text: expect.stringMatching(/^pca · 1 directions: PC1 · /),
    });
    const sweep = done('sweep')!.outputs;
    expect(sweep.strip).toMatchObject({ kind: 'image', image: { width: 3 * IMAGE + 2 * 4, height: IMAGE } });
    expect(sweep.coefficient).toMatchObject({ kind: 'bars', labels: ['α 0', 'α 2', 'α 8'] });
  });

  it('reads α lists and names a bad entry', () => {
    expect(parseAlphas('0, 1,2 4;8')).toEqual([0, 1, 2, 4, 8]);
    expect(() => parseAlphas('1, x')).toThrow("α value 2 ('x') is not a number ≥ 0");
    expect(() => parseAlphas('  ')).toThrow('the α list is empty');
  });
});

describe('params fed by inputs', () => {
  it("PAE's prompt from a Text node and α from a Number node give the target of the same params", async () => {
    const chain = editChain(manifest, { seed: 3, pae: { prompt: 'a sad face', alpha: 2 }, edit: EDIT });
    const doc = graph(
      [
        ...chain.nodes.filter(([id]) => id !== 'edit' && id !== 'compare'),
        ['word', 'value/text', { text: 'a sad face' }],
        ['strength', 'value/number', { value: 2 }],
        ['fed', 'pae/target', { prompt: 'ignored', alpha: 0, variant: 'pae' }],
        ['cStored', captureType('Target')],
        ['cFed', captureType('Target')],
      ],
      [
        ...chain.wires.filter((w) => !w.includes('edit.') && !w.includes('compare.')),
        'clipImage.embedding > fed.image',
        'subspace.subspace > fed.subspace',
        'word.text > fed.prompt',
        'strength.value > fed.alpha',
        'pae.target > cStored.value',
        'fed.target > cFed.value',
      ],
    );
    const { summary, errors } = await runDoc(engine, doc);
    expect(errors).toEqual([]);
    expect(summary.status).toBe('ok');
    const stored = captured.cStored as TargetValue;
    const fed = captured.cFed as TargetValue;
    expect(fed.prompt).toBe('a sad face');
    expect(fed.alpha).toBe(2);
    expect(Array.from(fed.data)).toEqual(Array.from(stored.data));
  });

  it('a fed α outside the param range fails PAE with the param named', async () => {
    const chain = editChain(manifest, { seed: 3, edit: EDIT });
    const doc = graph(
      [...chain.nodes.filter(([id]) => id !== 'edit' && id !== 'compare'), ['strength', 'value/number', { value: 40 }]],
      [...chain.wires.filter((w) => !w.includes('edit.') && !w.includes('compare.')), 'strength.value > pae.alpha'],
    );
    doc.nodes.push({ id: 'cTarget', type: captureType('Target'), position: [0, 0], params: {} });
    doc.connections.push({ from: { node: 'pae', output: 'target' }, to: { node: 'cTarget', input: 'value' } });
    const { errors } = await runDoc(engine, doc);
    expect(errors).toEqual([
      { type: 'error', node: 'pae', message: "PAE 'pae': param 'alpha', fed by its input: 40 is above the maximum 16" },
    ]);
  });
});

describe('clear errors', () => {
  it('names a missing bundle, a latent from another bundle, a prompt-only PAE input and an empty corpus', async () => {
    const missing = await runDoc(
      engine,
      graph(
        [
          ['models', 'models/load', { bundle: join(dir, 'nope', 'manifest.json') }],
          ['c', captureType('Models')],
        ],
        ['models.models > c.value'],
      ),
    );
    expect(missing.errors[0]).toMatchObject({
      node: 'models',
      message: expect.stringContaining('cannot read the bundle manifest'),
    });

    const other = await writeTinyBundle({ manifest: (m) => (m.name = 'other') });
    const mixed = await runDoc(
      engine,
      graph(
        [
          ['a', 'models/load', { bundle: manifest }],
          ['b', 'models/load', { bundle: join(other, 'manifest.json') }],
          ['face', 'latent/random'],
          ['decode', 'latent/decode'],
          ['c', captureType('Image')],
        ],
        ['a.models > face.models', 'face.latent > decode.latent', 'b.models > decode.models', 'decode.image > c.value'],
      ),
    );
    expect(mixed.errors).toEqual([
      {
        type: 'error',
        node: 'decode',
        message: expect.stringMatching(
          /^the latent on input 'latent' was made with the bundle tiny@.* but the models input is other@.*; connect the same Load Models node$/,
        ),
      },
    ]);

    const wrong = oneEdit();
    wrong.connections = wrong.connections.filter((c) => !(c.to.node === 'pae' && c.to.input === 'image'));
    wrong.nodes.push({ id: 'prompt', type: 'clip/text', position: [0, 0], params: {} });
    wrong.connections.push(
      { from: { node: 'models', output: 'models' }, to: { node: 'prompt', input: 'models' } },
      { from: { node: 'prompt', output: 'embedding' }, to: { node: 'pae', input: 'image' } },
    );
    const promptAsImage = await runDoc(engine, wrong);
    expect(promptAsImage.errors[0]).toMatchObject({
      node: 'pae',
      message: `input 'image' needs the embedding of an image, got the embedding of the prompt "a happy face"`,
    });

    const empty = await runDoc(
      engine,
      graph(
        [
          ['corpus', 'pae/corpus', { prompts: ['  '] }],
          ['c', captureType('Prompts')],
        ],
        ['corpus.prompts > c.value'],
      ),
    );
    expect(empty.errors[0]).toMatchObject({
      node: 'corpus',
      message: 'the corpus is empty: write at least one prompt, or pick a preset',
    });
  });
});
