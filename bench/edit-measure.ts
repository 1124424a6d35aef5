// The edit-objective measurement shared by `npm run bench -- edit` in Node and its chromium page (so
// it imports nothing from Node): build the bundle's loss-and-gradient model, open its session, run
// steps, then time the forward pass it differentiates (generator, then CLIP image tower).
import type { Manifest } from '../src/engine/models/manifest.js';
import { hostTensor, type HostTensor } from '../src/engine/onnx/model.js';
import { EXTERNAL_WEIGHTS_PATH, releaseWeights } from '../src/engine/onnx/external.js';
import { buildEditModel } from '../src/engine/optimize/edit-model.js';
import type { Runtime } from '../src/engine/tensor/runtime.js';
import { median } from './timing.js';

export interface EditBenchFiles {
  manifest: Manifest;
  generator: Uint8Array;
  clipImage: Uint8Array;
}

export interface EditMeasured {
  /** Where the objective's session runs: cpu, wasm or webgpu. */
  backend: string;
  /** Building the loss-and-gradient model (seconds). */
  compile_s: number;
  /** Creating its session (seconds). */
  session_s: number;
  /** One loss-and-gradient run, loss and gradient read back (median, ms; interleaved with forward passes when those are timed). */
  step_ms: number;
  /** Generator then CLIP image tower, each its own session (median, ms); absent with forward: false. */
  forward_ms?: number;
  objective_mb: number;
  models_mb: number;
}

const MB = 1e6;

/** A deterministic latent near the origin and a unit target, so every runtime computes the same step. */
function feedsFor(manifest: Manifest): { latent: HostTensor; target: HostTensor } {
  const [, layers, width] = manifest.generator.latentShape;
  const latent = new Float32Array(layers * width);
  for (let i = 0; i < latent.length; i++) latent[i] = 0.5 * Math.sin(i * 12.9898);
  const target = new Float32Array(manifest.clip.embedDim);
  target[0] = 1;
  return {
    latent: hostTensor('float32', [1, layers, width], latent),
    target: hostTensor('float32', [1, target.length], target),
  };
}

export async function measureEdit(
  /**
   * Reads the bundle's files; called once for the build and again for the forward pass, so the
   * model bytes are not held while the objective's session runs (as an app drops them once its
   * sessions exist).
   */
  load: () => Promise<EditBenchFiles>,
  runtime: Runtime,
  /**
   * interleave (default: not on wasm) times steps and forward passes in turns, both sessions open.
   * onPhase('forward') comes after the objective's own steps, before the forward sessions open. */
  options: { steps: number; forward?: boolean; interleave?: boolean; onPhase?: (phase: string) => void },
): Promise<EditMeasured> {
  let files: EditBenchFiles | undefined = await load();
  const { manifest } = files;
  const models_mb = (files.generator.byteLength + files.clipImage.byteLength) / MB;
  options.onPhase?.('compile');
  let t = performance.now();
  let built: ReturnType<typeof buildEditModel> | undefined = buildEditModel(files, {
    externalWeights: runtime.externalData === true,
  });
  files = undefined; // the objective has what it needs of them
  const compile_s = (performance.now() - t) / 1000;
  const { names } = built;
  const objective_mb = (built.bytes.byteLength + (built.weights?.byteLength ?? 0)) / MB;
  options.onPhase?.('session');
  t = performance.now();
  const session = await runtime.createSession(built.bytes, {
    name: `${manifest.name}: edit objective`,
    externalData: built.weights && { path: EXTERNAL_WEIGHTS_PATH, data: built.weights },
  });
  const session_s = (performance.now() - t) / 1000;
  if (built.weights) releaseWeights(built.weights);
  built = undefined; // the session holds the model now
  const { latent, target } = feedsFor(manifest);
  const feeds = {
    [names.latent]: latent,
    [names.latent0]: latent,
    [names.target]: target,
    [names.lambdaL2]: hostTensor('float32', [], [0.008]),
    [names.lossSeed]: hostTensor('float32', [], [1]),
  };
  const step = async () => {
    // What Optimize reads on a step without a preview (the image is not copied out).
    const out = await session.run(feeds, { outputs: [names.loss, names.grad, names.embedding] });
    try {
      const loss = (await out[names.loss]!.read()).data[0];
      await out[names.grad]!.read();
      if (!Number.isFinite(Number(loss))) throw new Error(`the objective returned loss ${loss}`);
    } finally {
      for (const o of Object.values(out)) o.dispose();
    }
  };
  options.onPhase?.('first-step');
  await step(); // the first run allocates; it is not a step's cost
  options.onPhase?.('steps');
  let step_ms = await median(Math.max(1, options.steps), step);
  let forward_ms: number | undefined;
  // wasm has one 4 GB heap: at 1024 px the objective and the forward sessions do not fit in it
  // together, so there the forward pass is timed after the objective's session is gone.
  const interleave = options.interleave ?? session.backend !== 'wasm';
  if (!interleave) await session.release();
  if (options.forward !== false) {
    // Opened only now, so the peak memory of the steps above is the objective's alone.
    options.onPhase?.('forward');
    files = await load();
    const gen = await runtime.createSession(files.generator, { name: `${manifest.name}: generator` });
    const clip = await runtime.createSession(files.clipImage, { name: `${manifest.name}: CLIP image` });
    files = undefined;
    const size = manifest.clip.imageSize;
    const pixels = hostTensor('float32', [1, 3, size, size], new Float32Array(3 * size * size));
    const forward = async () => {
      const g = await gen.run({ [manifest.generator.input]: latent });
      for (const o of Object.values(g)) o.dispose();
      const c = await clip.run({ [manifest.clip.image.input]: pixels });
      await c[manifest.clip.image.output]!.read();
      for (const o of Object.values(c)) o.dispose();
    };
    await forward();
    // Interleaved, so a step and a forward pass see the same load on a shared machine.
    const steps: number[] = [];
    const forwards: number[] = [];
    for (let i = 0; i < Math.max(1, options.steps); i++) {
      if (interleave) steps.push(await median(1, step));
      forwards.push(await median(1, forward));
    }
    const mid = (v: number[]) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
    if (interleave) step_ms = mid(steps);
    forward_ms = mid(forwards);
    await gen.release();
    await clip.release();
  }
  if (interleave) await session.release();
  return { backend: session.backend, compile_s, session_s, step_ms, forward_ms, objective_mb, models_mb };
}
