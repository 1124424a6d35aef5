// Runs the open graph in the engine's worker: one run at a time (a new run cancels the old
// one), events onto the nodes, and auto-run after edits, debounced.
import type { GraphDocument } from '../engine/graph/document.js';
import type { EngineEvent, RunSummary } from '../engine/run/events.js';
import { type EngineClient, RunFailedError } from '../engine/run/worker-client.js';
import type { DocumentError } from '../engine/graph/validate.js';
import type { ClipPae } from '../plugin/index.js';

export type RunOutcome =
  | { kind: 'finished'; summary: RunSummary }
  | { kind: 'invalid'; message: string; errors: DocumentError[] }
  | { kind: 'superseded' };

export interface RunnerHooks {
  onStart(): void;
  onEnd(outcome: RunOutcome): void;
  /** Every event of the current run, after the nodes have shown it. */
  onEvent?(event: EngineEvent): void;
}

export class Runner {
  private current: { cancel(): void; token: number } | undefined;
  private token = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly client: EngineClient,
    private readonly editor: ClipPae,
    private readonly hooks: RunnerHooks,
    /** How long auto-run waits after the last edit. */
    readonly debounceMs = 400,
  ) {}

  get running(): boolean {
    return this.current !== undefined;
  }

  async run(doc: GraphDocument = this.editor.toDocument()): Promise<RunOutcome> {
    this.clearTimer();
    this.current?.cancel();
    const token = ++this.token;
    this.editor.runStarted();
    this.hooks.onStart();
    const handle = this.client.run(doc, {
      onEvent: (event) => {
        if (token !== this.token) return;
        this.editor.showEngineEvent(event);
        this.hooks.onEvent?.(event);
      },
    });
    this.current = { cancel: handle.cancel, token };
    let outcome: RunOutcome;
    try {
      outcome = { kind: 'finished', summary: await handle.done };
    } catch (e) {
      outcome =
        e instanceof RunFailedError
          ? { kind: 'invalid', message: e.message, errors: e.errors }
          : { kind: 'invalid', message: (e as Error).message, errors: [] };
    }
    if (token !== this.token) return { kind: 'superseded' };
    this.current = undefined;
    this.editor.runFinished(outcome.kind === 'finished' ? outcome.summary : undefined);
    this.hooks.onEnd(outcome);
    return outcome;
  }

  cancel(): void {
    this.clearTimer();
    this.current?.cancel();
  }

  /** Runs after `debounceMs` of quiet; each call restarts the wait. */
  schedule(): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, this.debounceMs);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
