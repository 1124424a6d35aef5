// Typed sockets: one shared instance per socket type, so Rete's renderers and the connection
// rules can recognise a type by identity and colour it consistently.
import { ClassicPreset } from 'rete';
import { catalogue } from '../nodes/registry.js';
import { socketColor } from './theme.js';

export class TypedSocket extends ClassicPreset.Socket {
  readonly type: string;

  constructor(type: string) {
    super(type);
    this.type = type;
  }

  get color(): string {
    return socketColor(this.type);
  }

  get help(): string {
    return catalogue.socketType(this.type)?.help ?? this.type;
  }

  /** True when a value leaving this (output) socket may flow into `input`. */
  isCompatibleWith(input: ClassicPreset.Socket): boolean {
    return input instanceof TypedSocket && catalogue.canConnect(this.type, input.type);
  }
}

const shared = new Map<string, TypedSocket>();

export function socketFor(type: string): TypedSocket {
  if (!catalogue.socketType(type))
    throw new Error(
      `unknown socket type "${type}" (known: ${catalogue
        .socketTypes()
        .map((s) => s.name)
        .join(', ')})`,
    );
  let socket = shared.get(type);
  if (!socket) {
    socket = new TypedSocket(type);
    shared.set(type, socket);
  }
  return socket;
}
