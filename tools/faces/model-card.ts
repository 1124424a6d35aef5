// MODEL_CARD.md of the face bundle: where the weights come from, what each network takes and returns.
import type { FaceManifest } from '../../src/engine/faces/manifest.js';

const mb = (n: number | undefined) => `${((n ?? 0) / 1e6).toFixed(2)} MB`;

export function modelCard(m: FaceManifest, sizes: Record<string, number>): string {
  const total = Object.values(sizes).reduce((a, b) => a + b, 0);
  return `# Face networks — model card

Pretrained face networks from **${m.source}** by Vladimir Mandic, based on **face-api.js** by
Vincent Mühler (both MIT licensed), converted from their TensorFlow.js weights to ONNX by
\`npm run models:faces\` (tools/faces). Convolution filters stay in face-api's uint8 codes, and
each graph dequantizes them as TensorFlow.js does (\`code · scale + min\`: Cast, Mul, Add on
constants, which onnxruntime folds when the session starts), so the files are about the size of
face-api's own; batch norms and per-channel scale layers are folded into the preceding
convolution's per-channel scale and offset and bias; everything else is float32 and all
arithmetic is float32. Every graph uses standard \`ai.onnx\` ops (opset 17) only: Conv (depthwise
as group = channels), Clip, Relu, Add, Sub, Mul, Div, Exp, Sigmoid, Softmax, MaxPool, AveragePool,
GlobalAveragePool, Pad, MatMul, Transpose, Reshape, Slice, Concat, Cast. \`test/faces/face-nets.test.ts\` checks them against face-api itself on its six sample photos.

Total size: ${mb(total)}.

Every network takes \`image\` [1, 3, S, S]: planar RGB in [0, 1], S × S pixels, batch 1. The image
preparation that face-api does (and the engine repeats in \`src/engine/faces/preprocess.ts\`) is
part of each contract below: zero padding to a square, then TensorFlow's bilinear resize
(align_corners = false, half_pixel_centers = false).

## Detector — \`${m.detector.file}\` (${mb(sizes.detector)})
SSD-MobileNet-v1 (MobileNet-v1 backbone, six box predictors, ${m.detector.anchors} anchors).
- Input: the photo padded with zeros on the right or bottom to a square, resized to ${m.detector.inputSize} × ${m.detector.inputSize}.
  The graph maps it to [−1, 1].
- Outputs: \`${m.detector.boxes}\` [1, ${m.detector.anchors}, 4]: (ymin, xmin, ymax, xmax) relative to the padded
  square, already decoded against the anchors; \`${m.detector.scores}\` [1, ${m.detector.anchors}]: face probability.
- Post-processing (host): keep scores > ${m.detector.minScore}, greedy non-maximum suppression at IoU ${m.detector.iouThreshold},
  clip to [0, 1], scale back to the photo.

## Landmarks — \`${m.landmarks.file}\` (${mb(sizes.landmarks)})
face-api's 68-point net: a feature extractor of four dense blocks of depthwise-separable convs, then a
fully connected layer.
- Input: the detection box (clipped to the photo, floored) cropped, padded to a centred square,
  resized to ${m.landmarks.inputSize} × ${m.landmarks.inputSize}. The graph subtracts face-api's mean RGB (122.782, 117.001, 104.298)/255.
- Output: \`${m.landmarks.output}\` [1, 136]: x0, y0, x1, y1, … relative to the input square, in the iBUG 68
  order (jaw 0–16, brows 17–26, nose 27–35, eyes 36–47, mouth 48–67).

## Recognition — \`${m.recognition.file}\` (${mb(sizes.recognition)})
A ResNet-34-like net (face-api's port of dlib's face recognition model), 29 conv layers.
- Input: a face crop padded to a centred square, resized to ${m.recognition.inputSize} × ${m.recognition.inputSize}; mean RGB subtracted in the graph.
  face-api crops around the eyes and mouth (the box is (eye-to-mouth distance)/0.45 wide); see
  \`identityBox\` in src/engine/faces/detect.ts.
- Output: \`${m.recognition.output}\` [1, ${m.recognition.dim}], not normalized. face-api calls two faces the same person below a
  Euclidean distance of about 0.6.
- Built from Conv, Relu, Add, Pad, MaxPool, AveragePool, GlobalAveragePool, Sub, Reshape and MatMul, all of which
  the project's autodiff (src/engine/onnx/rules.ts) differentiates, so it can serve as an identity loss.

## Expression — \`${m.expression.file}\` (${mb(sizes.expression)})
The same feature extractor layout as the landmark net with its own weights, and a 7-way head.
- Input: as the landmark net, but face-api crops the landmarks' bounding box grown by 20 %.
- Output: \`${m.expression.output}\` [1, 7], softmax over ${m.expression.labels.join(', ')}.

## Limits
These are face-api's models: trained on public face datasets, frontal to moderately turned faces;
the detector misses small faces (below ~40 px at 512 px input) and strong profiles. Expression
labels are the seven basic emotions and say nothing about how a person feels.
`;
}
