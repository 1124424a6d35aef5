// What the app does with runs: Run and Run to here add a snapshot of the graph to the queue, the
// running item's events go onto the nodes, finished runs go into the history (IndexedDB), and a
// history entry can be opened again — its graph, with what its nodes showed.
import type { NodeRegistry } from '../engine/graph/registry.js';
import { validateDocument } from '../engine/graph/validate.js';
import type { EngineEvent } from '../engine/run/events.js';
import { type EngineClient, RunFailedError } from '../engine/run/worker-client.js';
import type { ClipPae } from '../plugin/index.js';
import { type FinishedRun, type QueueItem, type RunOutcome, RunQueue } from './run-queue.js';
import { type HistoryBackend, type HistoryEntry, packSummaries, RunHistory, unpackSummaries } from './run-history.js';
import type { RunsAction } from './runs-panel.js';

/** What Runs sets on the panel (<clip-pae-runs>) and hears from it ('runs-action'). */
export interface RunsPanel extends EventTarget {
  queue: readonly QueueItem[];
  history: readonly HistoryEntry[];
  historyProblem: string;
}

export interface RunsHooks {
  onStart(item: QueueItem): void;
  onEnd(outcome: RunOutcome, item: QueueItem): void;
  /** Every event of the running item. */
  onEvent?(event: EngineEvent): void;
  /** The waiting and running items changed. */
  onQueueChange?(items: readonly QueueItem[]): void;
}

export class Runs {
  readonly queue: RunQueue;
  readonly history: RunHistory;
  /** Bumped whenever another graph is loaded: a run queued before no longer draws on the nodes. */
  private graph = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Writes to the history, in order, so a test (or a reload) can wait for the last one. */
  private saving: Promise<unknown> = Promise.resolve();

  constructor(
    client: EngineClient,
    /** What stored graphs are checked against before they are opened again. */
    private readonly registry: NodeRegistry,
    private readonly clipPae: ClipPae,
    private readonly panel: RunsPanel,
    hooks: RunsHooks,
    backend: HistoryBackend,
    /** How long auto-run waits after the last edit. */
    readonly debounceMs = 400,
  ) {
    this.history = new RunHistory(backend);
    const onNodes = (item: QueueItem) => item.graph === this.graph;
    this.queue = new RunQueue(
      (item, onEvent) => {
        const handle = client.run(item.doc, { onEvent, targets: item.targets });
        const done = handle.done.then(
          (summary): RunOutcome => ({ kind: 'finished', summary }),
          (e: Error): RunOutcome => ({
            kind: 'invalid',
            message: e.message,
            errors: e instanceof RunFailedError ? e.errors : [],
          }),
        );
        return { done, cancel: handle.cancel };
      },
      {
        onChange: (items) => {
          panel.queue = items;
          hooks.onQueueChange?.(items);
        },
        onStart: (item) => {
          if (onNodes(item)) clipPae.runStarted(item.targets);
          hooks.onStart(item);
        },
        onEvent: (item, event) => {
          if (onNodes(item)) clipPae.showEngineEvent(event);
          hooks.onEvent?.(event);
        },
        onFinished: (run) => {
          if (onNodes(run.item)) clipPae.runFinished(run.outcome.kind === 'finished' ? run.outcome.summary : undefined);
          hooks.onEnd(run.outcome, run.item);
          this.saving = this.saving.then(() => this.remember(run));
        },
      },
      (doc) => doc.nodes.filter((n) => clipPae.registry.get(n.type)?.sink).map((n) => n.id),
    );
    panel.addEventListener('runs-action', (e) => void this.onAction((e as CustomEvent<RunsAction>).detail));
  }

  /** Queues the open graph (only `targets` and what they need, when given). */
  run(targets?: string[], options: { auto?: boolean } = {}): QueueItem {
    this.clearTimer();
    return this.queue.enqueue(this.clipPae.toDocument(), { targets, auto: options.auto, graph: this.graph });
  }

  /** Auto-run: queues after `debounceMs` of quiet; each call restarts the wait. */
  schedule(): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run(undefined, { auto: true });
    }, this.debounceMs);
  }

  cancelRunning(): void {
    this.clearTimer();
    const running = this.queue.running;
    if (running) this.queue.cancel(running.id);
  }

  /** Another graph was loaded: queued runs go on, but no longer draw on the nodes. */
  graphReplaced(): void {
    this.clearTimer();
    this.graph++;
  }

  /** Reads the stored history into the panel (also after each finished run). */
  async refreshHistory(): Promise<void> {
    try {
      this.panel.history = await this.history.list();
      this.panel.historyProblem = '';
    } catch (e) {
      this.panel.historyProblem = `Run history unavailable: ${(e as Error).message}`;
    }
  }

  /** Settles once every finished run so far is stored. */
  stored(): Promise<unknown> {
    return this.saving;
  }

  /**
   * Opens a finished run: its graph, and on its nodes what they showed when it finished. The stored
   * document is validated again (it may come from an older version of the app); a problem is
   * returned and the open graph is left as it was.
   */
  async restore(id: string): Promise<{ ok: true } | { ok: false; problem: string }> {
    const entry = await this.history.get(id);
    if (!entry) return { ok: false, problem: `no run '${id}' in the history` };
    const checked = validateDocument(entry.doc, this.registry);
    if (!checked.ok) {
      const first = checked.errors[0]!;
      return { ok: false, problem: `the stored graph is not valid: ${first.path || '(document)'}: ${first.message}` };
    }
    this.graphReplaced();
    await this.clipPae.loadDocument(checked.document);
    for (const [node, outcome] of Object.entries(entry.nodes)) {
      const outputs = entry.outputs[node];
      if (outcome.status === 'done' && outputs)
        this.clipPae.showEngineEvent({
          type: 'done',
          node,
          ms: outcome.ms,
          cached: outcome.cached,
          outputs: unpackSummaries(outputs),
        });
      else if (outcome.status === 'error')
        this.clipPae.showEngineEvent({ type: 'error', node, message: outcome.message });
      else if (outcome.status === 'skipped')
        this.clipPae.showEngineEvent({ type: 'skipped', node, because: outcome.because });
    }
    return { ok: true };
  }

  private async remember(run: FinishedRun): Promise<void> {
    const { item, outcome, startedAt, finishedAt } = run;
    const outputs: HistoryEntry['outputs'] = {};
    for (const [node, summaries] of Object.entries(item.outputs)) outputs[node] = packSummaries(summaries);
    const entry: HistoryEntry = {
      id: `${finishedAt.toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      startedAt,
      finishedAt,
      ms: outcome.kind === 'finished' ? outcome.summary.ms : finishedAt - startedAt,
      status: outcome.kind === 'finished' ? outcome.summary.status : 'invalid',
      title: typeof item.doc.meta?.title === 'string' ? item.doc.meta.title : '',
      doc: item.doc,
      targets: item.targets,
      nodes: outcome.kind === 'finished' ? outcome.summary.nodes : {},
      outputs,
    };
    try {
      this.panel.history = await this.history.add(entry);
      this.panel.historyProblem = '';
    } catch (e) {
      this.panel.historyProblem = `This run could not be stored: ${(e as Error).message}`;
    }
  }

  private async onAction(action: RunsAction): Promise<void> {
    switch (action.action) {
      case 'remove':
        this.queue.remove(action.id);
        break;
      case 'cancel':
        this.queue.cancel(action.id);
        break;
      case 'restore': {
        const restored = await this.restore(action.id);
        this.panel.historyProblem = restored.ok ? '' : `Could not open that run: ${restored.problem}`;
        break;
      }
      case 'clear-history':
        await this.history.clear();
        await this.refreshHistory();
        break;
    }
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
