// The registry of node types and socket types a host runs with. The engine knows no node and no
// socket type by name: node families bring both (src/nodes lists the plugin's families), and every
// definition is checked once here, so a broken one fails when the registry is built, not mid-run.
import type { NodeDefinition, ParamKind } from './definition.js';
import { paramProblem } from './params.js';

/** A kind of value that flows along connections, registered by a node family. */
export interface SocketTypeDef {
  name: string;
  help: string;
  /** What a value on this socket must be; returns a problem or undefined. */
  check(value: unknown): string | undefined;
  /** Other socket types whose outputs may connect into this one (besides itself). */
  accepts?: readonly string[];
  /** Param kinds an input of this type may feed, e.g. ['number'] for Number. */
  feedsParams?: readonly ParamKind[];
}

/** A group of nodes with the socket types they introduce. */
export interface NodeFamily {
  sockets: readonly SocketTypeDef[];
  nodes: readonly NodeDefinition[];
}

export class NodeRegistry {
  private readonly byType = new Map<string, NodeDefinition>();
  private readonly sockets = new Map<string, SocketTypeDef>();

  constructor(families: readonly NodeFamily[]) {
    // Socket types first: a family may use the types of a family listed after it.
    for (const family of families) {
      for (const socket of family.sockets) {
        const problems = socketProblems(socket);
        if (problems.length > 0) throw new Error(`socket type '${socket.name}' is not valid: ${problems.join('; ')}`);
        if (this.sockets.has(socket.name)) throw new Error(`socket type '${socket.name}' is registered twice`);
        this.sockets.set(socket.name, socket);
      }
    }
    for (const socket of this.sockets.values()) {
      for (const other of socket.accepts ?? []) {
        if (!this.sockets.has(other))
          throw new Error(`socket type '${socket.name}' accepts unknown socket type '${other}'`);
      }
    }
    for (const family of families) {
      for (const def of family.nodes) {
        const problems = this.definitionProblems(def);
        if (problems.length > 0) throw new Error(`node type '${def.type}' is not valid: ${problems.join('; ')}`);
        if (this.byType.has(def.type)) throw new Error(`node type '${def.type}' is defined twice`);
        this.byType.set(def.type, def);
      }
    }
  }

  get(type: string): NodeDefinition | undefined {
    return this.byType.get(type);
  }

  list(): NodeDefinition[] {
    return [...this.byType.values()];
  }

  /** Palette groups in the order their first node was registered. */
  categories(): string[] {
    return [...new Set(this.list().map((d) => d.category))];
  }

  socketTypes(): SocketTypeDef[] {
    return [...this.sockets.values()];
  }

  socketType(name: string): SocketTypeDef | undefined {
    return this.sockets.get(name);
  }

  /** Whether an output of one socket type may feed an input of another. */
  canConnect(outputType: string, inputType: string): boolean {
    if (!this.sockets.has(outputType)) return false;
    if (outputType === inputType) return true;
    return this.sockets.get(inputType)?.accepts?.includes(outputType) ?? false;
  }

  /**
   * The socket type whose inputs may feed this param (the first registered one that feeds its
   * kind), or undefined when none may or the node or param does not exist.
   */
  paramSocket(nodeType: string, paramName: string): string | undefined {
    const def = this.byType.get(nodeType);
    if (!def || !Object.hasOwn(def.params, paramName)) return undefined;
    const kind = def.params[paramName]!.kind;
    for (const socket of this.sockets.values()) if (socket.feedsParams?.includes(kind)) return socket.name;
    return undefined;
  }

  private definitionProblems(def: NodeDefinition): string[] {
    const problems: string[] = [];
    if (!def.type) problems.push('it has no type id');
    if (!def.title) problems.push('it has no title');
    if (!def.category) problems.push('it has no category');
    if (!def.help) problems.push('it has no help text');
    for (const [side, ports] of [
      ['input', def.inputs],
      ['output', def.outputs],
    ] as const) {
      for (const [name, port] of Object.entries(ports)) {
        if (!this.sockets.has(port.type)) {
          problems.push(
            `${side} '${name}' has unknown socket type '${port.type}' (known: ${[...this.sockets.keys()].join(', ')})`,
          );
        }
      }
    }
    for (const [name, param] of Object.entries(def.params)) {
      if (!param.help) problems.push(`param '${name}' has no help text`);
      const problem = paramProblem(param, param.default);
      if (problem) problems.push(`the default of param '${name}' is invalid: ${problem}`);
      // A connection names its end by one name: it could not tell a param from an input of that name.
      if (Object.hasOwn(def.inputs, name)) problems.push(`'${name}' is both an input and a param`);
    }
    for (const [old, now] of Object.entries(def.renamedInputs ?? {})) {
      if (Object.hasOwn(def.inputs, old) || Object.hasOwn(def.params, old))
        problems.push(`renamed input '${old}' is still an input or a param`);
      if (!Object.hasOwn(def.inputs, now) && !Object.hasOwn(def.params, now))
        problems.push(`renamed input '${old}' points to '${now}', which is neither an input nor a param`);
    }
    return problems;
  }
}

function socketProblems(socket: SocketTypeDef): string[] {
  const problems: string[] = [];
  if (!socket.name) problems.push('it has no name');
  if (!socket.help) problems.push('it has no help text');
  if (typeof socket.check !== 'function') problems.push('it has no check');
  return problems;
}
