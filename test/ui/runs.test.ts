// The app's runs: queued snapshots, events onto the nodes only for the graph they came from,
// finished runs stored in the history and opened again, debounced auto-run.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ImageValue } from '../../src/engine/graph/definition.js';
import { emptyDocument, type GraphDocument } from '../../src/engine/graph/document.js';
import type { EngineEvent, RunSummary } from '../../src/engine/run/events.js';
import { RunFailedError, type EngineClient } from '../../src/engine/run/worker-client.js';
import { catalogue } from '../../src/nodes/registry.js';
import type { ClipPae } from '../../src/plugin/index.js';
import type { HistoryBackend, HistoryEntry } from '../../src/ui/run-history.js';
import { type RunsPanel, Runs } from '../../src/ui/runs.js';

const image: ImageValue = { kind: 'image', width: 2, height: 1, data: new Float32Array([1, 0, 0, 1, 0, 0]) };

function memoryBackend(): HistoryBackend {
  const rows = new Map<string, HistoryEntry>();
  return {
    all: async () => [...rows.values()].map((e) => structuredClone(e)),
    put: async (e) => void rows.set(e.id, structuredClone(e)),
    delete: async (ids) => {
      for (const id of ids) rows.delete(id);
    },
    clear: async () => rows.clear(),
  };
}

function graph(title: string): GraphDocument {
  return {
    ...emptyDocument(),
    meta: { title },
    nodes: [{ id: 'p', type: 'image/preview', position: [0, 0], params: {} }],
  } as GraphDocument;
}

function fakes() {
  const runs: {
    onEvent?: (e: EngineEvent) => void;
    resolve(s: RunSummary): void;
    reject(e: Error): void;
    doc: GraphDocument;
    targets?: string[];
  }[] = [];
  const client = {
    run(doc: GraphDocument, options: { onEvent?: (e: EngineEvent) => void; targets?: string[] }) {
      let resolve!: (s: RunSummary) => void;
      let reject!: (e: Error) => void;
      const done = new Promise<RunSummary>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      runs.push({ onEvent: options.onEvent, resolve, reject, doc, targets: options.targets });
      return { done, cancel: () => resolve({ status: 'cancelled', ms: 1, nodes: {}, files: [] }) };
    },
  } as unknown as EngineClient;
  const shown: EngineEvent[] = [];
  const calls: string[] = [];
  let open = graph('first');
  const clipPae = {
    registry: catalogue,
    toDocument: () => structuredClone(open),
    loadDocument: async (doc: GraphDocument) => {
      open = doc;
      calls.push(`load ${String(doc.meta?.title)}`);
    },
    runStarted: (targets?: string[]) => calls.push(`started ${targets?.join(',') ?? 'sinks'}`),
    showEngineEvent: (e: EngineEvent) => shown.push(e),
    runFinished: () => calls.push('finished'),
  } as unknown as ClipPae;
  const panel = Object.assign(new EventTarget(), { queue: [], history: [], historyProblem: '' }) as RunsPanel;
  const ended: string[] = [];
  const app = new Runs(
    client,
    catalogue,
    clipPae,
    panel,
    { onStart: () => undefined, onEnd: (o) => ended.push(o.kind) },
    memoryBackend(),
    100,
  );
  return { runs, shown, calls, panel, ended, app, setOpen: (doc: GraphDocument) => (open = doc) };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('runs', () => {
  afterEach(() => vi.useRealTimers());

  it('runs a snapshot, shows its events on the nodes and stores it in the history', async () => {
    const { runs, shown, calls, panel, app } = fakes();
    app.run();
    expect(panel.queue.map((i) => i.state)).toEqual(['running']);
    const done: EngineEvent = {
      type: 'done',
      node: 'p',
      ms: 3,
      cached: false,
      outputs: { shown: { kind: 'image', image } },
    };
    runs[0]!.onEvent!(done);
    runs[0]!.resolve({ status: 'ok', ms: 3, nodes: { p: { status: 'done', ms: 3, cached: false } }, files: [] });
    await tick();
    await app.stored();
    expect(shown).toEqual([done]);
    expect(calls).toEqual(['started sinks', 'finished']);
    expect(panel.queue).toEqual([]);
    expect(panel.history).toHaveLength(1);
    expect(panel.history[0]).toMatchObject({ status: 'ok', title: 'first', ms: 3 });
    expect(panel.history[0]!.outputs.p!.shown).toMatchObject({ kind: 'image', width: 2, height: 1 });
  });

  it('runs to a node with its targets, and stops drawing on the nodes once another graph is open', async () => {
    const { runs, shown, calls, app } = fakes();
    app.run(['p']);
    expect(runs[0]!.targets).toEqual(['p']);
    app.graphReplaced();
    runs[0]!.onEvent!({ type: 'started', node: 'p' });
    runs[0]!.resolve({ status: 'ok', ms: 1, nodes: {}, files: [] });
    await tick();
    expect(shown).toEqual([]);
    expect(calls).toEqual(['started p']);
  });

  it('opens a stored run again: its graph and what its nodes showed', async () => {
    const { runs, shown, calls, panel, app, setOpen } = fakes();
    app.run();
    runs[0]!.onEvent!({ type: 'done', node: 'p', ms: 3, cached: false, outputs: { shown: { kind: 'image', image } } });
    runs[0]!.resolve({ status: 'ok', ms: 3, nodes: { p: { status: 'done', ms: 3, cached: false } }, files: [] });
    await tick();
    await app.stored();
    setOpen(graph('second'));
    shown.length = 0;
    expect(await app.restore(panel.history[0]!.id)).toEqual({ ok: true });
    expect(calls.at(-1)).toBe('load first');
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({
      type: 'done',
      node: 'p',
      outputs: { shown: { kind: 'image', image: { width: 2 } } },
    });
    expect(await app.restore('nope')).toEqual({ ok: false, problem: "no run 'nope' in the history" });
  });

  it('refuses to open a stored run whose graph is no longer valid, and leaves the open graph alone', async () => {
    const { runs, calls, panel, app, setOpen } = fakes();
    setOpen({
      ...graph('old'),
      nodes: [{ id: 'p', type: 'image/gone', position: [0, 0], params: {} }],
    } as GraphDocument);
    app.run();
    runs[0]!.resolve({ status: 'ok', ms: 1, nodes: {}, files: [] });
    await tick();
    await app.stored();
    const restored = await app.restore(panel.history[0]!.id);
    expect(restored.ok).toBe(false);
    expect(!restored.ok && restored.problem).toMatch(/^the stored graph is not valid: nodes\[0\]/);
    expect(calls.some((c) => c.startsWith('load'))).toBe(false);
  });

  it('stores a run the worker refused as invalid', async () => {
    const { runs, ended, panel, app } = fakes();
    app.run();
    runs[0]!.reject(new RunFailedError('the graph is not valid', [{ path: 'nodes[0].type', message: 'unknown' }]));
    await tick();
    await app.stored();
    expect(ended).toEqual(['invalid']);
    expect(panel.history[0]!.status).toBe('invalid');
  });

  it('auto-runs once after a burst of edits', () => {
    vi.useFakeTimers();
    const { runs, app } = fakes();
    app.schedule();
    vi.advanceTimersByTime(60);
    app.schedule();
    vi.advanceTimersByTime(60);
    expect(runs).toHaveLength(0);
    vi.advanceTimersByTime(50);
    expect(runs).toHaveLength(1);
  });
});
