// The worker side of the protocol, apart from the worker entry so it runs in Node tests too:
// starts runs, forwards their events, cancels them, and clears the cache on request.
import type { Engine } from './engine.js';
import { DocumentInvalidError } from './events.js';
import type { FromWorker, MessageEndpoint, ToWorker } from './worker-protocol.js';

export interface ServeOptions {
  /** Called for a 'configure' message (the browser worker points its URL base there). */
  onConfigure?: (base: string) => void;
}

/** Answers ToWorker messages arriving on `port` with FromWorker messages; returns a stop function. */
export function serveEngine(port: MessageEndpoint, engine: Engine, options: ServeOptions = {}): () => void {
  const running = new Map<string, AbortController>();
  const post = (message: FromWorker) => port.postMessage(message);

  const listener = (event: MessageEvent) => {
    const message = event.data as ToWorker;
    switch (message?.type) {
      case 'run': {
        const { runId, doc, targets } = message;
        const controller = new AbortController();
        running.set(runId, controller);
        engine
          .run(doc, { signal: controller.signal, targets, onEvent: (e) => post({ ...e, runId }) })
          .then(
            (summary) => post({ type: 'finished', runId, summary }),
            (error: unknown) =>
              post({
                type: 'failed',
                runId,
                message: error instanceof Error ? error.message : String(error),
                errors: error instanceof DocumentInvalidError ? error.errors : undefined,
              }),
          )
          .finally(() => running.delete(runId));
        break;
      }
      case 'cancel':
        running.get(message.runId)?.abort();
        break;
      case 'image':
        post({ type: 'image', requestId: message.requestId, image: engine.fullImage(message.key, message.name) });
        break;
      case 'clear-cache':
        engine.clearCache();
        break;
      case 'configure':
        options.onConfigure?.(message.base);
        break;
    }
  };
  port.addEventListener('message', listener);
  return () => {
    port.removeEventListener('message', listener);
    for (const controller of running.values()) controller.abort();
  };
}
