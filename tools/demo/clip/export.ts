// The demo CLIP's inference models, with the I/O contract of real CLIP exports and the trained
// weights baked in: pixel_values [batch,3,64,64] → image_embeds [batch,E];
// input_ids + attention_mask [batch,16] (int64) → text_embeds [batch,E]. The batch dim is symbolic.
import type { ModelProto } from 'onnx-buf';
import { GraphBuilder } from '../../../src/engine/onnx/builder.js';
import type { ParamStore } from '../params.js';
import { imageTower, textTower, type ClipShape } from './towers.js';

export const CLIP_IO = {
  image: { input: 'pixel_values', output: 'image_embeds' },
  text: { input: 'input_ids', attentionMask: 'attention_mask', output: 'text_embeds' },
} as const;

export function clipImageModel(p: ParamStore, s: ClipShape): ModelProto {
  const g = new GraphBuilder('demo_clip_image');
  const x = g.input(CLIP_IO.image.input, 'float32', ['batch', 3, s.imageSize, s.imageSize]);
  g.op('Identity', [imageTower({ g, p }, x, s)], {}, CLIP_IO.image.output);
  g.output(CLIP_IO.image.output, 'float32', ['batch', s.embedDim]);
  return g.model();
}

export function clipTextModel(p: ParamStore, s: ClipShape): ModelProto {
  const g = new GraphBuilder('demo_clip_text');
  const ids = g.input(CLIP_IO.text.input, 'int64', ['batch', s.contextLength]);
  const mask = g.input(CLIP_IO.text.attentionMask, 'int64', ['batch', s.contextLength]);
  g.op('Identity', [textTower({ g, p }, ids, mask, s)], {}, CLIP_IO.text.output);
  g.output(CLIP_IO.text.output, 'float32', ['batch', s.embedDim]);
  return g.model();
}
