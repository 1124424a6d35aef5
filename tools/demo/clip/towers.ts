// The demo CLIP's two towers. Image: a small CNN on 64×64 CLIP-normalized pixels; text: token
// embeddings, masked mean pooling and an MLP. Both end in a linear projection into the shared space;
// like real CLIP exports, the outputs are not normalized (the caller normalizes).
import type { GraphBuilder } from '../../../src/engine/onnx/builder.js';
import { conv, dense, embedding, relu, type Net } from '../layers.js';

export interface ClipShape {
  imageSize: number;
  /** Channels of the first conv, which halves the resolution at once (most of the cost is at full size). */
  stem: number;
  /** Channels per resolution stage; each stage is conv(s=1) + conv(s=2). */
  channels: number[];
  imageHidden: number;
  vocabSize: number;
  contextLength: number;
  wordDim: number;
  textHidden: number;
  embedDim: number;
}

export function imageTower(net: Net, pixels: string, s: ClipShape): string {
  let x = relu(net, conv(net, pixels, 'image.stem', 3, s.stem, 3, 2));
  let cin = s.stem;
  let size = s.imageSize / 2;
  s.channels.forEach((c, i) => {
    x = relu(net, conv(net, x, `image.stage${i}.conv_a`, cin, c, 3, 1));
    x = relu(net, conv(net, x, `image.stage${i}.conv_b`, c, c, 3, 2));
    cin = c;
    size /= 2;
  });
  if (!Number.isInteger(size))
    throw new Error(`image size ${s.imageSize} does not halve ${s.channels.length + 1} times`);
  const flat = net.g.op('Flatten', [x], { axis: 1 });
  const h = relu(net, dense(net, flat, 'image.fc', cin * size * size, s.imageHidden));
  return dense(net, h, 'image.proj', s.imageHidden, s.embedDim, 1);
}

export function textTower(net: Net, ids: string, mask: string, s: ClipShape): string {
  const g = net.g;
  const words = embedding(net, ids, 'text.embed', s.vocabSize, s.wordDim); // [B,T,W]
  const m = g.op('Cast', [mask], { to: 1 }); // float
  const m3 = g.op('Unsqueeze', [m, g.ints([2])]);
  const summed = g.op('ReduceSum', [g.op('Mul', [words, m3]), g.ints([1])], { keepdims: 0 });
  const count = g.op('ReduceSum', [m, g.ints([1])], { keepdims: 1 });
  // An all-padding input would divide by zero: count at least 1.
  const pooled = g.op('Div', [summed, g.op('Clip', [count, g.scalar(1)])]);
  const h1 = relu(net, dense(net, pooled, 'text.fc1', s.wordDim, s.textHidden));
  const h2 = relu(net, dense(net, h1, 'text.fc2', s.textHidden, s.textHidden));
  return dense(net, h2, 'text.proj', s.textHidden, s.embedDim, 1);
}

export function addImageInputs(g: GraphBuilder, batch: number | string, s: ClipShape): string {
  return g.input('pixel_values', 'float32', [batch, 3, s.imageSize, s.imageSize]);
}
