// Turning untrusted JSON into a GraphDocument, or into a list of errors that each name the
// place (a JSON path) and the problem in plain words. Nothing is half-applied: a caller gets
// either a complete, normalized document or errors.
import { z } from 'zod';
import { DOCUMENT_FORMAT, DOCUMENT_VERSION, type DocConnection, type DocNode, type GraphDocument } from './document.js';
import { migrateDocument, renameInputs } from './migrate.js';
import { defaultParam, describeValue, paramProblem } from './params.js';
import type { NodeDefinition } from './definition.js';
import type { NodeRegistry } from './registry.js';

export { migrations, migrateDocument } from './migrate.js';

/** What validation reads of a node registry (a plugin host's catalogue has as much). */
export type DocumentCatalogue = Pick<NodeRegistry, 'get' | 'paramSocket' | 'canConnect'> & {
  list(): readonly NodeDefinition[];
};

export interface DocumentError {
  /** Where the problem is, e.g. `nodes[2].params.alpha`; '' for the document as a whole. */
  path: string;
  message: string;
}

export type ValidationResult = { ok: true; document: GraphDocument } | { ok: false; errors: DocumentError[] };

const NodeSchema = z.strictObject({
  id: z.string().min(1),
  type: z.string().min(1),
  position: z.tuple([z.number(), z.number()]).default([0, 0]),
  params: z.record(z.string(), z.unknown()).default({}),
  label: z.string().optional(),
});

const ConnectionSchema = z.strictObject({
  from: z.strictObject({ node: z.string(), output: z.string() }),
  to: z.strictObject({ node: z.string(), input: z.string() }),
});

const PointSchema = z.tuple([z.number(), z.number()]);

const CommentSchema = z.strictObject({ id: z.string().min(1), text: z.string(), position: PointSchema });

const FrameSchema = z.strictObject({ id: z.string().min(1), text: z.string(), nodes: z.array(z.string()) });

const RerouteSchema = z.strictObject({
  to: z.strictObject({ node: z.string(), input: z.string() }),
  points: z.array(PointSchema),
});

const DocumentSchema = z.strictObject({
  format: z.literal(DOCUMENT_FORMAT),
  version: z.literal(DOCUMENT_VERSION),
  nodes: z.array(NodeSchema),
  connections: z.array(ConnectionSchema).default([]),
  comments: z.array(CommentSchema).default([]),
  frames: z.array(FrameSchema).default([]),
  reroutes: z.array(RerouteSchema).default([]),
  // Hosts may keep their own notes here (a view's zoom, say); only these two have a fixed meaning.
  meta: z.looseObject({ title: z.string().optional(), description: z.string().optional() }).optional(),
});

/** Reads a document from JSON text: see validateDocument for what is checked. */
export function parseDocument(text: string, registry: DocumentCatalogue): ValidationResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return fail('', `not JSON: ${(e as Error).message}`);
  }
  return validateDocument(value, registry);
}

/**
 * Checks a parsed value against the document format and the node catalogue: the envelope
 * (format, version, upgraded by the migrations), the shape of nodes and connections, node types,
 * params (kind, range, unknown names; missing ones get their defaults), ids, connection ends
 * (an input, or a param that an input of its socket type may feed), socket types, one connection
 * per input, and cycles. Input names a node definition renamed are rewritten to today's. Returns a fresh, normalized document.
 */
export function validateDocument(value: unknown, registry: DocumentCatalogue): ValidationResult {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return fail('', `expected a graph document (a JSON object), got ${describeValue(value)}`);
  }
  const raw = value as Record<string, unknown>;
  if (raw.format !== DOCUMENT_FORMAT) {
    return fail(
      'format',
      raw.format === undefined
        ? `missing: a graph document has "format": "${DOCUMENT_FORMAT}"`
        : `expected '${DOCUMENT_FORMAT}', got ${describeValue(raw.format)}: this is not a rete-clip-pae graph`,
    );
  }
  const migrated = migrateDocument(raw);
  if (!migrated.ok) return fail('version', migrated.message);

  const parsed = DocumentSchema.safeParse(migrated.document, { reportInput: true });
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.flatMap(issueErrors) };

  const doc: GraphDocument = {
    format: DOCUMENT_FORMAT,
    version: DOCUMENT_VERSION,
    nodes: [],
    connections: parsed.data.connections.map((c) => ({ from: { ...c.from }, to: { ...c.to } })),
  };
  if (parsed.data.meta !== undefined) doc.meta = parsed.data.meta;
  renameInputs(doc.connections, parsed.data.nodes, registry);

  const errors: DocumentError[] = [];
  const seenIds = new Map<string, number>();
  parsed.data.nodes.forEach((n, i) => {
    const where = `nodes[${i}]`;
    const first = seenIds.get(n.id);
    if (first !== undefined)
      errors.push({ path: `${where}.id`, message: `id '${n.id}' is already used by nodes[${first}]` });
    else seenIds.set(n.id, i);

    const node: DocNode = { id: n.id, type: n.type, position: [n.position[0], n.position[1]], params: {} };
    if (n.label !== undefined) node.label = n.label;
    doc.nodes.push(node);

    const def = registry.get(n.type);
    if (!def) {
      errors.push({
        path: `${where}.type`,
        message: `unknown node type '${n.type}'${suggest(
          n.type,
          registry.list().map((d) => d.type),
        )}`,
      });
      node.params = { ...n.params };
      return;
    }
    for (const [name, paramDef] of Object.entries(def.params)) {
      if (!(name in n.params)) {
        node.params[name] = defaultParam(paramDef);
        continue;
      }
      const problem = paramProblem(paramDef, n.params[name]);
      if (problem) errors.push({ path: `${where}.params${key(name)}`, message: problem });
      node.params[name] = structuredClone(n.params[name]);
    }
    for (const name of Object.keys(n.params)) {
      if (!(name in def.params)) {
        const known = Object.keys(def.params);
        errors.push({
          path: `${where}.params${key(name)}`,
          message: `unknown param '${name}' for ${def.title} (${def.type}); ${known.length ? `its params are ${known.join(', ')}` : 'it has no params'}`,
        });
      }
    }
  });

  const nodesById = new Map(doc.nodes.map((n) => [n.id, n]));
  const fedInputs = new Map<string, number>();
  const sound: DocConnection[] = [];
  doc.connections.forEach((c, i) => {
    const where = `connections[${i}]`;
    const before = errors.length;
    const from = nodesById.get(c.from.node);
    const to = nodesById.get(c.to.node);
    if (!from) errors.push({ path: `${where}.from.node`, message: `no node has id '${c.from.node}'` });
    if (!to) errors.push({ path: `${where}.to.node`, message: `no node has id '${c.to.node}'` });
    const fromDef = from && registry.get(from.type);
    const toDef = to && registry.get(to.type);
    const output =
      fromDef && Object.hasOwn(fromDef.outputs, c.from.output) ? fromDef.outputs[c.from.output] : undefined;
    // The end is an input, or a param fed by an input of the param's socket type (as in ComfyUI).
    const isParam =
      toDef !== undefined && !Object.hasOwn(toDef.inputs, c.to.input) && Object.hasOwn(toDef.params, c.to.input);
    const inputType = !toDef
      ? undefined
      : isParam
        ? registry.paramSocket(toDef.type, c.to.input)
        : Object.hasOwn(toDef.inputs, c.to.input)
          ? toDef.inputs[c.to.input]!.type
          : undefined;
    if (fromDef && !output) {
      errors.push({
        path: `${where}.from.output`,
        message: `${fromDef.title} '${c.from.node}' has no output '${c.from.output}'${portList('outputs', fromDef.outputs)}`,
      });
    }
    if (toDef && isParam && !inputType) {
      errors.push({
        path: `${where}.to.input`,
        message: `param '${c.to.input}' of ${toDef.title} '${c.to.node}' is a ${toDef.params[c.to.input]!.kind} param, which no input can feed`,
      });
    } else if (toDef && !inputType) {
      errors.push({
        path: `${where}.to.input`,
        message: `${toDef.title} '${c.to.node}' has no input '${c.to.input}'${portList('inputs', toDef.inputs)}${fedParams(registry, toDef.type, toDef.params)}`,
      });
    }
    if (output && inputType && !registry.canConnect(output.type, inputType)) {
      errors.push({
        path: where,
        message: `cannot connect ${output.type} output '${c.from.output}' of '${c.from.node}' to ${inputType} ${isParam ? 'param' : 'input'} '${c.to.input}' of '${c.to.node}'`,
      });
    }
    const inputKey = JSON.stringify([c.to.node, c.to.input]);
    const earlier = fedInputs.get(inputKey);
    if (earlier !== undefined) {
      errors.push({
        path: `${where}.to.input`,
        message: `input '${c.to.input}' of '${c.to.node}' is already fed by connections[${earlier}]`,
      });
    } else {
      fedInputs.set(inputKey, i);
    }
    if (errors.length === before) sound.push(c);
  });

  checkView(parsed.data, nodesById, doc, errors);

  const cycle = findCycle(doc.nodes, sound);
  if (cycle) {
    // Blame the cycle's connection that comes last in the file: usually the one added last.
    const i = Math.max(...cycle.connections.map((c) => doc.connections.indexOf(c)));
    const c = doc.connections[i]!;
    const k = cycle.nodes.indexOf(c.from.node);
    const path = [...cycle.nodes.slice(k), ...cycle.nodes.slice(1, k + 1)];
    errors.push({ path: `connections[${i}]`, message: `closes a cycle: ${path.join(' → ')}` });
  }

  return errors.length > 0 ? { ok: false, errors } : { ok: true, document: doc };
}

type ViewFields = Pick<Required<GraphDocument>, 'comments' | 'frames' | 'reroutes'>;

/**
 * The view's fields (version 2): comment and frame ids are unique among all notes, a frame holds
 * nodes of the document (each in one frame at most), a reroute names a connection by the input it
 * feeds. Copies what it reads into `doc`, leaving out empty lists.
 */
function checkView(
  view: ViewFields,
  nodesById: ReadonlyMap<string, DocNode>,
  doc: GraphDocument,
  errors: DocumentError[],
): void {
  const noteIds = new Map<string, string>();
  const noteId = (id: string, where: string) => {
    const first = noteIds.get(id);
    if (first !== undefined) errors.push({ path: `${where}.id`, message: `id '${id}' is already used by ${first}` });
    else noteIds.set(id, where);
  };
  view.comments.forEach((c, i) => {
    noteId(c.id, `comments[${i}]`);
  });
  const framed = new Map<string, string>();
  view.frames.forEach((f, i) => {
    noteId(f.id, `frames[${i}]`);
    f.nodes.forEach((id, j) => {
      const where = `frames[${i}].nodes[${j}]`;
      if (!nodesById.has(id)) errors.push({ path: where, message: `no node has id '${id}'` });
      else if (framed.has(id)) errors.push({ path: where, message: `node '${id}' is already in ${framed.get(id)}` });
      else framed.set(id, `frames[${i}]`);
    });
  });
  const wires = new Set(doc.connections.map((c) => JSON.stringify([c.to.node, c.to.input])));
  const rerouted = new Map<string, number>();
  view.reroutes.forEach((r, i) => {
    const wire = JSON.stringify([r.to.node, r.to.input]);
    if (!wires.has(wire)) {
      errors.push({
        path: `reroutes[${i}].to`,
        message: `no connection feeds input '${r.to.input}' of '${r.to.node}'`,
      });
    } else if (rerouted.has(wire)) {
      errors.push({
        path: `reroutes[${i}].to`,
        message: `that connection is already routed by reroutes[${rerouted.get(wire)}]`,
      });
    } else rerouted.set(wire, i);
  });
  if (view.comments.length) {
    doc.comments = view.comments.map((c) => ({ id: c.id, text: c.text, position: [c.position[0], c.position[1]] }));
  }
  if (view.frames.length) doc.frames = view.frames.map((f) => ({ id: f.id, text: f.text, nodes: [...f.nodes] }));
  const reroutes = view.reroutes.filter((r) => r.points.length > 0);
  if (reroutes.length) {
    doc.reroutes = reroutes.map((r) => ({
      to: { ...r.to },
      points: r.points.map((p): [number, number] => [p[0], p[1]]),
    }));
  }
}

/** Node ids in an order where every node comes after the nodes feeding it. */
export function topologicalOrder(nodes: readonly DocNode[], connections: readonly DocConnection[]): string[] | null {
  const indegree = new Map(nodes.map((n) => [n.id, 0]));
  const next = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const c of connections) {
    if (!indegree.has(c.from.node) || !indegree.has(c.to.node)) continue;
    indegree.set(c.to.node, indegree.get(c.to.node)! + 1);
    next.get(c.from.node)!.push(c.to.node);
  }
  const ready = nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    for (const to of next.get(id)!) {
      const d = indegree.get(to)! - 1;
      indegree.set(to, d);
      if (d === 0) ready.push(to);
    }
  }
  return order.length === nodes.length ? order : null;
}

/** A cycle, as the node ids along it (first = last) and its connections (depth-first search). */
function findCycle(
  nodes: readonly DocNode[],
  connections: readonly DocConnection[],
): { nodes: string[]; connections: DocConnection[] } | null {
  const out = new Map<string, DocConnection[]>(nodes.map((n) => [n.id, []]));
  for (const c of connections) out.get(c.from.node)?.push(c);
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const via: DocConnection[] = [];
  const visit = (id: string): { nodes: string[]; connections: DocConnection[] } | null => {
    state.set(id, 'open');
    stack.push(id);
    for (const c of out.get(id) ?? []) {
      const s = state.get(c.to.node);
      if (s === 'open') {
        const from = stack.indexOf(c.to.node);
        return { nodes: [...stack.slice(from), c.to.node], connections: [...via.slice(from), c] };
      }
      if (s === undefined) {
        via.push(c);
        const found = visit(c.to.node);
        if (found) return found;
        via.pop();
      }
    }
    stack.pop();
    state.set(id, 'done');
    return null;
  };
  for (const n of nodes) {
    if (state.has(n.id)) continue;
    const found = visit(n.id);
    if (found) return found;
  }
  return null;
}

function fail(path: string, message: string): ValidationResult {
  return { ok: false, errors: [{ path, message }] };
}

function issueErrors(issue: z.core.$ZodIssue): DocumentError[] {
  const path = formatPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((k) => ({
        path: path + key(k, path === ''),
        message: `unknown field '${k}'${fieldHint(issue.path)}`,
      }));
    case 'invalid_type': {
      const input = (issue as { input?: unknown }).input;
      if (input === undefined) return [{ path, message: `missing: expected ${article(issue.expected)}` }];
      return [{ path, message: `expected ${article(issue.expected)}, got ${describeValue(input)}` }];
    }
    case 'invalid_value':
      return [
        {
          path,
          message: `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${describeValue((issue as { input?: unknown }).input)}`,
        },
      ];
    case 'too_small':
      if (issue.origin === 'string') return [{ path, message: 'must not be empty' }];
      if (issue.origin === 'array') return [{ path, message: `expected ${issue.minimum} items` }];
      return [{ path, message: issue.message }];
    case 'too_big':
      if (issue.origin === 'array') return [{ path, message: `expected ${issue.maximum} items` }];
      return [{ path, message: issue.message }];
    default:
      return [{ path, message: issue.message }];
  }
}

const FIELDS: Record<string, string> = {
  document: 'format, version, nodes, connections, comments, frames, reroutes, meta',
  node: 'id, type, position, params, label',
  connection: 'from, to',
  comment: 'id, text, position',
  frame: 'id, text, nodes',
  reroute: 'to, points',
  from: 'node, output',
  to: 'node, input',
};

function fieldHint(path: readonly PropertyKey[]): string {
  const kind =
    path.length === 0
      ? 'document'
      : path.length === 2 && path[0] === 'nodes'
        ? 'node'
        : path.length === 2 && path[0] === 'connections'
          ? 'connection'
          : path.length === 3 && path[0] === 'connections'
            ? String(path[2])
            : path.length === 2 && (path[0] === 'comments' || path[0] === 'frames' || path[0] === 'reroutes')
              ? String(path[0]).slice(0, -1)
              : path.length === 3 && path[0] === 'reroutes' && path[2] === 'to'
                ? 'to'
                : undefined;
  return kind && FIELDS[kind] ? ` (expected fields: ${FIELDS[kind]})` : '';
}

function article(expected: string): string {
  if (expected === 'array') return 'a list';
  if (expected === 'object' || expected === 'record') return 'an object';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += key(String(part), out === '');
  }
  return out;
}

function key(name: string, first = false): string {
  if (/^[A-Za-z_$][\w$]*$/.test(name)) return first ? name : `.${name}`;
  return `[${JSON.stringify(name)}]`;
}

function portList(kind: string, ports: Readonly<Record<string, unknown>>): string {
  const names = Object.keys(ports);
  return names.length ? ` (its ${kind}: ${names.join(', ')})` : ` (it has no ${kind})`;
}

/** "; params an input may feed: prompt, alpha", or '' when none. */
function fedParams(registry: DocumentCatalogue, type: string, params: Readonly<Record<string, unknown>>): string {
  const names = Object.keys(params).filter((p) => registry.paramSocket(type, p) !== undefined);
  return names.length ? `; params an input may feed: ${names.join(', ')}` : '';
}

/** A "did you mean" for a mistyped type id: the closest known one within a few edits. */
function suggest(name: string, known: string[]): string {
  let best = '';
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return bestDistance <= Math.max(2, name.length / 4) ? `; did you mean '${best}'?` : '';
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
