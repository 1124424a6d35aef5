// The edit objective of a bundle: loss, gradient with respect to the latent, the generated image
// and its unit CLIP embedding, from one run of the compiled model (edit-model.ts).
import type { ImageValue } from '../graph/definition.js';
import type { ModelBundle } from '../models/index.js';
import { hostTensor, type HostTensor } from '../onnx/model.js';
import type { Backend } from '../tensor/runtime.js';
import { compiledFor, toImage, type CompiledModel } from './compiled.js';
import { buildEditModel, type EditModelNames } from './edit-model.js';

export interface EvaluateOptions {
  /** Read the generated image back (default true); a step without a preview skips the download. */
  image?: boolean;
  signal?: AbortSignal;
}

export interface EditEvaluation {
  loss: number;
  /** ∂loss/∂latent, latentSize values. */
  grad: Float32Array;
  /** The generated image in [0, 1] (undefined when not asked for). */
  image: ImageValue | undefined;
  /** Unit CLIP image embedding of the generated image. */
  embedding: Float32Array;
  /** Unit identity embedding of the generated image, when the bundle has an identity network. */
  identity?: Float32Array;
}

export interface EditObjective {
  /** Whether the loss has the identity term (the bundle has an identity network). */
  readonly hasIdentity: boolean;
  readonly backend: Backend;
  readonly names: EditModelNames;
  evaluate(
    latent: Float32Array,
    latent0: Float32Array,
    target: Float32Array,
    lambdaL2: number,
    lambdaId?: number,
    options?: EvaluateOptions,
  ): Promise<EditEvaluation>;
}

function checkVector(v: Float32Array, length: number, what: string, shape: string): void {
  if (!(v instanceof Float32Array) || v.length !== length) {
    throw new Error(
      `Optimize: ${what} needs ${length} float32 values (${shape}), got ${v instanceof Float32Array ? v.length : typeof v}`,
    );
  }
}

function checkWeight(value: number, what: string): void {
  if (!(Number.isFinite(value) && value >= 0))
    throw new Error(`Optimize: ${what} must be a finite number ≥ 0, got ${value}`);
}

function sameValues(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The bundle's compiled edit objective (built once per runtime and bundle). */
export async function editObjective(bundle: ModelBundle): Promise<EditObjective> {
  const source = {
    manifest: bundle.manifest,
    generator: bundle.modelBytes('generator'),
    clipImage: bundle.modelBytes('clipImage'),
    identity: bundle.roles.includes('identity') ? bundle.modelBytes('identity') : undefined,
  };
  const files = [source.generator, source.clipImage, ...(source.identity ? [source.identity] : [])];
  const { model, meta } = await compiledFor(
    bundle,
    'edit objective',
    files,
    (options) => {
      const built = buildEditModel(source, options);
      return { bytes: built.bytes, weights: built.weights, meta: built.names };
    },
    [bundle.manifest.generator.output],
  );
  return makeObjective(bundle, model, meta);
}

function makeObjective(bundle: ModelBundle, compiled: CompiledModel, names: EditModelNames): EditObjective {
  const m = bundle.manifest;
  const latentShape = [...bundle.latentShape];
  const shape = `[${latentShape.join(', ')}]`;
  const embedDim = m.clip.embedDim;
  const identity = names.identity;
  const identityDim = identity?.dim ?? 0;
  // ID(G(w0)) is fixed during a run: computed once per start latent.
  let identityMemo: { latent0: Float32Array; embedding: Float32Array } | undefined;
  const anyUnit = (n: number) => {
    const v = new Float32Array(n);
    v[0] = 1;
    return v;
  };

  const run = async (
    latent: Float32Array,
    latent0: Float32Array,
    target: Float32Array,
    lambdaL2: number,
    lambdaId: number,
    reference: Float32Array | undefined,
    options: EvaluateOptions,
  ) => {
    const feeds: Record<string, HostTensor> = {
      [names.latent]: hostTensor('float32', latentShape, latent),
      [names.latent0]: hostTensor('float32', latentShape, latent0),
      [names.target]: hostTensor('float32', [1, embedDim], target),
      [names.lambdaL2]: hostTensor('float32', [], [lambdaL2]),
      [names.lossSeed]: hostTensor('float32', [], [1]),
    };
    if (identity) {
      feeds[identity.lambda] = hostTensor('float32', [], [lambdaId]);
      feeds[identity.reference] = hostTensor('float32', [1, identityDim], reference ?? anyUnit(identityDim));
    }
    const wanted = [names.loss, names.grad, names.embedding];
    if (options.image !== false) wanted.push(names.image);
    if (identity) wanted.push(identity.embedding);
    const out = await compiled.run(feeds, wanted, options.signal);
    const result: EditEvaluation = {
      loss: Number(out[names.loss]!.data[0]),
      grad: Float32Array.from(out[names.grad]!.data as Float32Array),
      image: options.image !== false ? toImage(out[names.image]!, m.generator.outputRange) : undefined,
      embedding: Float32Array.from(out[names.embedding]!.data as Float32Array),
    };
    if (identity) result.identity = Float32Array.from(out[identity.embedding]!.data as Float32Array);
    return result;
  };

  return {
    hasIdentity: identity !== undefined,
    backend: compiled.session.backend,
    names,
    async evaluate(latent, latent0, target, lambdaL2, lambdaId = 0, options = {}) {
      checkVector(latent, bundle.latentSize, 'the latent', shape);
      checkVector(latent0, bundle.latentSize, 'the start latent', shape);
      checkVector(target, embedDim, 'the target embedding', `clip.embedDim = ${embedDim}`);
      checkWeight(lambdaL2, 'λ_L2');
      checkWeight(lambdaId, 'λ_id');
      if (lambdaId > 0 && !identity) {
        throw new Error(
          `Optimize: λ_id is ${lambdaId}, but bundle "${bundle.name}" has no identity network; set λ_id to 0 or use a bundle with "identity" in its manifest`,
        );
      }
      let reference: Float32Array | undefined;
      if (identity && lambdaId > 0) {
        if (!identityMemo || !sameValues(identityMemo.latent0, latent0)) {
          const probe = await run(latent0, latent0, target, lambdaL2, 0, undefined, {
            image: false,
            signal: options.signal,
          });
          identityMemo = { latent0: latent0.slice(), embedding: probe.identity! };
        }
        reference = identityMemo.embedding;
      }
      return run(latent, latent0, target, lambdaL2, lambdaId, reference, options);
    },
  };
}
