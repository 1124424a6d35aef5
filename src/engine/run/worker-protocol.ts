// The messages between the page (EngineClient) and the engine's worker. Events are the engine's
// own, tagged with the run they belong to.
import type { ImageValue } from '../graph/definition.js';
import type { GraphDocument } from '../graph/document.js';
import type { DocumentError } from '../graph/validate.js';
import type { EngineEvent, RunSummary } from './events.js';

export type ToWorker =
  | { type: 'run'; runId: string; doc: GraphDocument; targets?: string[] }
  | { type: 'cancel'; runId: string }
  | { type: 'clear-cache' }
  /** A full-size image of a cached result (`key` from a done event); answered with 'image'. */
  | { type: 'image'; requestId: string; key: string; name: string }
  /** Where relative URLs (images/…, models/…) resolve; sent by a client that knows the app's base. */
  | { type: 'configure'; base: string };

export type FromWorker =
  | (EngineEvent & { runId: string })
  | { type: 'finished'; runId: string; summary: RunSummary }
  /** The answer to an 'image' request: the image, or none when the result is no longer cached. */
  | { type: 'image'; requestId: string; image?: ImageValue }
  /** The run could not start: an invalid document (with its errors) or an unknown target. */
  | { type: 'failed'; runId: string; message: string; errors?: DocumentError[] };

/** What both ends need from a Worker, a worker's global scope or a MessagePort. */
export interface MessageEndpoint {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}
