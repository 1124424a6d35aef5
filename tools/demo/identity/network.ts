// The demo identity network: a small CNN from a 64 px view of a render (the generator's [−1, 1] range)
// to an embedding of who the face is — its identity attributes (everything but expression and
// background) in units of each range, centred on the range's middle, so the cosine of two
// embeddings is high for the same face under another expression and low for another face.
import type { ModelProto } from 'onnx-buf';
import { GraphBuilder } from '../../../src/engine/onnx/builder.js';
import { ATTRIBUTES, type AttributeSpec } from '../attributes.js';
import { conv, dense, relu, type Net } from '../layers.js';
import type { ParamStore } from '../params.js';

export interface IdentityShape {
  imageSize: number;
  /** Channels of the stride-2 convs. */
  channels: number[];
  hidden: number;
}

export const IDENTITY_IO = { input: 'image', output: 'embedding' } as const;

/** Groups that say what a face does or where it is, not who it is. */
const NOT_IDENTITY = new Set(['expression', 'background']);

/** The attributes an identity embedding predicts, in ATTRIBUTES order. */
export const IDENTITY_ATTRIBUTES: readonly AttributeSpec[] = ATTRIBUTES.filter((a) => !NOT_IDENTITY.has(a.group));

/** The embedding a face's true attributes (ATTRIBUTES order) ask for: the training target. */
export function identityTarget(attributes: ArrayLike<number>): Float32Array {
  return Float32Array.from(IDENTITY_ATTRIBUTES, (a) => {
    const v = attributes[ATTRIBUTES.indexOf(a)]!;
    return (v - a.min) / (a.max - a.min) - 0.5;
  });
}

/** x [B,3,S,S] → embedding [B,K]. */
export function identityNetwork(net: Net, x: string, s: IdentityShape): string {
  let h = x;
  let cin = 3;
  let size = s.imageSize;
  s.channels.forEach((c, i) => {
    h = relu(net, conv(net, h, `identity.conv${i}`, cin, c, 3, 2));
    cin = c;
    size /= 2;
  });
  if (!Number.isInteger(size))
    throw new Error(`identity input size ${s.imageSize} does not halve ${s.channels.length} times to a whole size`);
  const flat = net.g.op('Flatten', [h], { axis: 1 });
  const hid = relu(net, dense(net, flat, 'identity.fc', cin * size * size, s.hidden));
  return dense(net, hid, 'identity.head', s.hidden, IDENTITY_ATTRIBUTES.length, 1);
}

export function identityModel(p: ParamStore, s: IdentityShape): ModelProto {
  const g = new GraphBuilder('demo_identity');
  const x = g.input(IDENTITY_IO.input, 'float32', [1, 3, s.imageSize, s.imageSize]);
  g.op('Identity', [identityNetwork({ g, p }, x, s)], {}, IDENTITY_IO.output);
  g.output(IDENTITY_IO.output, 'float32', [1, IDENTITY_ATTRIBUTES.length]);
  return g.model();
}
