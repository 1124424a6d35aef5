// The optimize measurement itself, shared by the Node bench and the bench page in chromium (so it
// imports nothing from Node).
import type { ModelBundle } from '../src/engine/models/index.js';
import { editObjective, optimizeLatent } from '../src/engine/optimize/index.js';
import { median } from './timing.js';

export interface Measured {
  /** Where the objective's session runs: cpu, wasm or webgpu. */
  backend: string;
  /** Building the loss-and-gradient model and its session. */
  compileMs: number;
  /** One generator forward pass (bundle.generate), median. */
  forwardMs: number;
  /** One optimization step (a loss-and-gradient run plus the Adam update), the faster of two runs. */
  stepMs: number;
  stepsPerSecond: number;
}

/** The same measurement in Node and in the bench page: compile, forward, then two optimize runs. */
export async function measure(bundle: ModelBundle, steps: number): Promise<Measured> {
  let t = performance.now();
  const objective = await editObjective(bundle);
  const compileMs = performance.now() - t;
  const latent0 = await bundle.sampleLatent(1, 0.7);
  const forwardMs = await median(7, () => bundle.generate(latent0));
  const target = await bundle.encodeImage((await bundle.generate(await bundle.sampleLatent(2, 0.7))).image);
  const runs: number[] = [];
  for (let r = 0; r < 2; r++) {
    t = performance.now();
    await optimizeLatent(bundle, {
      latent0,
      target,
      steps,
      lr: 0.1,
      lambdaL2: 0.008,
      previewEvery: 10,
      onPreview: () => {},
    });
    // steps + 1 evaluations: the last one gives the final image and embedding.
    runs.push((performance.now() - t) / (steps + 1));
  }
  const stepMs = Math.min(...runs);
  return { backend: objective.backend, compileMs, forwardMs, stepMs, stepsPerSecond: 1000 / stepMs };
}
