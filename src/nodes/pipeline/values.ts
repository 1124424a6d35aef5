// The values that flow between pipeline nodes. They never leave the engine's worker (the page sees
// only summaries), so they hold typed arrays and the loaded bundle as they are. Each carries a
// `kind` tag, checked when a node reads its inputs, and the id of the bundle it was made with, so
// a latent of one generator is never decoded by another.
import type { ImageValue } from '../../engine/graph/definition.js';
import type { ModelBundle } from '../../engine/models/bundle.js';
import type { Subspace } from '../../engine/pae/subspace.js';
import type { TargetVariant } from '../../engine/pae/target.js';
import type { Device } from '../../engine/run/models-service.js';
import type { Backend } from '../../engine/tensor/runtime.js';
import { isImageValue } from '../../engine/tensor/image.js';

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

type Kinded = { kind: string };

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'object' && typeof (value as Kinded).kind === 'string')
    return `a ${(value as Kinded).kind} value`;
  return typeof value;
}

function expectKind<T extends Kinded>(value: unknown, kind: T['kind'], input: string): T {
  if (typeof value !== 'object' || value === null || (value as Kinded).kind !== kind) {
    throw new Error(`input '${input}' expected a ${kind} value, got ${describe(value)}`);
  }
  return value as T;
}

export const readModels = (v: unknown, input = 'models') => expectKind<ModelsValue>(v, 'models', input);
export const readLatent = (v: unknown, input = 'latent') => expectKind<LatentValue>(v, 'latent', input);
export const readEmbedding = (v: unknown, input: string) => expectKind<EmbeddingValue>(v, 'embedding', input);
export const readSubspace = (v: unknown, input = 'subspace') => expectKind<SubspaceValue>(v, 'subspace', input);
export const readCoefficients = (v: unknown, input: string) => expectKind<CoefficientsValue>(v, 'coefficients', input);
export const readTarget = (v: unknown, input = 'target') => expectKind<TargetValue>(v, 'target', input);

export function readImage(value: unknown, input = 'image'): ImageValue {
  if (!isImageValue(value)) throw new Error(`input '${input}' expected an image, got ${describe(value)}`);
  return value;
}

export function readText(value: unknown, input: string): string {
  if (typeof value !== 'string') throw new Error(`input '${input}' expected text, got ${describe(value)}`);
  return value;
}

export function readPrompts(value: unknown, input = 'prompts'): string[] {
  if (!Array.isArray(value) || !value.every((p) => typeof p === 'string'))
    throw new Error(`input '${input}' expected a list of prompts, got ${describe(value)}`);
  return value;
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
