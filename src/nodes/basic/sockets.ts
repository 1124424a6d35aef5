// The socket types of the basic family: images, texts and numbers. Text and Number inputs may also
// feed any text or number param of any node (a prompt, a strength), as ComfyUI's widgets-as-inputs.
import type { ImageValue } from '../../engine/graph/definition.js';
import { describeValue } from '../../engine/graph/params.js';
import type { SocketTypeDef } from '../../engine/graph/registry.js';
import { isImageValue } from '../../engine/tensor/image.js';

declare module '../../engine/graph/definition.js' {
  interface SocketValues {
    Image: ImageValue;
    Text: string;
    Number: number;
  }
}

export const basicSockets: readonly SocketTypeDef[] = [
  {
    name: 'Image',
    help: 'An RGB image with values in [0, 1]',
    check: (v) => (isImageValue(v) ? undefined : `expected an image, got ${describe(v)}`),
  },
  {
    name: 'Text',
    help: 'A prompt',
    check: (v) => (typeof v === 'string' ? undefined : `expected text, got ${describe(v)}`),
    feedsParams: ['text', 'bundle'],
  },
  {
    name: 'Number',
    help: 'A number',
    check: (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : `expected a number, got ${describe(v)}`),
    feedsParams: ['number'],
  },
];

/** "a latent value" for the kind-tagged values of other families, else what describeValue says. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (isImageValue(value)) return 'an image';
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (typeof value === 'object' && value !== null && typeof kind === 'string') return `a ${kind} value`;
  return describeValue(value);
}
