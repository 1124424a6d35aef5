// The StyleSpace family's socket type: StyleDirection (values.ts).
import type { SocketTypeDef } from '../../engine/graph/registry.js';
import { describe } from '../basic/sockets.js';
import type { StyleDirectionValue } from './values.js';

declare module '../../engine/graph/definition.js' {
  interface SocketValues {
    StyleDirection: StyleDirectionValue;
  }
}

export const styleSpaceSockets: readonly SocketTypeDef[] = [
  {
    name: 'StyleDirection',
    help: "A direction in the bundle's style space (Δs), applied to a face as s + α Δs",
    check: (value) =>
      typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'style-direction'
        ? undefined
        : `expected a style-direction value, got ${describe(value)}`,
  },
];
