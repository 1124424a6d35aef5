// The inversion refinement objective as one ONNX model: mean squared pixel error between G(w)
// (mapped to [0, 1]) and the reference image at the generator's size, + λ_L2 ‖w − w_enc‖², and its
// gradient with respect to the latent.
import type { Manifest } from '../models/manifest.js';
import { extendModel, foldConstants, gradientModel, gradName, readModel, writeModel } from '../onnx/index.js';
import { freshName, modelNames } from './edit-model.js';
import { channelAffineOp, sumAllOp } from './prep.js';

export interface InvertModelNames {
  latent: string;
  latent0: string;
  /** [1, 3, H, W] in [0, 1]. */
  reference: string;
  lambdaL2: string;
  lossSeed: string;
  loss: string;
  grad: string;
  image: string;
}

export function buildInvertModel(
  manifest: Manifest,
  generatorBytes: Uint8Array,
): { bytes: Uint8Array; names: InvertModelNames } {
  const gen = manifest.generator;
  const [, layers, width] = gen.latentShape;
  const [height, imageWidth] = gen.imageSize;
  const latentDims = [1, layers, width];
  const generator = readModel(generatorBytes, `bundle "${manifest.name}": ${gen.file}`);
  const taken = modelNames(generator);
  const names: InvertModelNames = {
    latent: gen.input,
    latent0: freshName('latent0', taken),
    reference: freshName('reference', taken),
    lambdaL2: freshName('lambda_l2', taken),
    loss: freshName('loss', taken),
    image: gen.output,
    lossSeed: '',
    grad: gradName(gen.input),
  };
  names.lossSeed = gradName(names.loss);
  const pixels = 3 * height * imageWidth;

  const withLoss = extendModel(
    generator,
    (g) => {
      const latent0 = g.input(names.latent0, 'float32', latentDims);
      const reference = g.input(names.reference, 'float32', [1, 3, height, imageWidth]);
      const lambdaL2 = g.input(names.lambdaL2, 'float32', []);
      const [lo, hi] = gen.outputRange;
      const s = 1 / (hi - lo);
      const image01 = channelAffineOp(g, gen.output, [s, s, s], [-lo * s, -lo * s, -lo * s]);
      const diff = g.op('Sub', [image01, reference]);
      const mse = g.op('Mul', [sumAllOp(g, g.op('Mul', [diff, diff])), g.scalar(1 / pixels)]);
      const delta = g.op('Sub', [names.latent, latent0]);
      const l2 = g.op('Mul', [lambdaL2, sumAllOp(g, g.op('Mul', [delta, delta]))]);
      g.op('Add', [mse, l2], {}, names.loss);
      g.output(names.loss, 'float32', []);
      g.output(names.image, 'float32', [1, 3, height, imageWidth]);
    },
    { inputShapes: { [gen.input]: latentDims }, replaceOutputs: true },
  );
  const shapes = { [gen.input]: latentDims, [names.latent0]: latentDims };
  const withGradient = gradientModel(foldConstants(withLoss, shapes), {
    of: names.loss,
    wrt: [names.latent],
    inputShapes: shapes,
  });
  return { bytes: writeModel(withGradient), names };
}
