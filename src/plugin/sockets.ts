// Typed sockets: one shared instance per socket type, so Rete's renderers and the connection
// rules can recognise a type by identity and colour it consistently.
import { ClassicPreset } from 'rete';
import { SOCKET_TYPES, socketsCompatible, isSocketType, type SocketType } from '../engine/graph/sockets.js';

export class TypedSocket extends ClassicPreset.Socket {
  readonly type: SocketType;

  constructor(type: SocketType) {
    super(type);
    this.type = type;
  }

  get color(): string {
    return SOCKET_TYPES[this.type].color;
  }

  get help(): string {
    return SOCKET_TYPES[this.type].help;
  }

  /** True when a value leaving this (output) socket may flow into `input`. */
  isCompatibleWith(input: ClassicPreset.Socket): boolean {
    return input instanceof TypedSocket && socketsCompatible(this.type, input.type);
  }
}

const shared = new Map<SocketType, TypedSocket>();

export function socketFor(type: string): TypedSocket {
  if (!isSocketType(type))
    throw new Error(`unknown socket type "${type}" (known: ${Object.keys(SOCKET_TYPES).join(', ')})`);
  let socket = shared.get(type);
  if (!socket) {
    socket = new TypedSocket(type);
    shared.set(type, socket);
  }
  return socket;
}
