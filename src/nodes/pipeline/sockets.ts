// The socket types of the pipeline family and the value each carries (values.ts). Every value
// carries a `kind` tag; the engine checks it when the value arrives on an input, so a node's run()
// can take its inputs as they are typed.
import type { SocketTypeDef } from '../../engine/graph/registry.js';
import { describe } from '../basic/sockets.js';
import type {
  CoefficientsValue,
  EmbeddingValue,
  LatentValue,
  ModelsValue,
  SubspaceValue,
  TargetValue,
} from './values.js';

declare module '../../engine/graph/definition.js' {
  interface SocketValues {
    Latent: LatentValue;
    Embedding: EmbeddingValue;
    Subspace: SubspaceValue;
    Coefficients: CoefficientsValue;
    Target: TargetValue;
    Prompts: string[];
    Models: ModelsValue;
  }
}

/** A check that the value is an object with this `kind` tag. */
function kindCheck(kind: string): (value: unknown) => string | undefined {
  return (value) =>
    typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === kind
      ? undefined
      : `expected a ${kind} value, got ${describe(value)}`;
}

export const pipelineSockets: readonly SocketTypeDef[] = [
  {
    name: 'Latent',
    help: 'A generator latent (W+) and the model bundle it belongs to',
    check: kindCheck('latent'),
  },
  { name: 'Embedding', help: 'A CLIP embedding (a unit vector in the joint space)', check: kindCheck('embedding') },
  {
    name: 'Subspace',
    help: 'An orthonormal basis of a corpus subspace, one named direction per row',
    check: kindCheck('subspace'),
  },
  {
    name: 'Coefficients',
    help: 'Coordinates of an embedding along named subspace directions',
    check: kindCheck('coefficients'),
  },
  { name: 'Target', help: 'An optimization target embedding with how it was built', check: kindCheck('target') },
  {
    name: 'Prompts',
    help: 'A list of prompts (a corpus)',
    check: (v) =>
      Array.isArray(v) && v.every((p) => typeof p === 'string')
        ? undefined
        : `expected a list of prompts, got ${describe(v)}`,
    feedsParams: ['prompts'],
  },
  { name: 'Models', help: 'A loaded model bundle: generator, CLIP and encoder', check: kindCheck('models') },
];
