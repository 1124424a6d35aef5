// StyleMC's objective as one ONNX model: synthesis from styles → centre square → resize to
// clip.imageSize → per-channel normalize → CLIP image tower → L2-normalize → 1 − cos(e, target)
// (+ λ_id (1 − cos(ID(G(s)), reference)) when the bundle has an identity network), and its gradient with respect to the style vector, composed and differentiated as the latent
// edit's model is (optimize/edit-model.ts), so a learning step is one session run per face.
import type { Manifest } from '../models/manifest.js';
import { compose, extendModel, foldConstants, gradientModel, gradName, readModel, writeModel } from '../onnx/index.js';
import { freshName, modelNames } from '../optimize/edit-model.js';
import { identityPixelsOp } from '../optimize/identity-prep.js';
import { centreSquareOp, channelAffineOp, rangeToNormalized, resizeOp, sumAllOp, unitOp } from '../optimize/prep.js';
import { styleSize } from './space.js';

export interface StyleModelNames {
  styles: string;
  target: string;
  lossSeed: string;
  loss: string;
  grad: string;
  embedding: string;
  /** Only when the bundle has an identity network. */
  identity?: { lambda: string; reference: string; embedding: string; dim: number };
}

/** The identity network's fixed input side: identity.imageSize, else its declared input dims. */
function identitySide(m: Manifest, bytes: Uint8Array, where: string): number {
  const declared = readModel(bytes, where).graph!.input.find((i) => i.name === m.identity!.input);
  const dims = declared?.type?.value.case === 'tensorType' ? (declared.type.value.value.shape?.dim ?? []) : [];
  const d = dims[2]?.value;
  const side = m.identity!.imageSize ?? (d?.case === 'dimValue' ? Number(d.value) : 0);
  if (!(side > 0)) throw new Error(`${where}: identity.imageSize is needed: the network declares no fixed input size`);
  return side;
}

export function buildStyleModel(
  m: Manifest,
  synthesisBytes: Uint8Array,
  clipImageBytes: Uint8Array,
  identityBytes?: Uint8Array,
) {
  const st = m.styleSpace;
  if (!st) throw new Error(`bundle "${m.name}" has no StyleSpace (styleSpace in its manifest)`);
  const size = styleSize(st);
  const clip = m.clip;
  const where = `bundle "${m.name}"`;
  const inputShapes = { [st.synthesis.input]: [1, size] };
  const synthesis = readModel(synthesisBytes, `${where}: ${st.synthesis.file}`);
  const withIdentity = identityBytes !== undefined && m.identity;
  const idWhere = withIdentity ? `${where}: ${m.identity!.file}` : '';
  const idSide = withIdentity ? identitySide(m, identityBytes, idWhere) : 0;
  let pixels = '';
  let idPixels = '';
  const prepared = extendModel(synthesis, (g) => {
    const [height, width] = m.generator.imageSize;
    const { square, side } = centreSquareOp(g, st.synthesis.output, height, width);
    const map = rangeToNormalized(m.generator.outputRange, clip.mean, clip.std);
    pixels = channelAffineOp(g, resizeOp(g, square, 3, side, clip.imageSize), map.scale, map.shift);
    g.output(pixels, 'float32', [1, 3, clip.imageSize, clip.imageSize]);
    if (withIdentity) {
      // The identity network's own view: its crop of the face, size and range, as the latent edit's.
      idPixels = identityPixelsOp(g, st.synthesis.output, m, idSide);
      g.output(idPixels, 'float32', [1, 3, idSide, idSide]);
    }
  });
  let composed = compose(prepared, readModel(clipImageBytes, `${where}: ${clip.image.file}`), {
    connect: { [clip.image.input]: pixels },
    prefixB: 'clip/',
    keepOutputsA: withIdentity ? true : undefined,
  });
  if (withIdentity)
    composed = compose(composed, readModel(identityBytes, idWhere), {
      connect: { [m.identity!.input]: idPixels },
      prefixB: 'identity/',
      keepOutputsA: true,
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
  if (withIdentity)
    names.identity = {
      lambda: freshName('lambda_id', taken),
      reference: freshName('identity0', taken),
      embedding: freshName('identity', taken),
      dim: 0,
    };
  names.lossSeed = gradName(names.loss);
  names.grad = gradName(names.styles);
  const withLoss = extendModel(
    composed,
    (g, ctx) => {
      const target = g.input(names.target, 'float32', [1, clip.embedDim]);
      const embedding = unitOp(g, `clip/${clip.image.output}`, names.embedding);
      const cos = sumAllOp(g, g.op('Mul', [embedding, unitOp(g, target)]));
      const id = names.identity;
      if (!id) g.op('Sub', [g.scalar(1), cos], {}, names.loss);
      else {
        const out = `identity/${m.identity!.output}`;
        id.dim = ctx
          .type(out)
          .dims.slice(1)
          .reduce((a, b) => a * b, 1);
        const unitId = unitOp(g, g.op('Reshape', [out, g.ints([1, id.dim])]), id.embedding);
        const reference = g.input(id.reference, 'float32', [1, id.dim]);
        const idCos = sumAllOp(g, g.op('Mul', [unitId, unitOp(g, reference)]));
        const idLoss = g.op('Mul', [g.input(id.lambda, 'float32', []), g.op('Sub', [g.scalar(1), idCos])]);
        g.op('Add', [g.op('Sub', [g.scalar(1), cos]), idLoss], {}, names.loss);
        g.output(unitId, 'float32', [1, id.dim]);
      }
      g.output(names.loss, 'float32', []);
      g.output(embedding, 'float32', [1, clip.embedDim]);
    },
    { inputShapes, replaceOutputs: true },
  );
  const folded = foldConstants(withLoss, inputShapes);
  const withGradient = gradientModel(folded, { of: names.loss, wrt: [names.styles], inputShapes });
  return { bytes: writeModel(withGradient), names };
}
