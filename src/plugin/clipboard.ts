// The clipboard extension: Ctrl+C copies the selected nodes with the wires between them, Ctrl+V
// pastes them, Ctrl+D duplicates them. A frame goes with its nodes when they are all selected, and
// a selected frame brings its nodes; selected notes are copied too, and so are the reroute points
// of the copied wires. What is copied is graph JSON (a document of just those nodes and notes) on
// the system clipboard, so a graph copied in one tab pastes into another; pasting validates it
// like any opened file. Pasted nodes and notes get fresh ids, land offset from where they were, are
// the selection afterwards (so they move together) and are one undo step.
import { ClassicPreset, type NodeEditor } from 'rete';
import type { HistoryPlugin } from 'rete-history-plugin';
import { serializeDocument, type GraphDocument } from '../engine/graph/document.js';
import { parseDocument } from '../engine/graph/validate.js';
import { ClipPaeNode } from './node.js';
import type { Notes } from './notes.js';
import type { Reroutes } from './reroute.js';
import type { ClipPaeArea, ClipPaeConnection, ClipPaeSchemes, NodeCatalogue } from './types.js';

const TEXT_ENTRY = ['INPUT', 'TEXTAREA', 'SELECT'];
/** How far a paste lands from the copied nodes, so it is seen as new. */
export const PASTE_OFFSET = 40;

/**
 * The part of `doc` made of the nodes `ids` and the frames and notes `notes`: a frame named in
 * `notes` brings its nodes; a frame whose nodes are all there comes along; the connections among
 * those nodes, with their reroute points.
 */
export function subDocument(
  doc: GraphDocument,
  ids: ReadonlySet<string>,
  notes: ReadonlySet<string> = new Set(),
): GraphDocument {
  const nodes = new Set(ids);
  for (const f of doc.frames ?? []) if (notes.has(f.id)) for (const n of f.nodes) nodes.add(n);
  const connections = doc.connections.filter((c) => nodes.has(c.from.node) && nodes.has(c.to.node));
  const part: GraphDocument = {
    format: doc.format,
    version: doc.version,
    nodes: doc.nodes.filter((n) => nodes.has(n.id)),
    connections,
  };
  const frames = (doc.frames ?? []).filter(
    (f) => notes.has(f.id) || (f.nodes.length > 0 && f.nodes.every((n) => nodes.has(n))),
  );
  const comments = (doc.comments ?? []).filter((c) => notes.has(c.id));
  const reroutes = (doc.reroutes ?? []).filter((r) =>
    connections.some((c) => c.to.node === r.to.node && c.to.input === r.to.input),
  );
  if (comments.length) part.comments = comments;
  if (frames.length) part.frames = frames;
  if (reroutes.length) part.reroutes = reroutes;
  return part;
}

export interface Clipboard {
  /** The selection as graph JSON, also written to the system clipboard; null when nothing is selected. */
  copy(): Promise<string | null>;
  /** Adds the graph in `text` (default: the system clipboard's) and selects it; returns the new node ids. */
  paste(text?: string): Promise<string[]>;
  duplicate(): Promise<string[]>;
  destroy(): void;
}

export function clipboard(
  editor: NodeEditor<ClipPaeSchemes>,
  area: ClipPaeArea,
  registry: NodeCatalogue,
  options: {
    keyboard: Document | HTMLElement | false;
    /** The whole graph, notes and reroute points included. */
    toDocument(): GraphDocument;
    createNode(type: string, init: { params?: Record<string, unknown>; label?: string }): ClipPaeNode;
    history?: HistoryPlugin<ClipPaeSchemes, any>;
    /** Frames and notes: which are selected, and where pasted ones go. */
    notes?: Pick<Notes, 'selected' | 'addFrame' | 'addComment' | 'remove'>;
    reroutes?: Pick<Reroutes, 'setPoints'>;
    /** Makes the pasted nodes and notes the selection. */
    select?(nodes: readonly string[], notes: readonly string[]): Promise<void>;
    /** Told when the clipboard holds no graph, or one that does not fit this catalogue. */
    onProblem(message: string): void;
  },
): Clipboard {
  // Repeated pastes of one copy step further away each time.
  let lastPasted = '';
  let pasteCount = 0;

  const selectedText = (): string | null => {
    const ids = new Set(
      editor
        .getNodes()
        .filter((n) => n.selected && n instanceof ClipPaeNode)
        .map((n) => n.id),
    );
    const notes = new Set(options.notes?.selected() ?? []);
    if (ids.size === 0 && notes.size === 0) return null;
    return serializeDocument(subDocument(options.toDocument(), ids, notes));
  };

  /** The frames and notes of a pasted document, around the pasted nodes; their ids. */
  const addNotes = (doc: GraphDocument, fresh: ReadonlyMap<string, ClipPaeNode>, offset: number): string[] => {
    const notes = options.notes;
    if (!notes) return [];
    const added: string[] = [];
    for (const c of doc.comments ?? []) {
      added.push(notes.addComment(c.text, [c.position[0] + offset, c.position[1] + offset]));
    }
    for (const f of doc.frames ?? [])
      added.push(
        notes.addFrame(
          f.text,
          f.nodes.map((n) => fresh.get(n)!.id),
        ),
      );
    return added;
  };
  // Frames are drawn around their nodes, which must be drawn (and measured) first; Lit draws them
  // in a task after they are added.
  const nodesDrawn = () => new Promise((resolve) => setTimeout(resolve, 0));

  const copy = async () => {
    const text = selectedText();
    if (text === null) return null;
    try {
      await navigator.clipboard.writeText(text);
    } catch (e) {
      options.onProblem(`Could not write to the clipboard: ${(e as Error).message}`);
    }
    lastPasted = '';
    return text;
  };

  const addGraph = async (text: string): Promise<string[]> => {
    const result = parseDocument(text, registry);
    if (!result.ok) {
      const first = result.errors[0]!;
      options.onProblem(
        `Nothing pasted: the clipboard's graph ${first.path ? `at ${first.path} ` : ''}${first.message}`,
      );
      return [];
    }
    pasteCount = text === lastPasted ? pasteCount + 1 : 1;
    lastPasted = text;
    const offset = PASTE_OFFSET * pasteCount;
    const history = options.history;
    const before = history?.getHistorySnapshot().length ?? 0;
    history?.separate();
    const fresh = new Map<string, ClipPaeNode>();
    for (const n of result.document.nodes) {
      const node = options.createNode(n.type, { params: structuredClone(n.params), label: n.label });
      fresh.set(n.id, node);
      await editor.addNode(node);
      await area.translate(node.id, { x: n.position[0] + offset, y: n.position[1] + offset });
    }
    const wires = new Map<string, string>();
    for (const c of result.document.connections) {
      const from = fresh.get(c.from.node)!;
      const to = fresh.get(c.to.node)!;
      const wire = new ClassicPreset.Connection(from, c.from.output, to, c.to.input) as ClipPaeConnection;
      if (await editor.addConnection(wire)) wires.set(`${c.to.node}\u0000${c.to.input}`, wire.id);
    }
    for (const r of result.document.reroutes ?? []) {
      const wire = wires.get(`${r.to.node}\u0000${r.to.input}`);
      if (wire)
        options.reroutes?.setPoints(
          wire,
          r.points.map(([x, y]) => ({ x: x + offset, y: y + offset })),
        );
    }
    const doc = result.document;
    let notes: string[] = [];
    if (options.notes && (doc.frames?.length || doc.comments?.length)) {
      await nodesDrawn();
      notes = addNotes(doc, fresh, offset);
      const { remove } = options.notes;
      let pasted = notes;
      history?.add({
        undo: async () => {
          for (const id of pasted) remove(id);
        },
        redo: async () => {
          await nodesDrawn();
          pasted = addNotes(doc, fresh, offset);
        },
      });
    }
    if (history) {
      // One undo step: the history plugin joins entries recorded close together, so the paste's
      // entries get one time (adding many nodes may take longer than its window).
      const snapshot = history.getHistorySnapshot();
      const time = Date.now();
      for (const entry of snapshot.slice(before)) {
        entry.time = time;
        entry.separated = false;
      }
      history.separate();
    }
    const ids = [...fresh.values()].map((n) => n.id);
    await options.select?.(ids, notes);
    return ids;
  };

  const paste = async (text?: string) => {
    let source = text;
    if (source === undefined) {
      try {
        source = await navigator.clipboard.readText();
      } catch (e) {
        options.onProblem(`Could not read the clipboard: ${(e as Error).message}`);
        return [];
      }
    }
    if (!source.trim().startsWith('{')) {
      options.onProblem('Nothing pasted: the clipboard holds no graph');
      return [];
    }
    return addGraph(source);
  };

  const duplicate = async () => {
    const text = selectedText();
    return text === null ? [] : addGraph(text);
  };

  const onKey = (event: Event) => {
    const e = event as KeyboardEvent;
    if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
    const origin = e.composedPath()[0];
    if (origin instanceof HTMLElement && (origin.isContentEditable || TEXT_ENTRY.includes(origin.tagName))) return;
    const key = e.key.toLowerCase();
    if (key === 'c') {
      if (selectedText() === null) return;
      e.preventDefault();
      void copy();
    } else if (key === 'v') {
      e.preventDefault();
      void paste();
    } else if (key === 'd') {
      e.preventDefault();
      void duplicate();
    }
  };
  const target = options.keyboard;
  if (target) target.addEventListener('keydown', onKey);
  return {
    copy,
    paste,
    duplicate,
    destroy() {
      if (target) target.removeEventListener('keydown', onKey);
    },
  };
}
