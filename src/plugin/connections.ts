// Which connections the editor accepts. The same rule guards the user's drags (the connection
// plugin's canMakeConnection) and every programmatic add (a pipe on 'connectioncreate'), so a
// graph in the editor is always one the document validator would accept.
import { ClassicPreset, type NodeEditor } from 'rete';
import { ConnectionPlugin, ClassicFlow, getSourceTarget, type SocketData } from 'rete-connection-plugin';
import type { ClipPaeArea, ClipPaeConnection, ClipPaeSchemes, NodeCatalogue } from './types.js';
import { ClipPaeNode } from './node.js';
import { type Cleanup, removablePipes } from './pipes.js';
import { dimProperty } from './theme.js';

export interface ConnectionEnds {
  source: string;
  sourceOutput: string;
  target: string;
  targetInput: string;
}

export interface ConnectionRuleOptions {
  /** Also refuse when the input already has a connection (programmatic adds; a drag replaces it instead). */
  inputMustBeFree: boolean;
}

/** Why this connection may not exist, or null when it may. */
export function connectionProblem(
  editor: NodeEditor<ClipPaeSchemes>,
  ends: ConnectionEnds,
  options: ConnectionRuleOptions,
): string | null {
  const source = editor.getNode(ends.source);
  const target = editor.getNode(ends.target);
  if (!source) return `no node "${ends.source}" to connect from`;
  if (!target) return `no node "${ends.target}" to connect to`;
  // Wires between a host's own nodes are the host's business.
  if (!(source instanceof ClipPaeNode) && !(target instanceof ClipPaeNode)) return null;
  if (!(source instanceof ClipPaeNode) || !(target instanceof ClipPaeNode)) {
    return `${source.label} and ${target.label} do not share socket types (only rete-clip-pae nodes connect to rete-clip-pae nodes)`;
  }
  const from = source.outputs[ends.sourceOutput]?.socket;
  const to = target.inputs[ends.targetInput]?.socket;
  if (from === undefined) return `${source.label} has no output "${ends.sourceOutput}"`;
  if (to === undefined) return `${target.label} has no input "${ends.targetInput}"`;
  if (!from.isCompatibleWith(to)) {
    return `${source.label}.${ends.sourceOutput} gives ${from.type}, but ${target.label}.${ends.targetInput} takes ${to.type}`;
  }
  if (ends.source === ends.target) return `${source.label} cannot feed itself`;
  if (options.inputMustBeFree) {
    const taken = editor.getConnections().some((c) => c.target === ends.target && c.targetInput === ends.targetInput);
    if (taken) return `${target.label}.${ends.targetInput} already has a connection`;
  }
  if (reaches(editor, ends.target, ends.source)) {
    return `connecting ${source.label} to ${target.label} would make a cycle`;
  }
  return null;
}

/** True when `to` is downstream of `from` along existing connections. */
function reaches(editor: NodeEditor<ClipPaeSchemes>, from: string, to: string): boolean {
  const downstream = new Map<string, string[]>();
  for (const c of editor.getConnections()) {
    const list = downstream.get(c.source) ?? [];
    list.push(c.target);
    downstream.set(c.source, list);
  }
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(downstream.get(id) ?? []));
  }
  return false;
}

/** Refuses any incompatible connection, however it is added; returns the cleanup that stops it. */
export function guardConnections(editor: NodeEditor<ClipPaeSchemes>, onRefused: (problem: string) => void): () => void {
  return removablePipes([editor], () =>
    editor.addPipe((context) => {
      if (context.type === 'connectioncreate') {
        const problem = connectionProblem(editor, context.data, { inputMustBeFree: true });
        if (problem) {
          onRefused(problem);
          return undefined;
        }
      }
      return context;
    }),
  );
}

function endsOf(initial: SocketData, socket: SocketData): ConnectionEnds | null {
  const pair = getSourceTarget(initial, socket);
  if (!pair) return null;
  const [source, target] = pair;
  return { source: source.nodeId, sourceOutput: source.key, target: target.nodeId, targetInput: target.key };
}

/**
 * A connection plugin whose drags only land on compatible sockets and which adds real
 * ClassicPreset.Connection objects (the stock flow adds plain objects).
 */
export function createConnectionPlugin(
  editor: NodeEditor<ClipPaeSchemes>,
  onRefused: (problem: string) => void,
): ConnectionPlugin<ClipPaeSchemes, any> {
  const connection = new ConnectionPlugin<ClipPaeSchemes, any>();
  connection.addPreset(
    () =>
      new ClassicFlow({
        canMakeConnection(initial, socket) {
          const ends = endsOf(initial, socket);
          if (!ends) return false;
          // The drag replaces whatever is plugged into the input, so only types and cycles matter here.
          const problem = connectionProblem(editor, ends, { inputMustBeFree: false });
          if (problem) {
            onRefused(problem);
            // Let go of the wire rather than leave it stuck to the pointer after a refused drop.
            setTimeout(() => connection.drop(), 0);
          }
          return problem === null;
        },
        makeConnection(initial, socket, context) {
          const ends = endsOf(initial, socket);
          if (!ends) return undefined;
          const source = editor.getNode(ends.source);
          const target = editor.getNode(ends.target);
          if (!source || !target) return undefined;
          const created = new ClassicPreset.Connection(
            source,
            ends.sourceOutput,
            target,
            ends.targetInput,
          ) as ClipPaeConnection;
          void context.editor.addConnection(created);
          return true;
        },
      }),
  );
  return connection;
}

/**
 * The sockets-and-rules extension: the guard on every add, a connection plugin whose drags obey
 * the same rule, dimming of the sockets a dragged wire cannot reach, and the "from input" state
 * of params whose input socket is connected.
 */
export function connectionRules(
  editor: NodeEditor<ClipPaeSchemes>,
  area: ClipPaeArea,
  registry: NodeCatalogue,
  onRefused: (problem: string) => void,
  /** Told when a dragged wire is let go of over no socket (socket search opens there). */
  onDroppedOnCanvas?: (from: SocketData) => void,
): Cleanup {
  const unguard = guardConnections(editor, onRefused);
  const connection = createConnectionPlugin(editor, onRefused);
  if (onDroppedOnCanvas) {
    connection.addPipe((context) => {
      if (context.type === 'connectiondrop' && !context.data.socket && !context.data.created) {
        onDroppedOnCanvas(context.data.initial);
      }
      return context;
    });
  }
  const unuse = removablePipes([editor, area], () => {
    area.use(connection);
    trackFedParams(editor, area);
  });
  const undim = dimIncompatibleSocketsWhileDragging(connection, editor, registry, area.container);
  return () => {
    // A wire still stuck to the pointer belongs to the plugin that is going away.
    connection.drop();
    undim();
    unuse();
    unguard();
  };
}

/** Keeps each node's `fedParams` in step with the connections into its param inputs. */
function trackFedParams(editor: NodeEditor<ClipPaeSchemes>, area: ClipPaeArea): void {
  editor.addPipe((context) => {
    if (context.type === 'connectioncreated' || context.type === 'connectionremoved') {
      const node = editor.getNode(context.data.target);
      if (node instanceof ClipPaeNode && node.paramInputs.has(String(context.data.targetInput))) {
        const fed = new Set<string>();
        for (const c of editor.getConnections()) {
          if (c.target === node.id && node.paramInputs.has(String(c.targetInput))) fed.add(String(c.targetInput));
        }
        node.fedParams = fed;
        void area.update('node', node.id);
      }
    }
    return context;
  });
}

/** While a connection is dragged, dims the sockets of every type it cannot connect to. */
function dimIncompatibleSocketsWhileDragging(
  connection: ConnectionPlugin<ClipPaeSchemes, any>,
  editor: NodeEditor<ClipPaeSchemes>,
  registry: NodeCatalogue,
  container: HTMLElement,
): () => void {
  const dimmed: string[] = [];
  const clear = () => {
    for (const prop of dimmed.splice(0)) container.style.removeProperty(prop);
  };
  connection.addPipe((context) => {
    if (context.type === 'connectionpick') {
      const { nodeId, side, key } = context.data.socket;
      const node = editor.getNode(nodeId);
      const type = side === 'output' ? node?.outputType(key) : node?.inputType(key);
      clear();
      if (type) {
        for (const { name: other } of registry.socketTypes()) {
          const fits = side === 'output' ? registry.canConnect(type, other) : registry.canConnect(other, type);
          if (fits) continue;
          const prop = dimProperty(other);
          container.style.setProperty(prop, '0.2');
          dimmed.push(prop);
        }
      }
    } else if (context.type === 'connectiondrop') {
      clear();
    }
    return context;
  });
  return clear;
}
