// The training graph of the demo CLIP: both towers and the symmetric contrastive (InfoNCE) loss.
// A batch holds B images and C = B·m captions (m per image, as in caption datasets with several
// captions a picture). `targets` [B,C] says which captions are true of which image (row i: a
// distribution over captions for image i); `targets_t` [C,B] the same for captions over images.
// With m = 1 and the identity for both this is CLIP's loss exactly; captions generated from known
// attributes let several pairs in a batch be true (two faces captioned "grey hair"), and counting them
// as positives instead of negatives keeps the loss from pushing apart images that the text cannot
// tell apart. Several captions per image give the (costly) image tower more signal per step at the
// price of the (cheap) text tower.
import { GraphBuilder } from '../../../src/engine/onnx/builder.js';
import type { ParamStore } from '../params.js';
import { l2normalize, type Net } from '../layers.js';
import { imageTower, textTower, type ClipShape } from './towers.js';

export const LOGIT_SCALE = 'clip.logit_scale';

export function clipLossGraph(p: ParamStore, s: ClipShape, batch: number, captionsPerImage = 1): GraphBuilder {
  const C = batch * captionsPerImage;
  const g = new GraphBuilder('clip_train');
  const net: Net = { g, p };
  const pixels = g.input('pixel_values', 'float32', [batch, 3, s.imageSize, s.imageSize]);
  const ids = g.input('input_ids', 'int64', [C, s.contextLength]);
  const mask = g.input('attention_mask', 'int64', [C, s.contextLength]);
  const targets = g.input('targets', 'float32', [batch, C]);
  const targetsT = g.input('targets_t', 'float32', [C, batch]);

  const img = l2normalize(net, imageTower(net, pixels, s));
  const txt = l2normalize(net, textTower(net, ids, mask, s));
  // Learned temperature, as in CLIP: logits scaled by exp(logit_scale), starting at 1/0.07.
  p.get(LOGIT_SCALE, [1], { kind: 'const', value: Math.log(1 / 0.07) });
  g.weight(LOGIT_SCALE, p.tensor(LOGIT_SCALE));
  const scale = g.op('Exp', [LOGIT_SCALE]);
  const logits = g.op('Mul', [g.op('MatMul', [img, g.op('Transpose', [txt], { perm: [1, 0] })]), scale]);
  const logitsT = g.op('Transpose', [logits], { perm: [1, 0] });
  // Mean cross-entropy of each side against its targets, averaged over the two sides.
  const side = (l: string, t: string, rows: number) =>
    g.op('Mul', [
      g.op('ReduceSum', [g.op('Mul', [g.op('LogSoftmax', [l], { axis: 1 }), t])], { keepdims: 0 }),
      g.scalar(-0.5 / rows),
    ]);
  g.op('Add', [side(logits, targets, batch), side(logitsT, targetsT, C)], {}, 'loss');
  g.output('loss', 'float32', []);
  return g;
}
