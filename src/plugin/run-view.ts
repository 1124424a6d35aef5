// Turns the engine's events into what each node shows. Pure bookkeeping on ClipPaeNode.run; the
// caller re-renders the nodes this returns.
import type { EngineEvent } from '../engine/run/events.js';
import { idleRunView, type ClipPaeNode, type NodeRunView } from './node.js';

/** Forgets what the last run showed (and frees its download links). */
export function resetRunView(node: ClipPaeNode): void {
  for (const file of node.run.files) URL.revokeObjectURL(file.url);
  node.run = idleRunView();
}

/** Marks nodes about to be evaluated, keeping their last pictures until new ones arrive. */
export function markQueued(node: ClipPaeNode): void {
  const previous = node.run;
  for (const file of previous.files) URL.revokeObjectURL(file.url);
  node.run = { state: 'queued', outputs: previous.outputs, preview: previous.preview, files: [] };
}

/**
 * Applies one event; returns the id of the node whose view changed (none for 'cancelled', which
 * the caller handles for the whole run).
 */
export function applyEngineEvent(
  event: EngineEvent,
  getNode: (id: string) => ClipPaeNode | undefined,
): string | undefined {
  if (event.type === 'cancelled') return undefined;
  const node = getNode(event.node);
  if (!node) return undefined;
  const run: NodeRunView = node.run;
  switch (event.type) {
    case 'started':
      node.run = {
        ...run,
        state: 'running',
        fraction: undefined,
        message: undefined,
        error: undefined,
        because: undefined,
      };
      break;
    case 'progress':
      node.run = {
        ...run,
        state: 'running',
        fraction: Math.min(1, Math.max(0, event.fraction)),
        message: event.message ?? run.message,
      };
      break;
    case 'preview':
      node.run = { ...run, preview: event.image };
      break;
    case 'done':
      node.run = {
        ...run,
        state: event.cached ? 'cached' : 'done',
        ms: event.ms,
        fraction: undefined,
        message: undefined,
        preview: undefined,
        outputs: event.outputs,
      };
      break;
    case 'error':
      node.run = { ...run, state: 'error', error: event.message, fraction: undefined, message: undefined, outputs: {} };
      break;
    case 'skipped':
      node.run = { ...run, state: 'skipped', because: event.because, outputs: {}, preview: undefined };
      break;
    case 'file': {
      const { name, mime, bytes } = event.file;
      const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mime });
      node.run = { ...run, files: [...run.files, { name, mime, size: bytes.length, url: URL.createObjectURL(blob) }] };
      break;
    }
  }
  return node.id;
}

/** After a cancel, nodes still waiting or running say so instead of spinning forever. */
export function markCancelled(node: ClipPaeNode): boolean {
  if (node.run.state !== 'queued' && node.run.state !== 'running') return false;
  node.run = { ...node.run, state: 'cancelled', fraction: undefined, message: undefined };
  return true;
}
