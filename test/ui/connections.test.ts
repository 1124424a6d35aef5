// The connection rules the editor enforces on every add (drags and programmatic ones).
import { describe, expect, it } from 'vitest';
import { ClassicPreset, NodeEditor } from 'rete';
import { catalogue } from '../../src/nodes/registry.js';
import { createNode } from '../../src/plugin/document-bridge.js';
import { connectionProblem, guardConnections } from '../../src/plugin/connections.js';
import type { ClipPaeConnection, ClipPaeSchemes } from '../../src/plugin/types.js';
import { socketFor } from '../../src/plugin/sockets.js';

async function graph() {
  const editor = new NodeEditor<ClipPaeSchemes>();
  const refused: string[] = [];
  guardConnections(editor, (reason) => refused.push(reason));
  const nodes = {
    load: createNode(catalogue, 'image/load', { id: 'load' }),
    resize: createNode(catalogue, 'image/resize', { id: 'resize' }),
    resize2: createNode(catalogue, 'image/resize', { id: 'resize2' }),
    preview: createNode(catalogue, 'image/preview', { id: 'preview' }),
    number: createNode(catalogue, 'value/number', { id: 'number' }),
    text: createNode(catalogue, 'value/text', { id: 'text' }),
  };
  for (const node of Object.values(nodes)) await editor.addNode(node);
  const connect = (a: keyof typeof nodes, out: string, b: keyof typeof nodes, input: string) =>
    editor.addConnection(new ClassicPreset.Connection(nodes[a], out, nodes[b], input) as ClipPaeConnection);
  return { editor, refused, connect };
}

describe('connection rules', () => {
  it('accepts an output into an input of the same socket type', async () => {
    const { editor, refused, connect } = await graph();
    expect(await connect('load', 'image', 'resize', 'image')).toBe(true);
    expect(refused).toEqual([]);
    expect(editor.getConnections()).toHaveLength(1);
  });

  it('refuses a socket type mismatch and says which types met', async () => {
    const { editor, refused, connect } = await graph();
    expect(await connect('number', 'value', 'resize', 'image')).toBe(false);
    expect(refused).toEqual(['Number.value gives Number, but Resize.image takes Image']);
    expect(editor.getConnections()).toHaveLength(0);
  });

  it('refuses a second connection into one input', async () => {
    const { refused, connect } = await graph();
    await connect('load', 'image', 'preview', 'image');
    expect(await connect('resize', 'image', 'preview', 'image')).toBe(false);
    expect(refused[0]).toContain('already has a connection');
  });

  it('refuses a connection that would close a cycle, and a node feeding itself', async () => {
    const { refused, connect } = await graph();
    expect(await connect('resize', 'image', 'resize2', 'image')).toBe(true);
    expect(await connect('resize2', 'image', 'resize', 'image')).toBe(false);
    expect(refused[0]).toContain('would make a cycle');
    expect(await connect('resize', 'image', 'resize', 'image')).toBe(false);
    expect(refused[1]).toContain('cannot feed itself');
  });

  it('connects a Number into a param input and refuses a Text there', async () => {
    const { refused, connect } = await graph();
    expect(await connect('number', 'value', 'resize', 'width')).toBe(true);
    expect(refused).toEqual([]);
    expect(await connect('text', 'text', 'resize', 'height')).toBe(false);
    expect(refused[0]).toMatch(/gives Text, but Resize\.height takes Number$/);
    expect(await connect('number', 'value', 'resize', 'width')).toBe(false);
    expect(refused[1]).toContain('already has a connection');
  });

  it('refuses unknown ports', async () => {
    const { editor } = await graph();
    const problem = connectionProblem(
      editor,
      { source: 'load', sourceOutput: 'nope', target: 'resize', targetInput: 'image' },
      { inputMustBeFree: true },
    );
    expect(problem).toBe('Load Image has no output "nope"');
  });

  it('lets a drag replace the wire already in an input (the drag removes it first)', async () => {
    const { editor, connect } = await graph();
    await connect('load', 'image', 'preview', 'image');
    const ends = { source: 'resize', sourceOutput: 'image', target: 'preview', targetInput: 'image' };
    expect(connectionProblem(editor, ends, { inputMustBeFree: false })).toBeNull();
    expect(connectionProblem(editor, ends, { inputMustBeFree: true })).not.toBeNull();
  });

  it('has one shared socket per type that knows its compatibility', () => {
    const socket = (type: string) => socketFor(catalogue, type);
    expect(socket('Image')).toBe(socket('Image'));
    expect(socket('Image').isCompatibleWith(socket('Image'))).toBe(true);
    expect(socket('Image').isCompatibleWith(socket('Latent'))).toBe(false);
    expect(socket('Image').color).toBe('#4caf50');
    expect(socket('Image').help).toBe('An RGB image with values in [0, 1]');
    expect(() => socket('Imagee')).toThrow('unknown socket type "Imagee"');
  });
});
