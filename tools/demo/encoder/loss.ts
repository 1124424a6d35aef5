// The encoder's training graph: squared error of the predicted W+ offsets against the true ones,
// plus the error of the attributes those offsets give, read through the generator's own attribute
// head (differentiable, so the encoder learns what the picture shows and not the latent's hidden
// directions that draw nothing).
import type { ModelProto } from 'onnx-buf';
import { GraphBuilder } from '../../../src/engine/onnx/builder.js';
import { hostTensor } from '../../../src/engine/onnx/model.js';
import { ATTRIBUTES } from '../attributes.js';
import { inlineModel } from '../onnx-subgraph.js';
import type { ParamStore } from '../params.js';
import { encoderNetwork, type EncoderShape } from './network.js';

export interface EncoderLossWeights {
  latent: number;
  attributes: number;
}

/** `attributeHead`: latent [B,L,D] → attributes [B,K], the generator's head for the same batch. */
export function encoderLossGraph(
  p: ParamStore,
  s: EncoderShape,
  batch: number,
  attributeHead: ModelProto,
  meanLatent: Float32Array,
  w: EncoderLossWeights,
): GraphBuilder {
  const g = new GraphBuilder('encoder_train');
  const image = g.input('image', 'float32', [batch, 3, s.imageSize, s.imageSize]);
  const target = g.input('target_offset', 'float32', [batch, s.layers, s.dim]);
  const attrs = g.input('target_attributes', 'float32', [batch, ATTRIBUTES.length]);
  const pred = encoderNetwork({ g, p }, image, s, batch);
  const diff = g.op('Sub', [pred, target]);
  const latentLoss = g.op('ReduceMean', [g.op('Mul', [diff, diff])], { keepdims: 0 });

  const mean = g.constant('float32', [1, s.layers, s.dim], meanLatent, 'mean_latent');
  const latent = g.op('Add', [pred, mean]);
  const headInput = attributeHead.graph!.input[0]!.name;
  const { attributes } = inlineModel(g, attributeHead, { [headInput]: latent }, 'head.');
  // Each attribute in units of its range, so every attribute weighs the same.
  const invRange = g.weight(
    'attribute_inv_range',
    hostTensor(
      'float32',
      [ATTRIBUTES.length],
      ATTRIBUTES.map((a) => 1 / (a.max - a.min)),
    ),
  );
  const aDiff = g.op('Mul', [g.op('Sub', [attributes!, attrs]), invRange]);
  const attrLoss = g.op('ReduceMean', [g.op('Mul', [aDiff, aDiff])], { keepdims: 0 });

  const total = g.op('Add', [
    g.op('Mul', [latentLoss, g.scalar(w.latent)]),
    g.op('Mul', [attrLoss, g.scalar(w.attributes)]),
  ]);
  g.op('Identity', [total], {}, 'loss');
  g.output('loss', 'float32', []);
  return g;
}
