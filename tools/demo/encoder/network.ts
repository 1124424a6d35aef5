// The demo encoder (the demo's e4e): a CNN from a 128 px render in [-1,1] to a W+ latent offset
// [1,L,D]; the caller adds the generator's mean latent.
import type { ModelProto } from 'onnx-buf';
import { GraphBuilder } from '../../../src/engine/onnx/builder.js';
import { conv, dense, relu, type Net } from '../layers.js';
import type { ParamStore } from '../params.js';

export interface EncoderShape {
  imageSize: number;
  /** The image is first averaged over pool×pool blocks: a 64 px view keeps every attribute visible at a quarter of the cost. */
  pool: number;
  /** Channels of the stride-2 convs that follow. */
  stem: number[];
  /** Channels per stage; each stage is conv(s=1) + conv(s=2). */
  channels: number[];
  hidden: number;
  layers: number;
  dim: number;
}

export const ENCODER_IO = { input: 'image', output: 'latent' } as const;

/** x [B,3,S,S] → latent offsets [B,L,D]. */
export function encoderNetwork(net: Net, x: string, s: EncoderShape, batch: number | string): string {
  const k = s.pool;
  let h = k > 1 ? net.g.op('AveragePool', [x], { kernel_shape: [k, k], strides: [k, k], pads: [0, 0, 0, 0] }) : x;
  let cin = 3;
  let size = s.imageSize / k;
  s.stem.forEach((c, i) => {
    h = relu(net, conv(net, h, `encoder.stem${i}`, cin, c, 3, 2));
    cin = c;
    size /= 2;
  });
  s.channels.forEach((c, i) => {
    h = relu(net, conv(net, h, `encoder.stage${i}.conv_a`, cin, c, 3, 1));
    h = relu(net, conv(net, h, `encoder.stage${i}.conv_b`, c, c, 3, 2));
    cin = c;
    size /= 2;
  });
  if (!Number.isInteger(size))
    throw new Error(
      `encoder input size ${s.imageSize} does not shrink to a whole size through pool ${k} and ${s.stem.length + s.channels.length} halvings`,
    );
  const flat = net.g.op('Flatten', [h], { axis: 1 });
  const hid = relu(net, dense(net, flat, 'encoder.fc', cin * size * size, s.hidden));
  const out = dense(net, hid, 'encoder.head', s.hidden, s.layers * s.dim, 0.5);
  const shape = typeof batch === 'number' ? [batch, s.layers, s.dim] : [-1, s.layers, s.dim];
  return net.g.op('Reshape', [out, net.g.ints(shape)]);
}

export function encoderModel(p: ParamStore, s: EncoderShape): ModelProto {
  const g = new GraphBuilder('demo_encoder');
  const x = g.input(ENCODER_IO.input, 'float32', [1, 3, s.imageSize, s.imageSize]);
  g.op('Identity', [encoderNetwork({ g, p }, x, s, 1)], {}, ENCODER_IO.output);
  g.output(ENCODER_IO.output, 'float32', [1, s.layers, s.dim]);
  return g.model();
}
