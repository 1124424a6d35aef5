// Writing a model with its large initializers as ONNX external data: the protobuf keeps only the
// graph and small tensors, the weights go into one separate buffer that each initializer points
// into (location, offset, length). onnxruntime-web then copies each weight straight into its tensor
// in the wasm heap, instead of first copying the whole protobuf into the heap and parsing it there
// (see docs/runtime.md, "Memory at 1024 px").
import { create } from '@bufbuild/protobuf';
import { StringStringEntryProtoSchema, TensorProto_DataLocation, type ModelProto, type TensorProto } from 'onnx-buf';
import { writeModel } from './model.js';

/** The file name the split model's initializers point to. */
export const EXTERNAL_WEIGHTS_PATH = 'weights.bin';

export interface SplitModel {
  /** The ModelProto without the external weights' bytes. */
  graph: Uint8Array;
  /** The bytes every external initializer points into. */
  weights: Uint8Array;
}

// Offsets are kept to 64 bytes, the widest SIMD alignment a kernel might want of a weight.
const ALIGN = 64;
const EXTERNAL = TensorProto_DataLocation.EXTERNAL;
const FIELDS = ['rawData', 'dataLocation', 'externalData'] as const;
type Field = (typeof FIELDS)[number];

/**
 * Writes `model` with every initializer of `minBytes` or more of raw data moved into one weights
 * buffer (`EXTERNAL_WEIGHTS_PATH`). The model object is left as it was.
 */
export function writeModelSplit(model: ModelProto, minBytes = 1024): SplitModel {
  const moved = model.graph!.initializer.filter((t) => t.rawData.length >= minBytes && t.dataLocation !== EXTERNAL);
  const offsets: number[] = [];
  let size = 0;
  for (const t of moved) {
    offsets.push(size);
    size += Math.ceil(t.rawData.length / ALIGN) * ALIGN;
  }
  const weights = new Uint8Array(size);
  const saved: Partial<Record<Field, unknown>>[] = [];
  moved.forEach((t, i) => {
    // ONNX is proto2: a field set to its default is still written, so an unset one is restored unset.
    const own: Partial<Record<Field, unknown>> = {};
    for (const f of FIELDS) if (Object.hasOwn(t, f)) own[f] = t[f];
    saved.push(own);
    weights.set(t.rawData, offsets[i]);
    const entry = (key: string, value: string) => create(StringStringEntryProtoSchema, { key, value });
    t.externalData = [
      entry('location', EXTERNAL_WEIGHTS_PATH),
      entry('offset', String(offsets[i])),
      entry('length', String(t.rawData.length)),
    ];
    t.dataLocation = EXTERNAL;
    t.rawData = new Uint8Array(0);
  });
  try {
    return { graph: writeModel(model), weights };
  } finally {
    moved.forEach((t, i) => {
      for (const f of FIELDS) {
        if (f in saved[i]!) Object.assign(t, { [f]: saved[i]![f] });
        else delete (t as Partial<TensorProto>)[f];
      }
    });
  }
}

/**
 * Gives back a weights buffer's memory now that a session has copied it (onnxruntime-web copies
 * external data into its own heap when the session is made). Detaching the buffer frees it at
 * once; left to the garbage collector, the 1024 px edit objective's 492 MB of weights were still
 * held during the first step, on top of its peak. Only a buffer the view covers whole (nothing
 * else can be reading it), and only where the JavaScript engine has ArrayBuffer.transfer.
 */
export function releaseWeights(data: Uint8Array): void {
  const buffer = data.buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer };
  if (typeof buffer.transfer !== 'function' || data.byteOffset !== 0 || data.byteLength !== buffer.byteLength) return;
  buffer.transfer(0);
}
