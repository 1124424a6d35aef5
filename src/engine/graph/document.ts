// The graph document: the one source of truth that the editor edits, the engine runs, the CLI
// reads and a saved PNG carries. Plain JSON with no Rete objects in it, so it outlives any view.

export const DOCUMENT_FORMAT = 'rete-clip-pae/graph';
/** The version this code writes; older versions are upgraded on load (see migrate.ts). */
export const DOCUMENT_VERSION = 2;

export interface DocNode {
  /** Unique within the document; connections and `--set <node>.<param>` refer to it. */
  id: string;
  /** A type id from the node catalogue, e.g. "image/load". */
  type: string;
  /** Where the editor draws the node (top-left corner, canvas units). */
  position: [number, number];
  /** Every parameter of the node's type, after validation (missing ones get their defaults). */
  params: Record<string, unknown>;
  /** A title the user gave this node, shown instead of the type's title. */
  label?: string;
}

export interface DocConnection {
  from: { node: string; output: string };
  to: { node: string; input: string };
}

/** A free note on the canvas (version 2). */
export interface DocComment {
  id: string;
  text: string;
  /** Top-left corner, canvas units. */
  position: [number, number];
}

/** A titled rectangle around a group of nodes that moves them with it (version 2). */
export interface DocFrame {
  id: string;
  text: string;
  /** The nodes inside; the frame's rectangle is drawn around them, so it has no size of its own. */
  nodes: string[];
}

/**
 * The points a wire is routed through (version 2). A wire is named by the input it feeds: an input
 * takes one wire, so that end says which connection it is.
 */
export interface DocReroute {
  to: { node: string; input: string };
  points: [number, number][];
}

export interface GraphDocument {
  format: typeof DOCUMENT_FORMAT;
  version: typeof DOCUMENT_VERSION;
  nodes: DocNode[];
  connections: DocConnection[];
  /** The view's notes; absent when there are none, so graphs without any stay as small as before. */
  comments?: DocComment[];
  frames?: DocFrame[];
  reroutes?: DocReroute[];
  meta?: { title?: string; description?: string; [key: string]: unknown };
}

export function emptyDocument(): GraphDocument {
  return { format: DOCUMENT_FORMAT, version: DOCUMENT_VERSION, nodes: [], connections: [] };
}

/**
 * Writes a document as pretty JSON with a fixed key order, so saving the same graph twice gives
 * the same text (clean diffs for graphs kept in git). Short arrays of plain values (positions,
 * small prompt lists) stay on one line.
 */
export function serializeDocument(doc: GraphDocument): string {
  const ordered: Record<string, unknown> = {
    format: doc.format,
    version: doc.version,
  };
  if (doc.meta !== undefined) ordered.meta = doc.meta;
  ordered.nodes = doc.nodes.map((n) => {
    const node: Record<string, unknown> = { id: n.id, type: n.type };
    if (n.label !== undefined) node.label = n.label;
    node.position = n.position;
    node.params = n.params;
    return node;
  });
  ordered.connections = doc.connections.map((c) => ({
    from: { node: c.from.node, output: c.from.output },
    to: { node: c.to.node, input: c.to.input },
  }));
  if (doc.comments?.length) {
    ordered.comments = doc.comments.map((c) => ({ id: c.id, text: c.text, position: c.position }));
  }
  if (doc.frames?.length) ordered.frames = doc.frames.map((f) => ({ id: f.id, text: f.text, nodes: f.nodes }));
  if (doc.reroutes?.length) {
    ordered.reroutes = doc.reroutes.map((r) => ({ to: { node: r.to.node, input: r.to.input }, points: r.points }));
  }
  return `${formatJson(ordered, '')}\n`;
}

const LINE_WIDTH = 88;

/** `used` is how many characters precede the value on its line (indent and key). */
function formatJson(value: unknown, indent: string, used = indent.length): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    // undefined or a function has no JSON form; null is what JSON.stringify writes inside arrays.
    return text === undefined ? 'null' : text;
  }
  const inner = `${indent}  `;
  const isArray = Array.isArray(value);
  const entries: [string | null, unknown][] = isArray
    ? (value as unknown[]).map((v) => [null, v])
    : Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return isArray ? '[]' : '{}';
  const flat = entries.every(([, v]) => v === null || typeof v !== 'object');
  if (flat) {
    const items = entries.map(([k, v]) => (k === null ? '' : `${JSON.stringify(k)}: `) + formatJson(v, inner));
    const oneLine = isArray ? `[${items.join(', ')}]` : `{ ${items.join(', ')} }`;
    if (used + oneLine.length + 1 <= LINE_WIDTH) return oneLine;
  }
  const lines = entries.map(([k, v]) => {
    const head = inner + (k === null ? '' : `${JSON.stringify(k)}: `);
    return head + formatJson(v, inner, head.length);
  });
  return `${(isArray ? '[\n' : '{\n') + lines.join(',\n')}\n${indent}${isArray ? ']' : '}'}`;
}
