// The clipboard extension: Ctrl+C copies the selected nodes with the wires between them, Ctrl+V
// pastes them, Ctrl+D duplicates them. What is copied is graph JSON (a document of just those
// nodes) on the system clipboard, so a graph copied in one tab pastes into another; pasting
// validates it like any opened file. Pasted nodes get fresh ids, land offset from where they were
// and are one undo step.
import { ClassicPreset, type NodeEditor } from 'rete';
import type { HistoryPlugin } from 'rete-history-plugin';
import { serializeDocument, type GraphDocument } from '../engine/graph/document.js';
import { parseDocument } from '../engine/graph/validate.js';
import { ClipPaeNode } from './node.js';
import type { ClipPaeArea, ClipPaeConnection, ClipPaeSchemes, NodeCatalogue } from './types.js';

const TEXT_ENTRY = ['INPUT', 'TEXTAREA', 'SELECT'];
/** How far a paste lands from the copied nodes, so it is seen as new. */
export const PASTE_OFFSET = 40;

/** The part of `doc` made of `ids` and the connections among them. */
export function subDocument(doc: GraphDocument, ids: ReadonlySet<string>): GraphDocument {
  return {
    format: doc.format,
    version: doc.version,
    nodes: doc.nodes.filter((n) => ids.has(n.id)),
    connections: doc.connections.filter((c) => ids.has(c.from.node) && ids.has(c.to.node)),
  };
}

export interface Clipboard {
  /** The selected nodes as graph JSON, also written to the system clipboard; null when none is selected. */
  copy(): Promise<string | null>;
  /** Adds the graph in `text` (default: the system clipboard's); returns the new node ids. */
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
    toDocument(): GraphDocument;
    createNode(type: string, init: { params?: Record<string, unknown>; label?: string }): ClipPaeNode;
    history?: HistoryPlugin<ClipPaeSchemes, any>;
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
    if (ids.size === 0) return null;
    return serializeDocument(subDocument(options.toDocument(), ids));
  };

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
    for (const c of result.document.connections) {
      const from = fresh.get(c.from.node)!;
      const to = fresh.get(c.to.node)!;
      await editor.addConnection(
        new ClassicPreset.Connection(from, c.from.output, to, c.to.input) as ClipPaeConnection,
      );
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
    return [...fresh.values()].map((n) => n.id);
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
