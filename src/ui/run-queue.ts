// The run queue: graphs waiting to run, one running at a time, each a snapshot of the document
// taken when it was queued (editing the graph afterwards does not change a queued run). Plain
// logic with no DOM: the executor that really runs an item is handed in, so tests drive it with
// a fake one.
import type { GraphDocument } from '../engine/graph/document.js';
import type { EngineEvent, OutputSummary, RunSummary } from '../engine/run/events.js';
import type { DocumentError } from '../engine/graph/validate.js';

export type RunOutcome =
  | { kind: 'finished'; summary: RunSummary }
  | { kind: 'invalid'; message: string; errors: DocumentError[] };

export type QueueItemState = 'waiting' | 'running';

export interface QueueItem {
  readonly id: number;
  readonly doc: GraphDocument;
  /** Node ids to run with what they need ("Run to here"); all sinks when absent. */
  readonly targets?: string[];
  /** Queued by auto-run: a newer auto-run replaces it while it still waits. */
  readonly auto: boolean;
  /** Which graph the host had open when it was queued (the host's own count of loaded graphs). */
  readonly graph?: number;
  readonly queuedAt: number;
  state: QueueItemState;
  startedAt?: number;
  /** In [0, 1] while running: the share of the run's nodes that have finished. */
  fraction: number;
  /** Node the run is at now. */
  current?: string;
  /** What each node finished with (its summaries), for the history. */
  readonly outputs: Record<string, Record<string, OutputSummary>>;
}

export interface FinishedRun {
  item: QueueItem;
  outcome: RunOutcome;
  startedAt: number;
  finishedAt: number;
}

/** Runs one item; `cancel` stops it, after which `done` still settles (a cancelled summary). */
export type RunExecutor = (
  item: QueueItem,
  onEvent: (event: EngineEvent) => void,
) => { done: Promise<RunOutcome>; cancel(): void };

export interface QueueHooks {
  /** The waiting and running items changed (added, removed, started, progressed). */
  onChange?(items: readonly QueueItem[]): void;
  /** An item started: before its first event. */
  onStart?(item: QueueItem): void;
  /** Every event of the running item. */
  onEvent?(item: QueueItem, event: EngineEvent): void;
  onFinished?(run: FinishedRun): void;
}

/** The nodes a run evaluates: its targets (by default the sinks) and everything upstream. */
export function neededNodes(doc: GraphDocument, targets: readonly string[]): Set<string> {
  const feeding = new Map<string, string[]>();
  for (const c of doc.connections) {
    if (!feeding.has(c.to.node)) feeding.set(c.to.node, []);
    feeding.get(c.to.node)!.push(c.from.node);
  }
  const seen = new Set<string>();
  const stack = [...targets];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(feeding.get(id) ?? []));
  }
  return seen;
}

export class RunQueue {
  private readonly waiting: QueueItem[] = [];
  private active: { item: QueueItem; cancel(): void; total: number; finished: Set<string> } | undefined;
  private nextId = 1;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly execute: RunExecutor,
    private readonly hooks: QueueHooks = {},
    /** Which nodes of a document are sinks (what a run without targets evaluates). */
    private readonly sinksOf: (doc: GraphDocument) => string[] = () => [],
    private readonly now: () => number = Date.now,
  ) {}

  /** The running item first, then the waiting ones in order. */
  get items(): readonly QueueItem[] {
    return this.active ? [this.active.item, ...this.waiting] : [...this.waiting];
  }

  get running(): QueueItem | undefined {
    return this.active?.item;
  }

  /**
   * Adds a snapshot of `doc`; starts it at once when nothing runs. An auto-run replaces an
   * auto-run still waiting (only the newest edit matters), never an item queued by hand.
   */
  enqueue(doc: GraphDocument, options: { targets?: string[]; auto?: boolean; graph?: number } = {}): QueueItem {
    const auto = options.auto === true;
    if (auto) {
      const stale = this.waiting.findIndex((i) => i.auto);
      if (stale >= 0) this.waiting.splice(stale, 1);
    }
    const item: QueueItem = {
      id: this.nextId++,
      doc: structuredClone(doc),
      targets: options.targets ? [...options.targets] : undefined,
      auto,
      graph: options.graph,
      queuedAt: this.now(),
      state: 'waiting',
      fraction: 0,
      outputs: {},
    };
    this.waiting.push(item);
    this.changed();
    this.pump();
    return item;
  }

  /** Takes a waiting item out of the queue; false when it is not waiting (running or gone). */
  remove(id: number): boolean {
    const index = this.waiting.findIndex((i) => i.id === id);
    if (index < 0) return false;
    this.waiting.splice(index, 1);
    this.changed();
    return true;
  }

  /** Cancels the running item (it finishes as cancelled); a waiting one is removed. */
  cancel(id: number): boolean {
    if (this.active?.item.id === id) {
      this.active.cancel();
      return true;
    }
    return this.remove(id);
  }

  /** Cancels what runs and drops everything waiting. */
  cancelAll(): void {
    this.waiting.length = 0;
    this.active?.cancel();
    this.changed();
  }

  /** Settles once nothing runs or waits. */
  idle(): Promise<void> {
    if (!this.active && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    if (this.active) return;
    const item = this.waiting.shift();
    if (!item) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
      return;
    }
    item.state = 'running';
    const startedAt = this.now();
    item.startedAt = startedAt;
    const total = neededNodes(item.doc, item.targets ?? this.sinksOf(item.doc)).size;
    const finished = new Set<string>();
    this.hooks.onStart?.(item);
    const handle = this.execute(item, (event) => {
      this.noteEvent(item, event, total, finished);
      this.hooks.onEvent?.(item, event);
    });
    this.active = { item, cancel: handle.cancel, total, finished };
    this.changed();
    const settle = (outcome: RunOutcome) => {
      this.active = undefined;
      this.hooks.onFinished?.({ item, outcome, startedAt, finishedAt: this.now() });
      this.changed();
      this.pump();
    };
    handle.done.then(settle, (e: unknown) =>
      settle({ kind: 'invalid', message: e instanceof Error ? e.message : String(e), errors: [] }),
    );
  }

  private noteEvent(item: QueueItem, event: EngineEvent, total: number, finished: Set<string>): void {
    if (event.type === 'cancelled') return;
    if (event.type === 'started' || event.type === 'progress') item.current = event.node;
    if (event.type === 'done' || event.type === 'error' || event.type === 'skipped') finished.add(event.node);
    if (event.type === 'done') item.outputs[event.node] = event.outputs;
    const running = event.type === 'progress' ? event.fraction : 0;
    item.fraction = total === 0 ? 1 : Math.min(1, (finished.size + running) / total);
    this.changed();
  }

  private changed(): void {
    this.hooks.onChange?.(this.items);
  }
}
