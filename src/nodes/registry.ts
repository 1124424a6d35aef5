// The node catalogue: every node type the editor, the engine and the CLI know, looked up by type
// id. A host can build its own registry from any list of definitions (tests do).
import type { NodeDefinition, ParamKind } from '../engine/graph/definition.js';
import { paramProblem } from '../engine/graph/params.js';
import { SOCKET_TYPES, isSocketType, socketsCompatible } from '../engine/graph/sockets.js';
import { basicNodes } from './basic/index.js';
import { pipelineNodes } from './pipeline/index.js';

/**
 * A socket type as the editor sees it. A small form of the engine's socket type definition
 * (which also checks values): name, help, what else may connect into it, which params it feeds.
 */
export interface SocketTypeDef {
  name: string;
  help: string;
  /** Other socket types whose outputs may connect into this one (besides itself). */
  accepts?: readonly string[];
  /** Param kinds an input of this type may feed. */
  feedsParams?: readonly ParamKind[];
}

/** Which socket type may feed a param of each kind (params as inputs). */
const PARAM_FEEDS: Readonly<Record<string, ParamKind>> = { Number: 'number', Text: 'text', Prompts: 'prompts' };

const SOCKET_DEFS: readonly SocketTypeDef[] = Object.entries(SOCKET_TYPES).map(([name, { help }]) => {
  const feeds = PARAM_FEEDS[name];
  return feeds ? { name, help, feedsParams: [feeds] } : { name, help };
});

export class NodeRegistry {
  private readonly byType = new Map<string, NodeDefinition>();

  /** Checks every definition once here, so a broken one fails at startup rather than mid-run. */
  constructor(defs: readonly NodeDefinition[]) {
    for (const def of defs) {
      const problems = definitionProblems(def);
      if (problems.length > 0) throw new Error(`node type '${def.type}' is not valid: ${problems.join('; ')}`);
      if (this.byType.has(def.type)) throw new Error(`node type '${def.type}' is defined twice`);
      this.byType.set(def.type, def);
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
    return [...SOCKET_DEFS];
  }

  socketType(name: string): SocketTypeDef | undefined {
    return SOCKET_DEFS.find((s) => s.name === name);
  }

  /** Whether an output of `outputType` may connect into an input of `inputType`. */
  canConnect(outputType: string, inputType: string): boolean {
    return isSocketType(outputType) && isSocketType(inputType) && socketsCompatible(outputType, inputType);
  }

  /** The socket type that may feed this param of this node type, or undefined when none may. */
  paramSocket(nodeType: string, paramName: string): string | undefined {
    const param = this.get(nodeType)?.params[paramName];
    if (!param) return undefined;
    return SOCKET_DEFS.find((s) => s.feedsParams?.includes(param.kind))?.name;
  }
}

function definitionProblems(def: NodeDefinition): string[] {
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
      if (!isSocketType(port.type)) problems.push(`${side} '${name}' has unknown socket type '${port.type}'`);
    }
  }
  for (const [name, param] of Object.entries(def.params)) {
    if (!param.help) problems.push(`param '${name}' has no help text`);
    const problem = paramProblem(param, param.default);
    if (problem) problems.push(`the default of param '${name}' is invalid: ${problem}`);
  }
  return problems;
}

/**
 * The families that make up the plugin's catalogue. A new family is one more entry here.
 */
export const nodeFamilies: readonly (readonly NodeDefinition[])[] = [basicNodes, pipelineNodes];

/** The plugin's catalogue: every node this package provides. */
export const catalogue = new NodeRegistry(nodeFamilies.flat());
