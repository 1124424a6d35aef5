// The page side of the engine worker: one call per run, events by callback, a promise for the
// summary, and cancel().
import type { ImageValue } from '../graph/definition.js';
import type { GraphDocument } from '../graph/document.js';
import type { DocumentError } from '../graph/validate.js';
import type { EngineEvent, RunSummary } from './events.js';
import type { FromWorker, MessageEndpoint, ToWorker } from './worker-protocol.js';

/** A run the worker refused to start; `errors` holds the document's errors when it was invalid. */
export class RunFailedError extends Error {
  constructor(
    message: string,
    readonly errors: DocumentError[] = [],
  ) {
    super(message);
    this.name = 'RunFailedError';
  }
}

interface PendingRun {
  onEvent?: (event: EngineEvent) => void;
  resolve(summary: RunSummary): void;
  reject(error: Error): void;
}

export class EngineClient {
  private readonly runs = new Map<string, PendingRun>();
  private readonly images = new Map<string, (image: ImageValue | undefined) => void>();
  private nextId = 1;
  private readonly listener = (event: MessageEvent) => this.receive(event.data as FromWorker);

  /**
   * `base` tells the worker where relative URLs resolve (default: the worker's own guess, the
   * app's origin plus the bundler's base path).
   */
  constructor(
    private readonly worker: MessageEndpoint,
    options: { base?: string } = {},
  ) {
    worker.addEventListener('message', this.listener);
    if (options.base !== undefined) this.send({ type: 'configure', base: options.base });
  }

  run(
    doc: GraphDocument,
    options: { onEvent?: (event: EngineEvent) => void; targets?: string[] } = {},
  ): { done: Promise<RunSummary>; cancel(): void } {
    const runId = String(this.nextId++);
    const done = new Promise<RunSummary>((resolve, reject) => {
      this.runs.set(runId, { onEvent: options.onEvent, resolve, reject });
    });
    // A document is plain JSON by definition; copying it this way also drops any view objects
    // (proxies, class instances) a host may have let slip in, which postMessage would refuse.
    const plain = JSON.parse(JSON.stringify(doc)) as GraphDocument;
    this.send({ type: 'run', runId, doc: plain, targets: options.targets });
    return { done, cancel: () => this.send({ type: 'cancel', runId }) };
  }

  /**
   * A node's image at full size: what it showed under `name`, else its output `name`; `key` comes
   * from the node's `done` event. Undefined when the worker no longer holds that result.
   */
  fullImage(key: string, name: string): Promise<ImageValue | undefined> {
    const requestId = `image-${this.nextId++}`;
    const answer = new Promise<ImageValue | undefined>((resolve) => this.images.set(requestId, resolve));
    this.send({ type: 'image', requestId, key, name });
    return answer;
  }

  clearCache(): void {
    this.send({ type: 'clear-cache' });
  }

  /** Stops listening; runs still pending reject. The worker itself stays up (its owner terminates it). */
  dispose(): void {
    this.worker.removeEventListener('message', this.listener);
    for (const run of this.runs.values()) run.reject(new Error('the engine client was disposed'));
    this.runs.clear();
    for (const resolve of this.images.values()) resolve(undefined);
    this.images.clear();
  }

  private send(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  private receive(message: FromWorker): void {
    if (message?.type === 'image') {
      this.images.get(message.requestId)?.(message.image);
      this.images.delete(message.requestId);
      return;
    }
    const run = message && this.runs.get(message.runId);
    if (!run) return;
    if (message.type === 'finished') {
      this.runs.delete(message.runId);
      run.resolve(message.summary);
    } else if (message.type === 'failed') {
      this.runs.delete(message.runId);
      run.reject(new RunFailedError(message.message, message.errors));
    } else {
      const { runId: _runId, ...event } = message;
      try {
        run.onEvent?.(event as EngineEvent);
      } catch (e) {
        console.error('engine event listener failed:', e);
      }
    }
  }
}
