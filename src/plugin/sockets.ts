// Typed sockets: one shared instance per socket type and registry, so Rete's renderers and the
// connection rules recognise a type by identity, colour it from the theme and ask the registry
// what connects.
import { ClassicPreset } from 'rete';
import { socketColor } from './theme.js';
import type { NodeCatalogue } from './types.js';

export class TypedSocket extends ClassicPreset.Socket {
  constructor(
    readonly type: string,
    readonly help: string,
    private readonly registry: NodeCatalogue,
  ) {
    super(type);
  }

  get color(): string {
    return socketColor(this.type);
  }

  /** True when a value leaving this (output) socket may flow into `input`. */
  isCompatibleWith(input: ClassicPreset.Socket): boolean {
    return input instanceof TypedSocket && this.registry.canConnect(this.type, input.type);
  }
}

const shared = new WeakMap<NodeCatalogue, Map<string, TypedSocket>>();

/** The socket of `type` for nodes built from `registry`; throws for a type the registry does not know. */
export function socketFor(registry: NodeCatalogue, type: string): TypedSocket {
  let sockets = shared.get(registry);
  if (!sockets) {
    sockets = new Map();
    shared.set(registry, sockets);
  }
  let socket = sockets.get(type);
  if (!socket) {
    const def = registry.socketType(type);
    if (!def) {
      const known = registry.socketTypes().map((s) => s.name);
      throw new Error(`unknown socket type "${type}" (known: ${known.join(', ')})`);
    }
    socket = new TypedSocket(type, def.help, registry);
    sockets.set(type, socket);
  }
  return socket;
}
