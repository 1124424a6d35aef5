// What a run tells its host while it goes (events) and when it ends (the summary). All of it is
// plain data that survives postMessage, so the worker can forward it unchanged.
import type { ImageValue, OutputFile, OutputSummary } from '../graph/definition.js';
import type { DocumentError } from '../graph/validate.js';

export type { OutputSummary };

export type EngineEvent =
  | { type: 'started'; node: string }
  | { type: 'progress'; node: string; fraction: number; message?: string }
  | { type: 'preview'; node: string; image: ImageValue }
  /**
   * `outputs` holds a summary per output (images downscaled to ≤ 256 px) plus what the node showed;
   * `key` is the result's signature, under which `fullImage` finds its images at full size while
   * the result stays cached (absent for views not made by a run, e.g. ones restored from history).
   */
  | { type: 'done'; node: string; ms: number; cached: boolean; outputs: Record<string, OutputSummary>; key?: string }
  | { type: 'error'; node: string; message: string }
  | { type: 'skipped'; node: string; because: string }
  /** A file a node produced; a cache hit hands its files over again. */
  | { type: 'file'; node: string; file: OutputFile }
  | { type: 'cancelled' };

export type NodeOutcome =
  | { status: 'done'; ms: number; cached: boolean }
  | { status: 'error'; message: string }
  | { status: 'skipped'; because: string }
  /** Not reached (or interrupted) because the run was cancelled. */
  | { status: 'cancelled' };

export interface RunSummary {
  /** 'failed' when at least one node failed; skipped nodes follow from those failures. */
  status: 'ok' | 'failed' | 'cancelled';
  ms: number;
  /** Every node the run needed, in the order it was evaluated. */
  nodes: Record<string, NodeOutcome>;
  files: { node: string; file: OutputFile }[];
}

/** Thrown (as a rejected run) when the document itself is invalid; nothing was run. */
export class DocumentInvalidError extends Error {
  constructor(readonly errors: DocumentError[]) {
    super(`the graph is not valid:\n${errors.map((e) => `  ${e.path || '(document)'}: ${e.message}`).join('\n')}`);
    this.name = 'DocumentInvalidError';
  }
}
