// face-api's four networks written as ONNX graphs from their TensorFlow weights. Layouts, strides and
// pre/post-processing follow face-api 1.7.15 (facts: which layer has which stride, how boxes decode);
// the graphs take planar RGB in [0, 1] like every image in the project and do their own normalization.
//
// Folding: batch norms (SSD depthwise layers) and face-api's per-channel "scale" layers (recognition)
// are folded into the preceding Conv's filter (its per-channel dequantization factors) and bias in
// double precision. That changes float32 rounding at the 1e-7 level, not the function.
import type { ModelProto } from '../../src/engine/onnx/model.js';
import { depthwiseToOihw, type Feature, hwioToOihw, NetBuilder, type Padding, scaleFilter } from './layers.js';
import { need, type TfWeight } from './weights.js';

type Weights = Map<string, TfWeight>;

/** The mean RGB (0–255) face-api subtracts before its face feature extractor and recognition net. */
export const FACE_MEAN_RGB = [122.782, 117.001, 104.298] as const;

/** TensorFlow's batch-norm epsilon in face-api's MobileNet. */
const BN_EPSILON = 0.0010000000474974513;

export const SSD_INPUT = 512;
export const FEATURE_INPUT = 112;
export const RECOGNITION_INPUT = 150;

function meanSubtracted(b: NetBuilder, size: number): Feature {
  const image = b.g.input('image', 'float32', [1, 3, size, size]);
  const mean = b.tensor(
    'mean_rgb',
    [1, 3, 1, 1],
    FACE_MEAN_RGB.map((m) => m / 255),
  );
  return { name: b.g.op('Sub', [image, mean]), c: 3, h: size, w: size };
}

// ---------------------------------------------------------------- SSD MobileNet v1

function ssdPointwise(b: NetBuilder, w: Weights, x: Feature, prefix: string, stride: number): Feature {
  const filter = need(w, `${prefix}/weights`);
  const offset = need(w, `${prefix}/convolution_bn_offset`);
  return b.clip(b.conv(x, prefix, hwioToOihw(filter), offset.data, stride, 'same'), 0, 6);
}

function ssdDepthwise(b: NetBuilder, w: Weights, x: Feature, prefix: string, stride: number): Feature {
  const filter = depthwiseToOihw(need(w, `${prefix}/depthwise_weights`));
  const gamma = need(w, `${prefix}/BatchNorm/gamma`).data;
  const beta = need(w, `${prefix}/BatchNorm/beta`).data;
  const mean = need(w, `${prefix}/BatchNorm/moving_mean`).data;
  const variance = need(w, `${prefix}/BatchNorm/moving_variance`).data;
  const c = filter.dims[0]!;
  const factor = new Float64Array(c);
  const bias = new Float32Array(c);
  for (let i = 0; i < c; i++) {
    factor[i] = gamma[i]! / Math.sqrt(variance[i]! + BN_EPSILON);
    bias[i] = beta[i]! - mean[i]! * factor[i]!;
  }
  scaleFilter(filter, factor);
  return b.clip(b.conv(x, prefix, filter, bias, stride, 'same', c), 0, 6);
}

/** One box predictor: [1, H·W·A, 4] encodings and [1, H·W·A, 3] class logits, in TensorFlow's (h, w, anchor) order. */
function boxPredictor(
  b: NetBuilder,
  w: Weights,
  x: Feature,
  i: number,
): { boxes: string; classes: string; count: number } {
  const head = (kind: string, width: number) => {
    const prefix = `Prediction/BoxPredictor_${i}/${kind}`;
    const y = b.conv(x, prefix, hwioToOihw(need(w, `${prefix}/weights`)), need(w, `${prefix}/biases`).data, 1, 'same');
    const anchors = y.c / width;
    const nhwc = b.g.op('Transpose', [y.name], { perm: [0, 2, 3, 1] });
    return { name: b.g.op('Reshape', [nhwc, b.g.ints([1, y.h * y.w * anchors, width])]), count: y.h * y.w * anchors };
  };
  const boxes = head('BoxEncodingPredictor', 4);
  const classes = head('ClassPredictor', 3);
  if (boxes.count !== classes.count) throw new Error(`box predictor ${i}: box and class heads disagree`);
  return { boxes: boxes.name, classes: classes.name, count: boxes.count };
}

/**
 * SSD-MobileNet-v1 face detector. Input `image` [1, 3, 512, 512] in [0, 1]; outputs `boxes`
 * [1, N, 4] (ymin, xmin, ymax, xmax relative to the input square, decoded against the anchors) and
 * `scores` [1, N] (sigmoid face score). Non-maximum suppression runs on the host.
 */
export function ssdMobilenetV1(w: Weights): ModelProto {
  const b = new NetBuilder('ssd_mobilenetv1');
  const image = b.g.input('image', 'float32', [1, 3, SSD_INPUT, SSD_INPUT]);
  // face-api maps 0–255 pixels to [−1, 1]: x / 127.5 − 1, i.e. 2·v − 1 for v in [0, 1].
  let x: Feature = {
    name: b.g.op('Sub', [b.g.op('Mul', [image, b.g.scalar(2)]), b.g.scalar(1)]),
    c: 3,
    h: SSD_INPUT,
    w: SSD_INPUT,
  };
  x = ssdPointwise(b, w, x, 'MobilenetV1/Conv2d_0_pointwise', 2);
  let conv11: Feature | undefined;
  for (let layer = 1; layer <= 13; layer++) {
    const stride = [2, 4, 6, 12].includes(layer) ? 2 : 1;
    x = ssdDepthwise(b, w, x, `MobilenetV1/Conv2d_${layer}_depthwise`, stride);
    x = ssdPointwise(b, w, x, `MobilenetV1/Conv2d_${layer}_pointwise`, 1);
    if (layer === 11) conv11 = x;
  }
  const extra: Feature[] = [];
  let y = x;
  for (let i = 0; i < 8; i++) {
    y = ssdPointwise(b, w, y, `Prediction/Conv2d_${i}_pointwise`, i % 2 === 1 ? 2 : 1);
    extra.push(y);
  }
  const sources = [conv11!, x, extra[1]!, extra[3]!, extra[5]!, extra[7]!];
  const heads = sources.map((s, i) => boxPredictor(b, w, s, i));
  const n = heads.reduce((a, h) => a + h.count, 0);
  const encodings = b.g.op(
    'Concat',
    heads.map((h) => h.boxes),
    { axis: 1 },
  );
  const logits = b.g.op(
    'Concat',
    heads.map((h) => h.classes),
    { axis: 1 },
  );

  // Anchor centres and sizes are constants: computed here in float32 steps, as face-api does at run time.
  const anchors = need(w, 'Output/extra_dim', [1, n, 4]).data;
  const sizes = new Float32Array(n * 2);
  const centres = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 2; k++) {
      const lo = anchors[i * 4 + k]!;
      const size = Math.fround(anchors[i * 4 + k + 2]! - lo);
      sizes[i * 2 + k] = size;
      centres[i * 2 + k] = Math.fround(lo + Math.fround(size / 2));
    }
  }
  const sizeT = b.tensor('anchors/size', [1, n, 2], sizes);
  const centreT = b.tensor('anchors/centre', [1, n, 2], centres);
  const slice = (v: string, from: number, to: number) =>
    b.g.op('Slice', [v, b.g.ints([from]), b.g.ints([to]), b.g.ints([2])]);
  // centre = p_yx / 10 · size + anchor centre; half extent = exp(p_hw / 5) · size / 2.
  const centre = b.g.op('Add', [
    b.g.op('Mul', [b.g.op('Div', [slice(encodings, 0, 2), b.g.scalar(10)]), sizeT]),
    centreT,
  ]);
  const half = b.g.op('Div', [
    b.g.op('Mul', [b.g.op('Exp', [b.g.op('Div', [slice(encodings, 2, 4), b.g.scalar(5)])]), sizeT]),
    b.g.scalar(2),
  ]);
  b.g.op('Concat', [b.g.op('Sub', [centre, half]), b.g.op('Add', [centre, half])], { axis: 2 }, 'boxes');
  b.g.op('Reshape', [b.g.op('Sigmoid', [slice(logits, 1, 2)]), b.g.ints([1, n])], {}, 'scores');
  b.g.output('boxes', 'float32', [1, n, 4]);
  b.g.output('scores', 'float32', [1, n]);
  return b.g.model();
}

// ---------------------------------------------------------------- face feature extractor (landmarks, expression)

function separable(b: NetBuilder, w: Weights, x: Feature, prefix: string, stride: number): Feature {
  const dw = b.conv(
    x,
    `${prefix}/depthwise`,
    depthwiseToOihw(need(w, `${prefix}/depthwise_filter`)),
    undefined,
    stride,
    'same',
    x.c,
  );
  return b.conv(
    dw,
    `${prefix}/pointwise`,
    hwioToOihw(need(w, `${prefix}/pointwise_filter`)),
    need(w, `${prefix}/bias`).data,
    1,
    'valid',
  );
}

/** face-api's dense block of four convolutions with summed skips; the first halves the size. */
function denseBlock4(b: NetBuilder, w: Weights, x: Feature, prefix: string, first: boolean): Feature {
  const c0 = `${prefix}/conv0`;
  const out1 = b.relu(
    first
      ? b.conv(x, c0, hwioToOihw(need(w, `${c0}/filters`)), need(w, `${c0}/bias`).data, 2, 'same')
      : separable(b, w, x, c0, 2),
  );
  const out2 = separable(b, w, out1, `${prefix}/conv1`, 1);
  const in3 = b.relu(b.add(out1, out2));
  const out3 = separable(b, w, in3, `${prefix}/conv2`, 1);
  const in4 = b.relu(b.add(out1, b.add(out2, out3)));
  const out4 = separable(b, w, in4, `${prefix}/conv3`, 1);
  return b.relu(b.add(out1, b.add(out2, b.add(out3, out4))));
}

/** Feature extractor + fully connected head, shared by the landmark and expression nets. */
function featureNet(w: Weights, name: string, outputs: number): { b: NetBuilder; fc: string } {
  const b = new NetBuilder(name);
  let x = meanSubtracted(b, FEATURE_INPUT);
  for (let i = 0; i < 4; i++) x = denseBlock4(b, w, x, `dense${i}`, i === 0);
  const pooled = b.pool('AveragePool', x, 7, 2, 'valid');
  const fcWeight = need(w, 'fc/weights', [pooled.c * pooled.h * pooled.w, outputs]);
  return { b, fc: b.dense(b.flattenNhwc(pooled), 'fc', fcWeight, need(w, 'fc/bias', [outputs]).data) };
}

/**
 * 68-point landmark net. Input `image` [1, 3, 112, 112] in [0, 1] (the face crop padded to a
 * centred square); output `landmarks` [1, 136]: x0, y0, x1, y1, … relative to the input square.
 */
export function landmarkNet(w: Weights): ModelProto {
  const { b, fc } = featureNet(w, 'face_landmark_68', 136);
  b.g.op('Identity', [fc], {}, 'landmarks');
  b.g.output('landmarks', 'float32', [1, 136]);
  return b.g.model();
}

/** Expression net. Input as the landmark net; output `probabilities` [1, 7] (softmax, face-api's label order). */
export function expressionNet(w: Weights): ModelProto {
  const { b, fc } = featureNet(w, 'face_expression', 7);
  b.g.op('Softmax', [fc], { axis: 1 }, 'probabilities');
  b.g.output('probabilities', 'float32', [1, 7]);
  return b.g.model();
}

// ---------------------------------------------------------------- face recognition (ResNet-34-like, 128-D)

/** Conv + bias followed by face-api's per-channel scale (x·s + t), folded into one Conv. */
function scaledConv(b: NetBuilder, w: Weights, x: Feature, prefix: string, stride: number, padding: Padding): Feature {
  const weight = hwioToOihw(need(w, `${prefix}/conv/filters`));
  const bias = need(w, `${prefix}/conv/bias`).data;
  const s = need(w, `${prefix}/scale/weights`).data;
  const t = need(w, `${prefix}/scale/biases`).data;
  const folded = new Float32Array(weight.dims[0]!);
  for (let o = 0; o < folded.length; o++) folded[o] = bias[o]! * s[o]! + t[o]!;
  scaleFilter(weight, s);
  return b.conv(x, prefix, weight, folded, stride, padding);
}

function residual(b: NetBuilder, w: Weights, x: Feature, prefix: string): Feature {
  const out = scaledConv(b, w, b.relu(scaledConv(b, w, x, `${prefix}/conv1`, 1, 'same')), `${prefix}/conv2`, 1, 'same');
  return b.relu(b.add(out, x));
}

function residualDown(b: NetBuilder, w: Weights, x: Feature, prefix: string): Feature {
  let out = scaledConv(b, w, b.relu(scaledConv(b, w, x, `${prefix}/conv1`, 2, 'valid')), `${prefix}/conv2`, 1, 'same');
  let pooled = b.pool('AveragePool', x, 2, 2, 'valid');
  // face-api appends one zero row and column when the strided conv comes out one short of the pool,
  // and zero channels to the pooled skip when the block widens.
  const dh = pooled.h - out.h;
  const dw = pooled.w - out.w;
  if (dh < 0 || dh > 1 || dw !== dh)
    throw new Error(`${prefix}: unexpected sizes ${out.h}×${out.w} vs ${pooled.h}×${pooled.w}`);
  if (dh) out = b.padEnd(out, 0, 1, 1);
  if (out.c !== pooled.c) {
    if (out.c !== 2 * pooled.c) throw new Error(`${prefix}: ${pooled.c} → ${out.c} channels is not a doubling`);
    pooled = b.padEnd(pooled, pooled.c, 0, 0);
  }
  return b.relu(b.add(pooled, out));
}

/**
 * Face recognition net (face-api's ResNet-34-like dlib port). Input `image` [1, 3, 150, 150] in
 * [0, 1] (the face crop padded to a centred square); output `descriptor` [1, 128] (not normalized;
 * face-api calls two faces the same person below a Euclidean distance of about 0.6).
 */
export function recognitionNet(w: Weights): ModelProto {
  const b = new NetBuilder('face_recognition');
  let x = meanSubtracted(b, RECOGNITION_INPUT);
  x = b.relu(scaledConv(b, w, x, 'conv32_down', 2, 'valid'));
  x = b.pool('MaxPool', x, 3, 2, 'valid');
  for (const name of ['conv32_1', 'conv32_2', 'conv32_3']) x = residual(b, w, x, name);
  x = residualDown(b, w, x, 'conv64_down');
  for (const name of ['conv64_1', 'conv64_2', 'conv64_3']) x = residual(b, w, x, name);
  x = residualDown(b, w, x, 'conv128_down');
  for (const name of ['conv128_1', 'conv128_2']) x = residual(b, w, x, name);
  x = residualDown(b, w, x, 'conv256_down');
  for (const name of ['conv256_1', 'conv256_2']) x = residual(b, w, x, name);
  x = residualDown(b, w, x, 'conv256_down_out');
  const pooled = b.g.op('Reshape', [b.g.op('GlobalAveragePool', [x.name]), b.g.ints([1, x.c])]);
  const fc = need(w, 'fc', [x.c, 128]);
  b.g.op('MatMul', [pooled, b.tensor('fc/weight', [x.c, 128], fc.data)], {}, 'descriptor');
  b.g.output('descriptor', 'float32', [1, 128]);
  return b.g.model();
}
