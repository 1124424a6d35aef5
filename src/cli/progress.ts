// Progress on stderr, one line per thing that happened, so a long run in a terminal or a CI log
// shows where it is. Progress lines are thinned to every tenth or a new message.
import type { GraphDocument } from '../engine/graph/document.js';
import type { EngineEvent } from '../engine/run/events.js';
import type { NodeRegistry } from '../engine/graph/registry.js';
import type { TextSink } from './io.js';

export function progressReporter(
  doc: GraphDocument,
  registry: NodeRegistry,
  stderr: TextSink,
): (event: EngineEvent) => void {
  const names = new Map(doc.nodes.map((n) => [n.id, `[${n.id}] ${n.label ?? registry.get(n.type)?.title ?? n.type}`]));
  const last = new Map<string, { step: number; message?: string }>();
  const line = (node: string, text: string) => stderr.write(`${names.get(node) ?? `[${node}]`}: ${text}\n`);
  return (event) => {
    switch (event.type) {
      case 'started':
        line(event.node, 'started');
        break;
      case 'progress': {
        const step = Math.floor(event.fraction * 10);
        const before = last.get(event.node);
        if (before && before.step === step && before.message === event.message) return;
        last.set(event.node, { step, message: event.message });
        line(event.node, `${Math.round(event.fraction * 100)}%${event.message ? ` ${event.message}` : ''}`);
        break;
      }
      case 'done':
        line(event.node, event.cached ? 'done (cached)' : `done in ${formatMs(event.ms)}`);
        break;
      case 'error':
        line(event.node, `error: ${event.message}`);
        break;
      case 'skipped':
        line(event.node, `skipped: ${event.because}`);
        break;
      case 'cancelled':
        stderr.write('run cancelled\n');
        break;
      case 'preview':
      case 'file':
        break;
    }
  };
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
