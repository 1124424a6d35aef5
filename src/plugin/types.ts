// The Rete schemes the plugin works with, and the one thing it needs from a node catalogue.
import type { ClassicPreset, GetSchemes } from 'rete';
import type { AreaPlugin } from 'rete-area-plugin';
import type { NodeDefinition } from '../engine/graph/definition.js';
import type { ClipPaeNode } from './node.js';

export type ClipPaeConnection = ClassicPreset.Connection<ClipPaeNode, ClipPaeNode> & { isLoop?: boolean };

export type ClipPaeSchemes = GetSchemes<ClipPaeNode, ClipPaeConnection>;

/** The area a host hands to the plugin; its extra signals are the host's business. */
export type ClipPaeArea = AreaPlugin<ClipPaeSchemes, any>;

/** What the plugin reads of a socket type (the registry's definition has more). */
export interface SocketTypeInfo {
  name: string;
  help: string;
}

/**
 * What the plugin reads from a node registry. The project's NodeRegistry satisfies it; a host
 * may pass any object that does (a subset of the catalogue, or its own nodes).
 */
export interface NodeCatalogue {
  get(type: string): NodeDefinition | undefined;
  list(): readonly NodeDefinition[];
  /** Palette groups, in the order they are shown. */
  categories(): readonly string[];
  socketTypes(): readonly SocketTypeInfo[];
  socketType(name: string): SocketTypeInfo | undefined;
  /** Whether an output of `outputType` may connect into an input of `inputType`. */
  canConnect(outputType: string, inputType: string): boolean;
  /** The socket type that may feed a param (shown as an optional input keyed by the param), if any. */
  paramSocket(nodeType: string, paramName: string): string | undefined;
}
