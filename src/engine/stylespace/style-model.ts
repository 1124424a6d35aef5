// StyleMC's objective as one ONNX model: synthesis from styles → centre square → resize to
// clip.imageSize → per-channel normalize → CLIP image tower → L2-normalize → 1 − cos(e, target),
// and its gradient with respect to the style vector, composed and differentiated as the latent
// edit's model is (optimize/edit-model.ts), so a learning step is one session run per face.
import type { Manifest } from '../models/manifest.js';
import { compose, extendModel, foldConstants, gradientModel, gradName, readModel, writeModel } from '../onnx/index.js';
import { freshName, modelNames } from '../optimize/edit-model.js';
import { centreSquareOp, channelAffineOp, rangeToNormalized, resizeOp, sumAllOp, unitOp } from '../optimize/prep.js';
import { styleSize } from './space.js';

export interface StyleModelNames {
  styles: string;
  target: string;
  lossSeed: string;
  loss: string;
  grad: string;
  embedding: string;
}

export function buildStyleModel(m: Manifest, synthesisBytes: Uint8Array, clipImageBytes: Uint8Array) {
  const st = m.styleSpace;
  if (!st) throw new Error(`bundle "${m.name}" has no StyleSpace (styleSpace in its manifest)`);
  const size = styleSize(st);
  const clip = m.clip;
  const where = `bundle "${m.name}"`;
  const inputShapes = { [st.synthesis.input]: [1, size] };
  const synthesis = readModel(synthesisBytes, `${where}: ${st.synthesis.file}`);
  let pixels = '';
  const prepared = extendModel(synthesis, (g) => {
    const [height, width] = m.generator.imageSize;
    const { square, side } = centreSquareOp(g, st.synthesis.output, height, width);
    const map = rangeToNormalized(m.generator.outputRange, clip.mean, clip.std);
    pixels = channelAffineOp(g, resizeOp(g, square, 3, side, clip.imageSize), map.scale, map.shift);
    g.output(pixels, 'float32', [1, 3, clip.imageSize, clip.imageSize]);
  });
  const composed = compose(prepared, readModel(clipImageBytes, `${where}: ${clip.image.file}`), {
    connect: { [clip.image.input]: pixels },
    prefixB: 'clip/',
  });
  const taken = modelNames(composed);
  const names: StyleModelNames = {
    styles: st.synthesis.input,
    target: freshName('target', taken),
    loss: freshName('loss', taken),
    embedding: freshName('embedding', taken),
    lossSeed: '',
    grad: '',
  };
  names.lossSeed = gradName(names.loss);
  names.grad = gradName(names.styles);
  const withLoss = extendModel(
    composed,
    (g) => {
      const target = g.input(names.target, 'float32', [1, clip.embedDim]);
      const embedding = unitOp(g, `clip/${clip.image.output}`, names.embedding);
      const cos = sumAllOp(g, g.op('Mul', [embedding, unitOp(g, target)]));
      g.op('Sub', [g.scalar(1), cos], {}, names.loss);
      g.output(names.loss, 'float32', []);
      g.output(embedding, 'float32', [1, clip.embedDim]);
    },
    { inputShapes, replaceOutputs: true },
  );
  const folded = foldConstants(withLoss, inputShapes);
  const withGradient = gradientModel(folded, { of: names.loss, wrt: [names.styles], inputShapes });
  return { bytes: writeModel(withGradient), names };
}
