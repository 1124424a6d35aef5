// Optimize: move a latent so the CLIP embedding of its image turns toward a fixed target
// (StyleCLIP's latent optimization), with the bundle's compiled loss-and-gradient model.
import type { ImageValue } from '../graph/definition.js';
import type { ModelBundle } from '../models/index.js';
import { runLoop } from './loop.js';
import { editObjective, type EditEvaluation } from './objective.js';

/**
 * A start loss below this means the start already is the edit asked for (α = 0 gives back the
 * image embedding itself). Every term of the loss is ≥ 0 and the L2 and identity terms are 0 at
 * the start latent, so this bounds 1 − cos(e, target) too; float32 rounding of a cosine of 1 stays
 * around 1e-7.
 */
export const REACHED_AT_START = 1e-6;

/**
 * The host method the loss belongs to: 'styleclip' (StyleCLIP's latent optimization, CLIP loss +
 * λ_L2 ‖w − w0‖² + the identity term) or 'naive' (the paper's baseline: the CLIP loss alone, so
 * λ_L2 and λ_id are ignored).
 */
export type EditHost = 'styleclip' | 'naive';
export const EDIT_HOSTS: readonly EditHost[] = ['styleclip', 'naive'];

export interface EditRun {
  /** Default 'styleclip'. */
  host?: EditHost;
  /** Start latent, bundle.latentSize values ([1, L, D]). */
  latent0: Float32Array;
  /** Unit target embedding (clip.embedDim values), fixed during the run. */
  target: Float32Array;
  /** StyleCLIP uses 300; the demo bundle needs far fewer. */
  steps: number;
  /** Peak learning rate of StyleCLIP's ramp (0.1 in StyleCLIP). */
  lr: number;
  /** Weight of ‖w − w0‖² (0.008 in StyleCLIP). */
  lambdaL2: number;
  /** Weight of the identity term; only for bundles with an identity network (an error otherwise when > 0). */
  lambdaId?: number;
  /** Steps between previews (default 10); the final image is always previewed. */
  previewEvery?: number;
  signal?: AbortSignal;
  onProgress?(step: number, steps: number, loss: number): void;
  onPreview?(image: ImageValue, step: number): void;
}

export interface EditResult {
  latent: Float32Array;
  /** The final image in [0, 1]. */
  image: ImageValue;
  /**
   * losses[i] is the loss after i steps: steps + 1 values, losses[0] at the start latent; only
   * [losses[0]] when the start already reaches the target (see REACHED_AT_START).
   */
  losses: number[];
  /** Unit CLIP embedding of the final image, for the 'after' coefficients. */
  imageEmbedding: Float32Array;
}

export async function optimizeLatent(bundle: ModelBundle, run: EditRun): Promise<EditResult> {
  const host = run.host ?? 'styleclip';
  if (!EDIT_HOSTS.includes(host))
    throw new Error(`Optimize: host must be one of ${EDIT_HOSTS.join(', ')}, got ${JSON.stringify(host)}`);
  const objective = await editObjective(bundle);
  // The naive host is the same compiled model with both regularizers weighted 0.
  const lambdaL2 = host === 'naive' ? 0 : run.lambdaL2;
  const lambdaId = host === 'naive' ? 0 : (run.lambdaId ?? 0);
  // A copy: the caller may reuse its array while the run is in flight.
  const latent0 = run.latent0.slice();
  const result = await runLoop<EditEvaluation>({
    what: 'Optimize',
    start: latent0,
    steps: run.steps,
    lr: run.lr,
    previewEvery: run.previewEvery,
    signal: run.signal,
    onProgress: run.onProgress,
    onPreview: run.onPreview,
    // Without this, a target equal to the start's own embedding still moves the latent: the
    // gradient there is rounding noise, and Adam divides each update by the gradient's own running
    // size, so noise becomes steps of the full learning rate.
    reachedAtStart: (first) => first.loss < REACHED_AT_START,
    evaluate: (latent, image, signal) =>
      objective.evaluate(latent, latent0, run.target, lambdaL2, lambdaId, { image, signal }),
  });
  return {
    latent: result.latent,
    image: result.last.image!,
    losses: result.losses,
    imageEmbedding: result.last.embedding,
  };
}
