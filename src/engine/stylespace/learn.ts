// StyleMC: one global style direction Δs for a target, learned over a batch of random faces with
// the CLIP loss (mean over the faces of 1 − cos(E(G(s_i + Δs)), t_i)) + λ_L2 ‖Δs‖², where each
// face's target t_i is computed from that face's own image embedding (PAE, as the paper applies
// it to StyleMC) or is the prompt's embedding itself (a text target).
import type { ModelBundle } from '../models/index.js';
import { hostTensor } from '../onnx/model.js';
import { Adam } from '../optimize/adam.js';
import { compiledFor } from '../optimize/compiled.js';
import { abortError } from '../optimize/loop.js';
import { styleSpaceOf } from './space.js';
import { buildStyleModel, type StyleModelNames } from './style-model.js';

export interface LearnRun {
  /** Faces of seeds seed, seed + 1, …, truncation ψ. */
  faces: number;
  seed: number;
  truncation?: number;
  /** The target of a face from its unit CLIP image embedding. */
  targetFor(imageEmbedding: Float32Array): Float32Array;
  steps: number;
  lr: number;
  /** Weight of ‖Δs‖² (keeps the direction small where the loss does not need it). */
  lambdaL2: number;
  /**
   * Weight of the identity loss 1 − cos(ID(G(s_i + Δs)), ID(G(s_i))); only for bundles with an
   * identity network (an error otherwise when > 0).
   */
  lambdaId?: number;
  signal?: AbortSignal;
  onProgress?(step: number, steps: number, loss: number): void;
}

export interface LearnedDirection {
  delta: Float32Array;
  /** Mean loss over the faces (CLIP, + identity term) before each update, and at the end (steps + 1 values). */
  losses: number[];
}

async function styleObjective(bundle: ModelBundle) {
  const synthesis = bundle.modelBytes('styleSynthesis');
  const clipImage = bundle.modelBytes('clipImage');
  const identity = bundle.roles.includes('identity') ? bundle.modelBytes('identity') : undefined;
  const files = [synthesis, clipImage, ...(identity ? [identity] : [])];
  return compiledFor<StyleModelNames>(bundle, 'style objective', files, () => {
    const built = buildStyleModel(bundle.manifest, synthesis, clipImage, identity);
    return { bytes: built.bytes, meta: built.names };
  });
}

export async function learnDirection(bundle: ModelBundle, run: LearnRun): Promise<LearnedDirection> {
  const space = styleSpaceOf(bundle, 'Learn Direction');
  for (const [what, v] of [
    ['faces', run.faces],
    ['steps', run.steps],
  ] as const)
    if (!(Number.isInteger(v) && v >= 1))
      throw new Error(`Learn Direction: ${what} must be a whole number ≥ 1, got ${v}`);
  if (!(run.lr > 0)) throw new Error(`Learn Direction: the learning rate must be > 0, got ${run.lr}`);
  if (!(run.lambdaL2 >= 0)) throw new Error(`Learn Direction: λ_L2 must be ≥ 0, got ${run.lambdaL2}`);
  const lambdaId = run.lambdaId ?? 0;
  if (!(lambdaId >= 0)) throw new Error(`Learn Direction: λ_id must be ≥ 0, got ${lambdaId}`);
  const { model, meta: names } = await styleObjective(bundle);
  const id = names.identity;
  if (lambdaId > 0 && !id)
    throw new Error(
      `Learn Direction: λ_id is ${lambdaId}, but bundle "${bundle.name}" has no identity network; set λ_id to 0 or use a bundle with "identity" in its manifest`,
    );
  const embedDim = bundle.manifest.clip.embedDim;
  const feeds = (styles: Float32Array, target: Float32Array, reference?: Float32Array) => {
    const f = {
      [names.styles]: hostTensor('float32', [1, space.size], styles),
      [names.target]: hostTensor('float32', [1, embedDim], target),
      [names.lossSeed]: hostTensor('float32', [], [1]),
    };
    if (id) {
      f[id.lambda] = hostTensor('float32', [], [reference ? lambdaId : 0]);
      f[id.reference] = hostTensor(
        'float32',
        [1, id.dim],
        reference ?? Float32Array.from({ length: id.dim }, (_, i) => (i === 0 ? 1 : 0)),
      );
    }
    return f;
  };
  const faces: { styles: Float32Array; target: Float32Array; reference?: Float32Array }[] = [];
  for (let i = 0; i < run.faces; i++) {
    const latent = await bundle.sampleLatent(run.seed + i, run.truncation ?? 0.7, run.signal);
    const embedding = await bundle.encodeImage((await bundle.generate(latent, run.signal)).image, run.signal);
    const styles = await space.styles(latent, run.signal);
    const target = run.targetFor(embedding);
    // ID(G(s_i)) is fixed during learning: read once from the same model, its identity term off.
    let reference: Float32Array | undefined;
    if (id && lambdaId > 0) {
      const out = await model.run(feeds(styles, target), [id.embedding], run.signal);
      reference = Float32Array.from(out[id.embedding]!.data as Float32Array);
    }
    faces.push({ styles, target, reference });
  }
  const delta = new Float32Array(space.size);
  const adam = new Adam(space.size);
  const losses: number[] = [];
  const moved = new Float32Array(space.size);
  for (let step = 0; step <= run.steps; step++) {
    if (run.signal?.aborted) throw abortError(run.signal, `Learn Direction (step ${step} of ${run.steps})`);
    const grad = new Float64Array(space.size);
    let loss = 0;
    for (const face of faces) {
      for (let c = 0; c < space.size; c++) moved[c] = face.styles[c]! + delta[c]!;
      const out = await model.run(feeds(moved, face.target, face.reference), [names.loss, names.grad], run.signal);
      loss += Number(out[names.loss]!.data[0]) / faces.length;
      const g = out[names.grad]!.data as Float32Array;
      for (let c = 0; c < space.size; c++) grad[c]! += g[c]! / faces.length;
    }
    if (!Number.isFinite(loss)) throw new Error(`Learn Direction: the loss is not finite (${loss}) at step ${step}`);
    losses.push(loss);
    if (step > 0) run.onProgress?.(step, run.steps, loss);
    if (step === run.steps) break;
    for (let c = 0; c < space.size; c++) grad[c]! += 2 * run.lambdaL2 * delta[c]!;
    adam.step(delta, grad, run.lr);
  }
  return { delta, losses };
}
