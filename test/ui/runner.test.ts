// The app's runner: one run at a time, events onto the nodes, debounced auto-run.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Runner } from '../../src/ui/runner.js';
import { RunFailedError, type EngineClient } from '../../src/engine/run/worker-client.js';
import type { EngineEvent, RunSummary } from '../../src/engine/run/events.js';
import type { ClipPae } from '../../src/plugin/index.js';
import { emptyDocument } from '../../src/engine/graph/document.js';

function fakes() {
  const runs: {
    onEvent?: (e: EngineEvent) => void;
    resolve(s: RunSummary): void;
    reject(e: Error): void;
    cancelled: boolean;
  }[] = [];
  const client = {
    run(_doc: unknown, options: { onEvent?: (e: EngineEvent) => void }) {
      let resolve!: (s: RunSummary) => void;
      let reject!: (e: Error) => void;
      const done = new Promise<RunSummary>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      const run = { onEvent: options.onEvent, resolve, reject, cancelled: false };
      runs.push(run);
      return { done, cancel: () => (run.cancelled = true) };
    },
  } as unknown as EngineClient;
  const shown: EngineEvent[] = [];
  const calls: string[] = [];
  const editor = {
    toDocument: () => emptyDocument(),
    runStarted: () => calls.push('started'),
    showEngineEvent: (e: EngineEvent) => shown.push(e),
    runFinished: () => calls.push('finished'),
  } as unknown as ClipPae;
  const outcomes: string[] = [];
  const runner = new Runner(client, editor, { onStart: () => undefined, onEnd: (o) => outcomes.push(o.kind) }, 100);
  return { runs, shown, calls, outcomes, runner };
}

const summary: RunSummary = { status: 'ok', ms: 1, nodes: {}, files: [] };

describe('runner', () => {
  afterEach(() => vi.useRealTimers());

  it('forwards events of the current run and reports its end', async () => {
    const { runs, shown, calls, outcomes, runner } = fakes();
    const done = runner.run();
    expect(runner.running).toBe(true);
    runs[0]!.onEvent!({ type: 'started', node: 'a' });
    runs[0]!.resolve(summary);
    expect(await done).toEqual({ kind: 'finished', summary });
    expect(shown).toEqual([{ type: 'started', node: 'a' }]);
    expect(calls).toEqual(['started', 'finished']);
    expect(outcomes).toEqual(['finished']);
    expect(runner.running).toBe(false);
  });

  it('cancels the old run when a new one starts and drops its late events', async () => {
    const { runs, shown, outcomes, runner } = fakes();
    const first = runner.run();
    const second = runner.run();
    expect(runs[0]!.cancelled).toBe(true);
    runs[0]!.onEvent!({ type: 'started', node: 'old' });
    runs[0]!.resolve({ ...summary, status: 'cancelled' });
    expect(await first).toEqual({ kind: 'superseded' });
    runs[1]!.resolve(summary);
    await second;
    expect(shown).toEqual([]);
    expect(outcomes).toEqual(['finished']);
  });

  it('reports an invalid document with its errors', async () => {
    const { runs, runner } = fakes();
    const done = runner.run();
    runs[0]!.reject(new RunFailedError('the graph is not valid', [{ path: 'nodes[0].type', message: 'unknown' }]));
    expect(await done).toEqual({
      kind: 'invalid',
      message: 'the graph is not valid',
      errors: [{ path: 'nodes[0].type', message: 'unknown' }],
    });
  });

  it('auto-runs once after a burst of edits', async () => {
    vi.useFakeTimers();
    const { runs, runner } = fakes();
    runner.schedule();
    vi.advanceTimersByTime(60);
    runner.schedule();
    vi.advanceTimersByTime(60);
    expect(runs).toHaveLength(0);
    vi.advanceTimersByTime(50);
    expect(runs).toHaveLength(1);
  });
});
