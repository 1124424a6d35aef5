// Taking back the pipes an extension added to Rete's scopes (Rete itself cannot remove one).
import { describe, expect, it } from 'vitest';
import { ClassicPreset, NodeEditor, type Root } from 'rete';
import { catalogue } from '../../src/nodes/registry.js';
import { createNode } from '../../src/plugin/document-bridge.js';
import { guardConnections } from '../../src/plugin/connections.js';
import { removablePipes, runCleanups } from '../../src/plugin/pipes.js';
import type { ClipPaeConnection, ClipPaeSchemes } from '../../src/plugin/types.js';

describe('removable pipes', () => {
  it('removes exactly the pipes added while setting up, not those added before or after', () => {
    const editor = new NodeEditor<ClipPaeSchemes>();
    const before = (c: Root<ClipPaeSchemes>) => c;
    const after = (c: Root<ClipPaeSchemes>) => c;
    editor.addPipe(before);
    const remove = removablePipes([editor], () => {
      editor.addPipe((c) => c);
      editor.addPipe((c) => c);
    });
    editor.addPipe(after);
    expect(editor.signal.pipes).toHaveLength(4);
    remove();
    expect(editor.signal.pipes).toEqual([before, after]);
    remove(); // a second time changes nothing
    expect(editor.signal.pipes).toEqual([before, after]);
  });

  it('lets a connection through once the guard that refused it is taken out', async () => {
    const editor = new NodeEditor<ClipPaeSchemes>();
    const refused: string[] = [];
    const unguard = guardConnections(editor, (reason) => refused.push(reason));
    const number = createNode(catalogue, 'value/number', { id: 'number' });
    const resize = createNode(catalogue, 'image/resize', { id: 'resize' });
    await editor.addNode(number);
    await editor.addNode(resize);
    const wire = () => new ClassicPreset.Connection(number, 'value', resize, 'image') as ClipPaeConnection;
    expect(await editor.addConnection(wire())).toBe(false);
    unguard();
    expect(await editor.addConnection(wire())).toBe(true);
    expect(refused).toHaveLength(1);
  });

  it('runs cleanups last-first, all of them even when one fails, and reports the failure', async () => {
    const order: string[] = [];
    const cleanups = [
      () => void order.push('first'),
      () => {
        order.push('second');
        throw new Error('second failed');
      },
      async () => void order.push('third'),
    ];
    await expect(runCleanups(cleanups)).rejects.toThrow('second failed');
    expect(order).toEqual(['third', 'second', 'first']);
    expect(cleanups).toEqual([]);
  });
});
