// The run queue's state machine, driven by a fake executor whose runs the test finishes by hand.
import { describe, expect, it } from 'vitest';
import type { GraphDocument } from '../../src/engine/graph/document.js';
import type { EngineEvent, RunSummary } from '../../src/engine/run/events.js';
import { neededNodes, type FinishedRun, type QueueItem, type RunOutcome, RunQueue } from '../../src/ui/run-queue.js';

function chain(...ids: string[]): GraphDocument {
  return {
    format: 'rete-clip-pae/graph',
    version: 2,
    nodes: ids.map((id, i) => ({ id, type: 'image/resize', position: [i * 100, 0], params: {} })),
    connections: ids
      .slice(1)
      .map((id, i) => ({ from: { node: ids[i]!, output: 'image' }, to: { node: id, input: 'image' } })),
  } as GraphDocument;
}

interface FakeRun {
  item: QueueItem;
  emit(event: EngineEvent): void;
  finish(status?: RunSummary['status']): void;
  cancelled: boolean;
}

function fakeQueue() {
  const runs: FakeRun[] = [];
  const finished: FinishedRun[] = [];
  const changes: number[][] = [];
  let clock = 1000;
  const queue = new RunQueue(
    (item, onEvent) => {
      let resolve!: (o: RunOutcome) => void;
      const done = new Promise<RunOutcome>((r) => (resolve = r));
      const run: FakeRun = {
        item,
        emit: onEvent,
        cancelled: false,
        finish: (status = 'ok') => resolve({ kind: 'finished', summary: { status, ms: 5, nodes: {}, files: [] } }),
      };
      runs.push(run);
      return {
        done,
        cancel: () => {
          run.cancelled = true;
          run.finish('cancelled');
        },
      };
    },
    {
      onFinished: (r) => finished.push(r),
      onChange: (items) => changes.push(items.map((i) => i.id)),
    },
    (doc) => [doc.nodes[doc.nodes.length - 1]!.id],
    () => (clock += 10),
  );
  return { queue, runs, finished, changes };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('run queue', () => {
  it('runs one item at a time, in order, each on the snapshot taken when it was queued', async () => {
    const { queue, runs, finished } = fakeQueue();
    const doc = chain('a', 'b');
    const first = queue.enqueue(doc);
    doc.nodes[0]!.params = { width: 99 };
    const second = queue.enqueue(doc);
    expect(queue.items.map((i) => [i.id, i.state])).toEqual([
      [first.id, 'running'],
      [second.id, 'waiting'],
    ]);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.item.doc.nodes[0]!.params).toEqual({});
    runs[0]!.finish();
    await tick();
    expect(finished.map((f) => f.item.id)).toEqual([first.id]);
    expect(runs).toHaveLength(2);
    expect(runs[1]!.item.doc.nodes[0]!.params).toEqual({ width: 99 });
    runs[1]!.finish();
    await queue.idle();
    expect(queue.items).toEqual([]);
    expect(finished.map((f) => f.item.id)).toEqual([first.id, second.id]);
    expect(finished[0]!.finishedAt).toBeGreaterThan(finished[0]!.startedAt);
  });

  it('removes a waiting item, cancels the running one, and refuses to remove a running one', async () => {
    const { queue, runs, finished } = fakeQueue();
    const a = queue.enqueue(chain('a'));
    const b = queue.enqueue(chain('b'));
    const c = queue.enqueue(chain('c'));
    expect(queue.remove(a.id)).toBe(false);
    expect(queue.remove(b.id)).toBe(true);
    expect(queue.items.map((i) => i.id)).toEqual([a.id, c.id]);
    expect(queue.cancel(a.id)).toBe(true);
    expect(runs[0]!.cancelled).toBe(true);
    await tick();
    expect(finished[0]!.outcome).toMatchObject({ kind: 'finished', summary: { status: 'cancelled' } });
    expect(runs.map((r) => r.item.id)).toEqual([a.id, c.id]);
    expect(queue.running?.id).toBe(c.id);
    expect(queue.cancel(999)).toBe(false);
  });

  it('reports progress as the share of needed nodes finished and keeps what each node showed', () => {
    const { queue, runs } = fakeQueue();
    const item = queue.enqueue(chain('a', 'b', 'c', 'd'), { targets: ['b'] });
    expect(item.targets).toEqual(['b']);
    const run = runs[0]!;
    run.emit({ type: 'started', node: 'a' });
    run.emit({ type: 'progress', node: 'a', fraction: 0.5 });
    expect(item.fraction).toBeCloseTo(0.25);
    run.emit({ type: 'done', node: 'a', ms: 1, cached: false, outputs: { image: { kind: 'value', text: 'x' } } });
    expect(item.fraction).toBeCloseTo(0.5);
    run.emit({ type: 'error', node: 'b', message: 'no' });
    expect(item.fraction).toBe(1);
    expect(item.outputs).toEqual({ a: { image: { kind: 'value', text: 'x' } } });
  });

  it('lets a newer auto-run replace a waiting auto-run but never an item queued by hand', () => {
    const { queue } = fakeQueue();
    const running = queue.enqueue(chain('a'));
    const byHand = queue.enqueue(chain('b'));
    queue.enqueue(chain('c'), { auto: true });
    const newest = queue.enqueue(chain('d'), { auto: true });
    expect(queue.items.map((i) => i.id)).toEqual([running.id, byHand.id, newest.id]);
  });

  it('finishes an item whose executor rejects as invalid and goes on with the next', async () => {
    let calls = 0;
    const finished: FinishedRun[] = [];
    const queue = new RunQueue(
      () => {
        calls++;
        return calls === 1
          ? { done: Promise.reject(new Error('worker refused')), cancel: () => undefined }
          : { done: new Promise<RunOutcome>(() => undefined), cancel: () => undefined };
      },
      { onFinished: (r) => finished.push(r) },
    );
    queue.enqueue(chain('a'));
    queue.enqueue(chain('b'));
    await tick();
    expect(finished[0]!.outcome).toEqual({ kind: 'invalid', message: 'worker refused', errors: [] });
    expect(calls).toBe(2);
  });

  it('finds the nodes a target needs, and only those', () => {
    const doc = chain('a', 'b', 'c');
    doc.nodes.push({ id: 'x', type: 'image/preview', position: [0, 0], params: {} });
    doc.connections.push({ from: { node: 'a', output: 'image' }, to: { node: 'x', input: 'image' } });
    expect([...neededNodes(doc, ['b'])].sort()).toEqual(['a', 'b']);
    expect([...neededNodes(doc, ['x', 'c'])].sort()).toEqual(['a', 'b', 'c', 'x']);
  });
});
