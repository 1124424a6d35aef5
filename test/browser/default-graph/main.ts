// A page for test/browser/default-graph.test.ts: the engine's real Web Worker (browser services,
// model service, onnxruntime-web) running graphs/default.json, with what the test needs to read
// back: every event's summary, and a way to cancel a run after a number of optimization steps.
import defaultGraph from '../../../graphs/default.json?raw';
import type { GraphDocument } from '../../../src/engine/graph/document.js';
import type { EngineEvent, RunSummary } from '../../../src/engine/run/events.js';
import { EngineClient } from '../../../src/engine/run/worker-client.js';

const worker = new Worker(new URL('../../../src/host/worker.ts', import.meta.url), { type: 'module' });
const client = new EngineClient(worker, { base: new URL('/', location.href).href });

export interface PageRun {
  summary: RunSummary;
  /** The `done` outputs by node; images as plain number arrays so they cross into the test. */
  done: Record<string, Record<string, unknown>>;
  errors: { node: string; message: string }[];
  previews: Record<string, number>;
  progress: Record<string, number>;
}

function plain(value: unknown): unknown {
  if (value instanceof Float32Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

async function run(
  doc: GraphDocument,
  options: { cancelAfterProgress?: { node: string; events: number } } = {},
): Promise<PageRun> {
  const done: PageRun['done'] = {};
  const errors: PageRun['errors'] = [];
  const previews: Record<string, number> = {};
  const progress: Record<string, number> = {};
  let handle: { done: Promise<RunSummary>; cancel(): void } | undefined;
  const onEvent = (e: EngineEvent) => {
    if (e.type === 'done') done[e.node] = plain(e.outputs) as Record<string, unknown>;
    else if (e.type === 'error') errors.push({ node: e.node, message: e.message });
    else if (e.type === 'preview') previews[e.node] = (previews[e.node] ?? 0) + 1;
    else if (e.type === 'progress') {
      progress[e.node] = (progress[e.node] ?? 0) + 1;
      const c = options.cancelAfterProgress;
      if (c && e.node === c.node && progress[e.node] === c.events) handle?.cancel();
    }
  };
  handle = client.run(doc, { onEvent });
  const summary = await handle.done;
  return { summary, done, errors, previews, progress };
}

Object.assign(window, { __pipeline: { defaultGraph: JSON.parse(defaultGraph) as GraphDocument, run } });
document.body.dataset.ready = 'true';
