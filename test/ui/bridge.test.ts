// The document ⇄ editor bridge without a DOM: a NodeEditor and a stand-in for the area's node views.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { NodeEditor } from 'rete';
import { parseDocument } from '../../src/engine/graph/validate.js';
import { catalogue } from '../../src/nodes/registry.js';
import { createNode, freshNodeId, loadDocument, toDocument } from '../../src/plugin/document-bridge.js';
import type { ClipPaeArea, ClipPaeSchemes } from '../../src/plugin/types.js';
import { guardConnections } from '../../src/plugin/connections.js';

/** What the bridge uses of AreaPlugin: node views with positions, and translate(). */
function fakeArea(): ClipPaeArea {
  const nodeViews = new Map<string, { position: { x: number; y: number } }>();
  return {
    nodeViews,
    async translate(id: string, position: { x: number; y: number }) {
      nodeViews.set(id, { position: { ...position } });
      return true;
    },
  } as unknown as ClipPaeArea;
}

const graphsDir = new URL('../../graphs/', import.meta.url);
const graphFiles = readdirSync(graphsDir).filter((f) => f.endsWith('.json'));

describe('document ⇄ editor', () => {
  it('has example graphs to check', () => {
    expect(graphFiles).toContain('default.json');
  });

  for (const file of graphFiles) {
    it(`round-trips graphs/${file} through the editor unchanged`, async () => {
      const parsed = parseDocument(readFileSync(new URL(file, graphsDir), 'utf8'), catalogue);
      if (!parsed.ok) throw new Error(`graphs/${file} is invalid: ${JSON.stringify(parsed.errors)}`);
      const editor = new NodeEditor<ClipPaeSchemes>();
      const area = fakeArea();
      guardConnections(editor, (reason) => {
        throw new Error(`refused: ${reason}`);
      });
      await loadDocument(editor, area, catalogue, parsed.document);
      expect(editor.getNodes()).toHaveLength(parsed.document.nodes.length);
      expect(toDocument(editor, area, parsed.document.meta)).toEqual(parsed.document);
    });
  }

  it('keeps the open graph when the document names a type the catalogue lacks', async () => {
    const editor = new NodeEditor<ClipPaeSchemes>();
    const area = fakeArea();
    await editor.addNode(createNode(catalogue, 'value/number', { id: 'kept' }));
    const doc = {
      format: 'rete-clip-pae/graph' as const,
      version: 2 as const,
      nodes: [{ id: 'x', type: 'no/such', position: [0, 0] as [number, number], params: {} }],
      connections: [],
    };
    await expect(loadDocument(editor, area, catalogue, doc)).rejects.toThrow('unknown node type "no/such"');
    expect(editor.getNodes().map((n) => n.id)).toEqual(['kept']);
  });

  it('writes a label only when the user renamed the node, and copies params', async () => {
    const editor = new NodeEditor<ClipPaeSchemes>();
    const area = fakeArea();
    const plain = createNode(catalogue, 'value/text', { id: 'a', params: { text: 'hi' } });
    const named = createNode(catalogue, 'value/text', { id: 'b', label: 'Greeting' });
    await editor.addNode(plain);
    await editor.addNode(named);
    await area.translate('a', { x: 10.04, y: -3.26 });
    const doc = toDocument(editor, area);
    expect(doc.nodes).toEqual([
      { id: 'a', type: 'value/text', position: [10, -3.3], params: { text: 'hi' } },
      { id: 'b', type: 'value/text', position: [0, 0], params: { text: '' }, label: 'Greeting' },
    ]);
    (doc.nodes[0]!.params as { text: string }).text = 'changed';
    expect(plain.params.text).toBe('hi');
  });

  it('gives new nodes the first free readable id for their type', () => {
    const taken = new Set(['load-1', 'load-2', 'resize-1']);
    expect(freshNodeId('image/load', (id) => taken.has(id))).toBe('load-3');
    expect(freshNodeId('image/preview', (id) => taken.has(id))).toBe('preview-1');
    expect(freshNodeId('pae/clip text', () => false)).toBe('clip-text-1');
  });

  it('fills params the document leaves out with their defaults', () => {
    const node = createNode(catalogue, 'image/resize', { params: { width: 64 } });
    expect(node.params).toEqual({ width: 64, height: 256, mode: 'center-crop' });
    expect(Object.keys(node.inputs)).toEqual(['image', 'width', 'height']);
    expect(node.outputs.image?.socket.type).toBe('Image');
  });

  it('gives every param the registry lets be fed an input socket keyed and labelled like the param', () => {
    const node = createNode(catalogue, 'image/resize');
    expect([...node.paramInputs]).toEqual(['width', 'height']);
    expect(node.inputs.width?.socket.type).toBe('Number');
    expect(node.inputs.width?.label).toBe(catalogue.get('image/resize')!.params.width!.label ?? 'width');
    expect(node.inputs.mode).toBeUndefined(); // a select has no socket type that feeds it
  });

  it('saves and loads a connection into a param input as an ordinary connection', async () => {
    const editor = new NodeEditor<ClipPaeSchemes>();
    const area = fakeArea();
    guardConnections(editor, (reason) => {
      throw new Error(`refused: ${reason}`);
    });
    const doc = {
      format: 'rete-clip-pae/graph' as const,
      version: 2 as const,
      nodes: [
        { id: 'n', type: 'value/number', position: [0, 0] as [number, number], params: { value: 96 } },
        {
          id: 'r',
          type: 'image/resize',
          position: [200, 0] as [number, number],
          params: { width: 64, height: 64, mode: 'stretch' },
        },
      ],
      connections: [{ from: { node: 'n', output: 'value' }, to: { node: 'r', input: 'width' } }],
    };
    await loadDocument(editor, area, catalogue, doc);
    expect(editor.getConnections().map((c) => [c.source, c.targetInput])).toEqual([['n', 'width']]);
    expect(toDocument(editor, area)).toEqual(doc);
  });
});
