// Turns the engine's events into what each node shows: pure bookkeeping on ClipPaeNode.run
// (the functions), and the extension that applies it to an editor's nodes and redraws them.
import type { NodeEditor } from 'rete';
import type { EngineEvent } from '../engine/run/events.js';
import { idleRunView, clipPaeNode, clipPaeNodes, type ClipPaeNode, type NodeRunView } from './node.js';
import type { ClipPaeArea, ClipPaeSchemes } from './types.js';

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
        key: event.key,
      };
      break;
    case 'error':
      node.run = {
        ...run,
        state: 'error',
        error: event.message,
        fraction: undefined,
        message: undefined,
        outputs: {},
        key: undefined,
      };
      break;
    case 'skipped':
      node.run = { ...run, state: 'skipped', because: event.because, outputs: {}, preview: undefined, key: undefined };
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

export interface RunView {
  /** Marks the nodes a run will evaluate (the sinks, or `targets`, and everything upstream). */
  runStarted(targets?: readonly string[]): void;
  showEngineEvent(event: EngineEvent): void;
  runFinished(): void;
  /** Forgets every node's last run (previews, errors, download links); `redraw: false` skips re-rendering. */
  clearRunViews(redraw?: boolean): void;
  destroy(): void;
}

/** The run-view extension: what the engine reports, drawn on the nodes. Cleanup frees the download links. */
export function runView(editor: NodeEditor<ClipPaeSchemes>, area: ClipPaeArea): RunView {
  const redraw = (id: string) => void area.update('node', id);
  const clear = (andRedraw = true) => {
    for (const node of clipPaeNodes(editor)) {
      resetRunView(node);
      if (andRedraw) redraw(node.id);
    }
  };
  return {
    runStarted(targets) {
      const sinks = clipPaeNodes(editor)
        .filter((n) => n.definition.sink)
        .map((n) => n.id);
      for (const id of upstreamOf(editor, targets ?? sinks)) {
        const node = clipPaeNode(editor, id);
        if (!node) continue;
        markQueued(node);
        redraw(id);
      }
    },
    showEngineEvent(event) {
      const id = applyEngineEvent(event, (nodeId) => clipPaeNode(editor, nodeId));
      if (id !== undefined) redraw(id);
    },
    runFinished() {
      for (const node of clipPaeNodes(editor)) if (markCancelled(node)) redraw(node.id);
    },
    clearRunViews: clear,
    destroy: () => clear(false),
  };
}

/** The given nodes and everything they depend on. */
function upstreamOf(editor: NodeEditor<ClipPaeSchemes>, targets: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...targets];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const c of editor.getConnections()) if (c.target === id) stack.push(c.source);
  }
  return seen;
}
