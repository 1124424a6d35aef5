// Helpers for the pipeline node tests: documents written compactly, and capture sinks that hand
// the tests the values flowing on a connection (the engine itself only reports summaries).
import { defineNode, type NodeDefinition } from '../../src/engine/graph/definition.js';
import type { GraphDocument } from '../../src/engine/graph/document.js';
import type { EngineEvent, RunSummary } from '../../src/engine/run/events.js';
import type { Engine } from '../../src/engine/run/engine.js';
import { NodeRegistry, type NodeFamily } from '../../src/engine/graph/registry.js';
import { nodeFamilies } from '../../src/nodes/registry.js';

/** What the capture sinks received, by node id. */
export const captured: Record<string, unknown> = {};

const CAPTURED_TYPES = [
  'Latent',
  'Image',
  'Embedding',
  'Target',
  'Coefficients',
  'Subspace',
  'Models',
  'Prompts',
] as const;

function capture(type: (typeof CAPTURED_TYPES)[number]): NodeDefinition {
  return defineNode({
    type: `test/capture-${type.toLowerCase()}`,
    title: `Capture ${type}`,
    category: 'Test',
    help: 'Keeps the value it receives for the test to read.',
    inputs: { value: { type } },
    outputs: {},
    params: {},
    sink: true,
    // Keyed by the whole document, so a capture re-runs for every new document and never hands a
    // test the value some earlier document left in `captured`.
    dependsOnDocument: true,
    async run(ctx) {
      captured[ctx.nodeId] = ctx.inputs.value;
      return {};
    },
  });
}

/** The plugin's families plus one capture sink per socket type. */
export const testFamilies: readonly NodeFamily[] = [
  ...nodeFamilies,
  { sockets: [], nodes: CAPTURED_TYPES.map(capture) },
];
export const testRegistry = new NodeRegistry(testFamilies);

export function captureType(type: (typeof CAPTURED_TYPES)[number]): string {
  return `test/capture-${type.toLowerCase()}`;
}

/** [id, type, params] */
export type NodeSpec = [string, string, Record<string, unknown>?];

/** nodes: [id, type, params]; wires: "from.output > to.input". */
export function graph(nodes: NodeSpec[], wires: string[]): GraphDocument {
  return {
    format: 'rete-clip-pae/graph',
    version: 2,
    nodes: nodes.map(([id, type, params], i) => ({
      id,
      type,
      position: [i * 200, 0] as [number, number],
      params: params ?? {},
    })),
    connections: wires.map((w) => {
      const m = /^([\w-]+)\.(\w+)\s*>\s*([\w-]+)\.(\w+)$/.exec(w);
      if (!m) throw new Error(`bad wire '${w}'`);
      return { from: { node: m[1]!, output: m[2]! }, to: { node: m[3]!, input: m[4]! } };
    }),
  };
}

/**
 * The edit both pipeline test files run: random face → decode → CLIP image → PAE (a semantic
 * subspace of a happy/sad corpus, prompt 'a happy face', α 4 unless `pae` says otherwise) →
 * Optimize → Compare. PAE's target is left unwired so a test can route it through something on
 * its way to the edit; the caller adds it and its own capture sinks.
 */
export function editChain(
  manifest: string,
  options: { seed: number; pae?: Record<string, unknown>; edit: Record<string, unknown> },
): { nodes: NodeSpec[]; wires: string[] } {
  return {
    nodes: [
      ['models', 'models/load', { bundle: manifest }],
      ['face', 'latent/random', { seed: options.seed, truncation: 0.7 }],
      ['decode', 'latent/decode'],
      ['clipImage', 'clip/image'],
      ['corpus', 'pae/corpus', { prompts: ['a happy face', 'a sad face'] }],
      ['subspace', 'pae/subspace', { method: 'semantic', n: 0 }],
      ['pae', 'pae/target', { prompt: 'a happy face', alpha: 4, variant: 'pae', ...options.pae }],
      ['edit', 'optimize/edit', options.edit],
      ['compare', 'output/compare'],
    ],
    wires: [
      'models.models > face.models',
      'models.models > decode.models',
      'face.latent > decode.latent',
      'models.models > clipImage.models',
      'decode.image > clipImage.image',
      'models.models > subspace.models',
      'corpus.prompts > subspace.prompts',
      'clipImage.embedding > pae.image',
      'subspace.subspace > pae.subspace',
      'models.models > edit.models',
      'face.latent > edit.latent',
      'decode.image > compare.before',
      'edit.image > compare.after',
      'pae.coefficients > compare.coefficientsBefore',
      'edit.coefficients > compare.coefficientsAfter',
    ],
  };
}

export async function runDoc(
  engine: Engine,
  doc: GraphDocument,
  options: { signal?: AbortSignal; onEvent?: (e: EngineEvent) => void } = {},
) {
  const events: EngineEvent[] = [];
  const summary: RunSummary = await engine.run(doc, {
    signal: options.signal,
    onEvent: (e) => {
      events.push(e);
      options.onEvent?.(e);
    },
  });
  const done = (node: string) =>
    events.find((e): e is Extract<EngineEvent, { type: 'done' }> => e.type === 'done' && e.node === node);
  const errors = events.filter((e) => e.type === 'error');
  return { summary, events, done, errors };
}
