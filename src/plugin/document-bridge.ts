// The document ⇄ editor bridge. The document is the source of truth: loading builds Rete nodes
// from it, and toDocument() reads the graph back, positions included, from the editor and area.
// A connection into a param's input socket is an ordinary connection (`to: { node, input: param }`).
import { ClassicPreset, type NodeEditor } from 'rete';
import type { DocConnection, DocNode, GraphDocument } from '../engine/graph/document.js';
import { DOCUMENT_FORMAT, DOCUMENT_VERSION } from '../engine/graph/document.js';
import { ClipPaeNode, clipPaeNodes } from './node.js';
import { removablePipes } from './pipes.js';
import type { ClipPaeArea, ClipPaeConnection, ClipPaeSchemes, NodeCatalogue } from './types.js';

/** The id a new node of `type` gets: the type's last part and the first free number (load-1, load-2…). */
export function freshNodeId(type: string, taken: (id: string) => boolean): string {
  const base = (type.split('/').pop() || 'node').replace(/[^A-Za-z0-9_-]/g, '-');
  for (let n = 1; ; n++) {
    const id = `${base}-${n}`;
    if (!taken(id)) return id;
  }
}

export function createNode(
  registry: NodeCatalogue,
  type: string,
  init: { id?: string; params?: Record<string, unknown>; label?: string } = {},
): ClipPaeNode {
  const definition = registry.get(type);
  if (!definition) throw new Error(`unknown node type "${type}"`);
  return new ClipPaeNode(definition, registry, init);
}

function copyValue<T>(value: T): T {
  return Array.isArray(value) ? (value.map(copyValue) as T) : value;
}

export function toDocument(
  editor: NodeEditor<ClipPaeSchemes>,
  area: ClipPaeArea,
  meta?: GraphDocument['meta'],
): GraphDocument {
  // A host may keep nodes of its own in the same editor; the document holds only ours.
  const ours = clipPaeNodes(editor);
  const ids = new Set(ours.map((node) => node.id));
  const nodes: DocNode[] = ours.map((node) => {
    const view = area.nodeViews.get(node.id);
    const position: [number, number] = view ? [round(view.position.x), round(view.position.y)] : [0, 0];
    const params: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(node.params)) params[name] = copyValue(value);
    const docNode: DocNode = { id: node.id, type: node.type, position, params };
    if (node.customLabel !== undefined) docNode.label = node.customLabel;
    return docNode;
  });
  const connections: DocConnection[] = editor
    .getConnections()
    .filter((c) => ids.has(c.source) && ids.has(c.target))
    .map((c) => ({
      from: { node: c.source, output: String(c.sourceOutput) },
      to: { node: c.target, input: String(c.targetInput) },
    }));
  const doc: GraphDocument = { format: DOCUMENT_FORMAT, version: DOCUMENT_VERSION, nodes, connections };
  if (meta !== undefined) doc.meta = structuredClone(meta);
  return doc;
}

/** Positions are kept to a tenth of a canvas unit: drags give long fractions nobody needs in a file. */
function round(v: number): number {
  return Math.round(v * 10) / 10;
}

/**
 * Replaces the editor's graph with a document that has already been validated against
 * `registry`. Every node is built before anything is cleared, so an unknown type throws with
 * the open graph untouched.
 */
export async function loadDocument(
  editor: NodeEditor<ClipPaeSchemes>,
  area: ClipPaeArea,
  registry: NodeCatalogue,
  doc: GraphDocument,
): Promise<void> {
  const built = doc.nodes.map((n) => ({
    node: createNode(registry, n.type, { id: n.id, params: structuredClone(n.params), label: n.label }),
    position: n.position,
  }));
  const byId = new Map(built.map(({ node }) => [node.id, node]));
  const connections = doc.connections.map((c, i) => {
    const source = byId.get(c.from.node);
    const target = byId.get(c.to.node);
    if (!source || !target) throw new Error(`connections[${i}] refers to a node that is not in the document`);
    return new ClassicPreset.Connection(source, c.from.output, target, c.to.input) as ClipPaeConnection;
  });
  await editor.clear();
  for (const { node, position } of built) {
    await editor.addNode(node);
    await area.translate(node.id, { x: position[0], y: position[1] });
  }
  for (const connection of connections) {
    if (!(await editor.addConnection(connection))) {
      throw new Error(
        `the editor refused the connection ${connection.source}.${String(connection.sourceOutput)} → ${connection.target}.${String(connection.targetInput)}`,
      );
    }
  }
}

/** What changed: the graph's meaning ('graph', 'params'), only its layout, or all of it ('load'). */
export type GraphChangeKind = 'graph' | 'params' | 'layout' | 'load';
export type GraphChangeListener = (kind: GraphChangeKind) => void;

type NodeInit = { id?: string; params?: Record<string, unknown>; label?: string };

export interface DocumentBridge {
  /** A node of `type` with a fresh readable id (not yet in the editor). */
  createNode(type: string, init?: NodeInit): ClipPaeNode;
  toDocument(): GraphDocument;
  /** Replaces the graph with a validated document; changes while it loads are announced once, as 'load'. */
  loadDocument(doc: GraphDocument): Promise<void>;
  onChange(listener: GraphChangeListener): () => void;
  /** Tells the listeners; quiet while a document loads. */
  announce(kind: GraphChangeKind): void;
  /** Stops listening and takes the plugin's nodes (and their wires) out of the editor. */
  destroy(): Promise<void>;
}

/**
 * The document-bridge extension: builds nodes for the registry, reads and writes documents, and
 * tells a host what changed (what autosave and auto-run need).
 */
export function documentBridge(
  editor: NodeEditor<ClipPaeSchemes>,
  area: ClipPaeArea,
  registry: NodeCatalogue,
): DocumentBridge {
  const listeners = new Set<GraphChangeListener>();
  let loading = false;
  let meta: GraphDocument['meta'];
  const announce = (kind: GraphChangeKind) => {
    if (loading && kind !== 'load') return;
    for (const listener of listeners) listener(kind);
  };
  const unpipe = removablePipes([editor, area], () => {
    editor.addPipe((context) => {
      if (
        context.type === 'nodecreated' ||
        context.type === 'noderemoved' ||
        context.type === 'connectioncreated' ||
        context.type === 'connectionremoved'
      ) {
        announce('graph');
      }
      return context;
    });
    area.addPipe((context) => {
      if (context && typeof context === 'object' && 'type' in context && context.type === 'nodetranslated')
        announce('layout');
      return context;
    });
  });
  return {
    createNode: (type, init = {}) =>
      createNode(registry, type, {
        ...init,
        id: init.id ?? freshNodeId(type, (id) => editor.getNode(id) !== undefined),
      }),
    toDocument: () => toDocument(editor, area, meta),
    async loadDocument(doc) {
      loading = true;
      try {
        await loadDocument(editor, area, registry, doc);
        meta = doc.meta === undefined ? undefined : structuredClone(doc.meta);
      } finally {
        loading = false;
      }
      announce('load');
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    announce,
    async destroy() {
      listeners.clear();
      unpipe();
      const ours = new Set(clipPaeNodes(editor).map((n) => n.id));
      for (const c of editor.getConnections()) {
        if (ours.has(c.source) || ours.has(c.target)) await editor.removeConnection(c.id);
      }
      for (const id of ours) await editor.removeNode(id);
    },
  };
}
