// Invert: an image's latent from the bundle's encoder, optionally refined by minimizing the pixel
// error of G(w) with the same compiled-gradient loop as Optimize.
import type { ImageValue } from '../graph/definition.js';
import { centreSquare, resizeImage, type ModelBundle } from '../models/index.js';
import { hostTensor } from '../onnx/model.js';
import { compiledFor, toImage } from './compiled.js';
import { buildInvertModel } from './invert-model.js';
import { abortError, runLoop, type Evaluation } from './loop.js';

export interface InvertRun {
  image: ImageValue;
  /** 0: the encoder's latent as it is. */
  refineSteps: number;
  lr: number;
  /** Weight of ‖w − w_enc‖² in the refinement (default 0). */
  lambdaL2?: number;
  previewEvery?: number;
  signal?: AbortSignal;
  onProgress?(step: number, steps: number, loss: number): void;
  onPreview?(image: ImageValue, step: number): void;
}

export interface InvertResult {
  latent: Float32Array;
  /** The reconstruction G(latent) in [0, 1]. */
  image: ImageValue;
  /** Pixel MSE (+ the λ_L2 term) after i refinement steps; one value (the encoder's) without refinement. */
  losses: number[];
}

/** The image the generator should reproduce: RGB, centre square when the generator is square, at its size. */
export function referenceImage(bundle: ModelBundle, image: ImageValue): ImageValue {
  const [height, width] = bundle.manifest.generator.imageSize;
  const channels = image.data.length / (image.width * image.height);
  if (channels !== 3) throw new Error(`Invert: expected an RGB image (3 channels), got ${channels} channels`);
  return resizeImage(height === width ? centreSquare(image) : image, width, height);
}

function meanSquaredError(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s / a.length;
}

export async function invertImage(bundle: ModelBundle, run: InvertRun): Promise<InvertResult> {
  const lambdaL2 = run.lambdaL2 ?? 0;
  if (!(Number.isFinite(lambdaL2) && lambdaL2 >= 0))
    throw new Error(`Invert: λ_L2 must be a finite number ≥ 0, got ${lambdaL2}`);
  const reference = referenceImage(bundle, run.image);
  let encoded: Float32Array;
  try {
    encoded = await bundle.encode(run.image, run.signal);
  } catch (e) {
    if (run.signal?.aborted) throw abortError(run.signal, 'Invert');
    throw e;
  }
  if (!(run.refineSteps > 0)) {
    if (run.refineSteps !== 0)
      throw new Error(`Invert: refineSteps must be a whole number ≥ 0, got ${run.refineSteps}`);
    const { image } = await bundle.generate(encoded, run.signal);
    return { latent: encoded, image, losses: [meanSquaredError(image.data, reference.data)] };
  }

  const generator = bundle.modelBytes('generator');
  const { model, meta: names } = await compiledFor(
    bundle,
    'invert objective',
    [generator],
    () => {
      const built = buildInvertModel(bundle.manifest, generator);
      return { bytes: built.bytes, meta: built.names };
    },
    [bundle.manifest.generator.output],
  );
  const shape = [...bundle.latentShape];
  const [height, width] = bundle.manifest.generator.imageSize;
  const fixed = {
    [names.latent0]: hostTensor('float32', shape, encoded),
    [names.reference]: hostTensor('float32', [1, 3, height, width], reference.data),
    [names.lambdaL2]: hostTensor('float32', [], [lambdaL2]),
    [names.lossSeed]: hostTensor('float32', [], [1]),
  };
  const range = bundle.manifest.generator.outputRange;
  const result = await runLoop<Evaluation>({
    what: 'Invert',
    start: encoded,
    steps: run.refineSteps,
    lr: run.lr,
    previewEvery: run.previewEvery,
    signal: run.signal,
    onProgress: run.onProgress,
    onPreview: run.onPreview,
    async evaluate(latent, wantImage, signal) {
      const read = wantImage ? [names.loss, names.grad, names.image] : [names.loss, names.grad];
      const out = await model.run({ ...fixed, [names.latent]: hostTensor('float32', shape, latent) }, read, signal);
      return {
        loss: Number(out[names.loss]!.data[0]),
        grad: Float32Array.from(out[names.grad]!.data as Float32Array),
        image: wantImage ? toImage(out[names.image]!, range) : undefined,
      };
    },
  });
  return { latent: result.latent, image: result.last.image!, losses: result.losses };
}
