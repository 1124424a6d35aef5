// The values that flow between pipeline nodes. They never leave the engine's worker (the page sees
// only summaries), so they hold typed arrays and the loaded bundle as they are. Each carries a
// `kind` tag, checked by the engine when it arrives on an input (sockets.ts), and the id of the
// bundle it was made with, so a latent of one generator is never decoded by another.
import type { ModelBundle } from '../../engine/models/bundle.js';
import type { Subspace } from '../../engine/pae/subspace.js';
import type { TargetVariant } from '../../engine/pae/target.js';
import type { Device } from '../../engine/run/models-service.js';
import type { Backend } from '../../engine/tensor/runtime.js';

/** A loaded bundle. Its memory lives in the model service, not in the engine's result cache. */
export interface ModelsValue {
  kind: 'models';
  bundle: ModelBundle;
  /** The device asked for, and the backend the generator's session really got. */
  device: Device;
  backend: Backend;
  /** The result cache counts no bytes for it: the service holds the bundle whatever the cache does. */
  cacheBytes: 0;
}

/** A W+ latent, [1, L, D] flattened. */
export interface LatentValue {
  kind: 'latent';
  data: Float32Array;
  shape: readonly [1, number, number];
  bundleId: string;
}

/** A unit CLIP embedding, of an image or of a prompt. */
export interface EmbeddingValue {
  kind: 'embedding';
  data: Float32Array;
  of: 'image' | 'text';
  /** The prompt, or a short name of the image ("random face 7", "edited image"). */
  label: string;
  bundleId: string;
}

/** A corpus subspace, with the bundle whose CLIP text tower built it (PAE embeds its prompt with the same one). */
export interface SubspaceValue {
  kind: 'subspace';
  subspace: Subspace;
  models: ModelsValue;
  bundleId: string;
}

/** Coordinates along named subspace directions. */
export interface CoefficientsValue {
  kind: 'coefficients';
  labels: string[];
  values: number[];
  /** What they are the coordinates of: "start image", "edited image", "target", … */
  of: string;
}

/** A fixed optimization target and how it was made. */
export interface TargetValue {
  kind: 'target';
  /** Unit embedding the edit optimizes toward. */
  data: Float32Array;
  variant: TargetVariant;
  alpha: number;
  /** The prompt (or the label of the target embedding). */
  prompt: string;
  /** The subspace the target was built in: an edit reads its after-coefficients there. */
  subspace: Subspace;
  /** c_k: the start image's coefficients. */
  before: number[];
  bundleId: string;
}

/**
 * Values made with one bundle cannot be used with another (latent sizes and embedding spaces
 * differ, or worse, match by accident).
 */
export function checkSameBundle(models: ModelsValue, value: { bundleId: string }, what: string): void {
  if (value.bundleId !== models.bundle.id) {
    throw new Error(
      `${what} was made with the bundle ${value.bundleId}, but the models input is ${models.bundle.id}; connect the same Load Models node`,
    );
  }
}

export function latentValue(bundle: ModelBundle, data: Float32Array): LatentValue {
  return { kind: 'latent', data, shape: bundle.latentShape, bundleId: bundle.id };
}

export function embeddingValue(
  bundle: ModelBundle,
  data: Float32Array,
  of: EmbeddingValue['of'],
  label: string,
): EmbeddingValue {
  return { kind: 'embedding', data, of, label, bundleId: bundle.id };
}

/** "WebGPU", "wasm" or "cpu": what the toolbar and the Load Models node show. */
export function backendLabel(backend: Backend): string {
  return backend === 'webgpu' ? 'WebGPU' : backend;
}
