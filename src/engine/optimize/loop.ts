// The optimization loop shared by Optimize and Invert: Adam with StyleCLIP's learning-rate ramp
// around one compiled evaluation per step, with progress, previews, cancellation between steps and
// a clear stop when the loss or the gradient stops being finite.
import type { ImageValue } from '../graph/definition.js';
import { Adam } from './adam.js';
import { learningRateAt } from './schedule.js';

export interface Evaluation {
  loss: number;
  grad: Float32Array;
  image: ImageValue | undefined;
}

export interface LoopOptions<E extends Evaluation> {
  /** Names the operation in messages: "Optimize", "Invert". */
  what: string;
  start: Float32Array;
  steps: number;
  lr: number;
  evaluate(latent: Float32Array, wantImage: boolean, signal?: AbortSignal): Promise<E>;
  previewEvery?: number;
  signal?: AbortSignal;
  onProgress?(step: number, steps: number, loss: number): void;
  onPreview?(image: ImageValue, step: number): void;
  /**
   * Whether the evaluation at the start latent already reaches the goal. The run then ends there:
   * the start latent comes back unchanged, with losses [loss0], one progress report for the whole
   * run and the start image as the final preview.
   */
  reachedAtStart?(first: E): boolean;
}

export interface LoopResult<E extends Evaluation> {
  latent: Float32Array;
  /**
   * losses[i] is the loss after i updates: steps + 1 values, the first at the start latent (one
   * value when the start already reached the goal).
   */
  losses: number[];
  /** The evaluation of the final latent (with its image). */
  last: E;
}

/** The AbortError to throw: the signal's own reason when it is one, else a fresh one. */
export function abortError(signal: AbortSignal, what: string): unknown {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException(`${what} was cancelled`, 'AbortError');
}

export function checkLoopOptions(what: string, steps: number, lr: number, previewEvery: number): void {
  if (!(Number.isInteger(steps) && steps >= 0))
    throw new Error(`${what}: steps must be a whole number ≥ 0, got ${steps}`);
  if (!(Number.isFinite(lr) && lr >= 0))
    throw new Error(`${what}: the learning rate must be a finite number ≥ 0, got ${lr}`);
  if (!(Number.isInteger(previewEvery) && previewEvery >= 1))
    throw new Error(`${what}: previewEvery must be a whole number ≥ 1, got ${previewEvery}`);
}

function firstNonFinite(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return i;
  return -1;
}

/** Resolves in a later task (not a microtask), so events queued meanwhile are handled first. */
function nextTask(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}

export async function runLoop<E extends Evaluation>(options: LoopOptions<E>): Promise<LoopResult<E>> {
  const { what, steps, lr, signal } = options;
  const previewEvery = options.previewEvery ?? 10;
  checkLoopOptions(what, steps, lr, previewEvery);
  const latent = options.start.slice();
  const adam = new Adam(latent.length);
  const losses: number[] = [];
  const checkAbort = () => {
    if (signal?.aborted) throw abortError(signal, what);
  };

  const evaluateAt = async (wantImage: boolean): Promise<E> => {
    try {
      return await options.evaluate(latent, wantImage, signal);
    } catch (e) {
      if (signal?.aborted) throw abortError(signal, what);
      throw e;
    }
  };

  for (let step = 0; ; step++) {
    // A step on wasm settles through promises alone, which never lets the host's queued events
    // run: in a worker, a 'cancel' message would wait for the whole loop. One task per step lets it in.
    await nextTask();
    checkAbort();
    const last = step === steps;
    const wantImage = last || (options.onPreview !== undefined && step > 0 && step % previewEvery === 0);
    const evaluation = await evaluateAt(wantImage);
    const where = step === 0 ? 'at step 0 (the start latent)' : `at step ${step} of ${steps}`;
    if (!Number.isFinite(evaluation.loss)) {
      throw new Error(
        `${what}: the loss became ${evaluation.loss} ${where} (lr ${lr}); lower the learning rate, or check that the target and the start latent are finite`,
      );
    }
    const bad = firstNonFinite(evaluation.grad);
    if (bad >= 0) {
      throw new Error(
        `${what}: the gradient became ${evaluation.grad[bad]} ${where} (lr ${lr}, latent value ${bad}); lower the learning rate`,
      );
    }
    losses.push(evaluation.loss);
    if (step === 0 && !last && options.reachedAtStart?.(evaluation)) {
      // The step-0 evaluation skipped the image download (it is not a preview step): fetch it now.
      const final = evaluation.image ? evaluation : await evaluateAt(true);
      options.onProgress?.(steps, steps, evaluation.loss);
      if (final.image && options.onPreview) options.onPreview(final.image, steps);
      return { latent, losses, last: final };
    }
    if (step > 0) options.onProgress?.(step, steps, evaluation.loss);
    if (evaluation.image && options.onPreview && step > 0 && (step % previewEvery === 0 || last))
      options.onPreview(evaluation.image, step);
    if (last) return { latent, losses, last: evaluation };
    adam.step(latent, evaluation.grad, learningRateAt(step, steps, lr));
    const moved = firstNonFinite(latent);
    if (moved >= 0)
      throw new Error(
        `${what}: the latent became ${latent[moved]} at step ${step + 1} of ${steps} (lr ${lr}, latent value ${moved}); lower the learning rate`,
      );
  }
}
