// Small nodes for engine tests: numbers flowing through sums, with counters, failures, gates.
import { defineNode, type EngineServices, type NodeDefinition } from '../../src/engine/graph/definition.js';
import type { GraphDocument } from '../../src/engine/graph/document.js';
import { NodeRegistry, type SocketTypeDef } from '../../src/engine/graph/registry.js';

export const runs: Record<string, number> = {};
const count = (type: string) => (runs[type] = (runs[type] ?? 0) + 1);

/** A promise the test opens by hand, to hold a node mid-run. */
export function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

export const gates: { slow?: ReturnType<typeof gate>; stubborn?: ReturnType<typeof gate> } = {};

const defs: NodeDefinition[] = [
  defineNode({
    type: 'test/number',
    title: 'Number',
    category: 'Test',
    help: 'A constant.',
    inputs: {},
    outputs: { value: { type: 'Number' } },
    params: { value: { kind: 'number', default: 0, help: 'The value.' } },
    async run(ctx) {
      count('test/number');
      return { value: ctx.params.value };
    },
  }),
  defineNode({
    type: 'test/add',
    title: 'Add',
    category: 'Test',
    help: 'a + b.',
    inputs: { a: { type: 'Number' }, b: { type: 'Number', optional: true } },
    outputs: { sum: { type: 'Number' } },
    params: {},
    async run(ctx) {
      count('test/add');
      return { sum: ctx.inputs.a + (ctx.inputs.b ?? 0) };
    },
  }),
  defineNode({
    type: 'test/sink',
    title: 'Sink',
    category: 'Test',
    help: 'Shows a number.',
    sink: true,
    inputs: { value: { type: 'Number' } },
    outputs: {},
    params: {},
    async run(ctx) {
      count('test/sink');
      ctx.show('value', { kind: 'value', text: `= ${ctx.inputs.value}` });
      ctx.emitFile({
        name: 'value.txt',
        mime: 'text/plain',
        bytes: new TextEncoder().encode(String(ctx.inputs.value)),
      });
      return {};
    },
  }),
  defineNode({
    type: 'test/fail',
    title: 'Fail',
    category: 'Test',
    help: 'Always throws.',
    inputs: { value: { type: 'Number' } },
    outputs: { value: { type: 'Number' } },
    params: { message: { kind: 'text', default: 'broken on purpose', help: 'The error.' } },
    async run(ctx) {
      count('test/fail');
      throw new Error(ctx.params.message);
    },
  }),
  defineNode({
    type: 'test/slow',
    title: 'Slow',
    category: 'Test',
    help: 'Waits for gates.slow, honouring the signal.',
    inputs: { value: { type: 'Number' } },
    outputs: { value: { type: 'Number' } },
    params: {},
    async run(ctx) {
      count('test/slow');
      ctx.progress(0.25, 'waiting');
      await new Promise<void>((resolve, reject) => {
        ctx.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')), { once: true });
        gates.slow!.promise.then(resolve);
      });
      return { value: ctx.inputs.value };
    },
  }),
  defineNode({
    type: 'test/stubborn',
    title: 'Stubborn',
    category: 'Test',
    help: 'Waits for gates.stubborn and ignores the signal.',
    inputs: { value: { type: 'Number' } },
    outputs: { value: { type: 'Number' } },
    params: {},
    async run(ctx) {
      count('test/stubborn');
      await gates.stubborn!.promise;
      ctx.progress(1, 'finished late');
      return { value: ctx.inputs.value };
    },
  }),
  defineNode({
    type: 'test/blob',
    title: 'Blob',
    category: 'Test',
    help: 'n floats.',
    inputs: {},
    outputs: { value: { type: 'Blob' } },
    params: {
      n: { kind: 'number', default: 1000, integer: true, help: 'Length.' },
      seed: { kind: 'number', default: 0, help: 'Fill.' },
    },
    async run(ctx) {
      count('test/blob');
      return { value: new Float32Array(ctx.params.n).fill(ctx.params.seed) };
    },
  }),
  defineNode({
    type: 'test/blob-sink',
    title: 'Blob sink',
    category: 'Test',
    help: 'Takes a blob.',
    sink: true,
    inputs: { value: { type: 'Blob' } },
    outputs: {},
    params: {},
    async run() {
      return {};
    },
  }),
  defineNode({
    type: 'test/forgetful',
    title: 'Forgetful',
    category: 'Test',
    help: 'Declares an output it never returns.',
    inputs: {},
    outputs: { value: { type: 'Number' } },
    params: {},
    async run() {
      // Breaks its own promise on purpose: the engine must notice.
      return {} as { value: number };
    },
  }),
];

/** The engine knows no socket type: these tests bring their own. */
export const testSockets: readonly SocketTypeDef[] = [
  {
    name: 'Number',
    help: 'A number',
    check: (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : `expected a number, got ${typeof v}`),
    feedsParams: ['number'],
  },
  {
    name: 'Blob',
    help: 'Floats',
    check: (v) => (v instanceof Float32Array ? undefined : 'expected a Float32Array'),
  },
];

export const registry = new NodeRegistry([{ sockets: testSockets, nodes: defs }]);

type Spec = [id: string, type: string, params?: Record<string, unknown>];

/** A document from [id, type, params] triples and "from.output>to.input" strings. */
export function graph(nodes: Spec[], wires: string[]): GraphDocument {
  return {
    format: 'rete-clip-pae/graph',
    version: 2,
    nodes: nodes.map(([id, type, params], i) => ({ id, type, position: [i * 200, 0], params: params ?? {} })),
    connections: wires.map((w) => {
      const [from, to] = w.split('>') as [string, string];
      const [fromNode, output] = from.split('.') as [string, string];
      const [toNode, input] = to.split('.') as [string, string];
      return { from: { node: fromNode, output }, to: { node: toNode, input } };
    }),
  };
}

export const noServices: EngineServices = {
  loadBytes: async () => {
    throw new Error('tests load nothing');
  },
  fingerprint: async () => {
    throw new Error('tests read nothing');
  },
};
