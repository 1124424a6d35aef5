// Reading and writing ONNX models, and converting between TensorProto and plain typed arrays.
// The protobuf schema comes from onnx-buf; everything else in src/engine/onnx works on these types.
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  ModelProtoSchema,
  TensorProtoSchema,
  TensorProto_DataType as DataType,
  type ModelProto,
  type TensorProto,
} from 'onnx-buf';

export { DataType };
export type { ModelProto, TensorProto };

/** Element types the project computes with. */
export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'bool' | 'uint8';

export type TypedArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

/** A plain tensor: dims plus a typed array in row-major order. */
export interface HostTensor {
  dtype: DType;
  dims: number[];
  data: TypedArray;
}

const DTYPE_TO_ONNX: Record<DType, DataType> = {
  float32: DataType.FLOAT,
  float64: DataType.DOUBLE,
  int64: DataType.INT64,
  int32: DataType.INT32,
  bool: DataType.BOOL,
  uint8: DataType.UINT8,
};

export function onnxDataType(dtype: DType): DataType {
  return DTYPE_TO_ONNX[dtype];
}

export function dtypeOf(type: DataType): DType {
  for (const [name, value] of Object.entries(DTYPE_TO_ONNX)) if (value === type) return name as DType;
  throw new Error(
    `ONNX element type ${DataType[type] ?? type} is not supported (supported: ${Object.keys(DTYPE_TO_ONNX).join(', ')})`,
  );
}

export function readModel(bytes: Uint8Array, where = 'model'): ModelProto {
  let model: ModelProto;
  try {
    model = fromBinary(ModelProtoSchema, bytes);
  } catch (e) {
    throw new Error(`${where} is not an ONNX model: ${(e as Error).message}`);
  }
  if (!model.graph) throw new Error(`${where} is not an ONNX model: it has no graph`);
  return model;
}

export function writeModel(model: ModelProto): Uint8Array {
  return toBinary(ModelProtoSchema, model);
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function allocate(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'int64':
      return new BigInt64Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'bool':
    case 'uint8':
      return new Uint8Array(n);
  }
}

/** Decodes a TensorProto (raw_data or typed fields) into a HostTensor. External data is refused. */
export function tensorFromProto(t: TensorProto): HostTensor {
  if (t.externalData.length > 0 || t.dataLocation === 1) {
    throw new Error(`tensor ${t.name}: external data is not supported; save the model with all weights inside`);
  }
  const dtype = dtypeOf(t.dataType);
  const dims = t.dims.map(Number);
  const n = elementCount(dims);
  const out = allocate(dtype, n);
  if (t.rawData.length > 0) {
    // A copy (new Uint8Array(view) copies, even for a Node Buffer view, where Buffer.slice would not).
    const copy = new Uint8Array(t.rawData);
    const view = new (out.constructor as any)(copy.buffer, 0, n) as TypedArray;
    out.set(view as any);
  } else if (dtype === 'float32') (out as Float32Array).set(t.floatData);
  else if (dtype === 'float64') (out as Float64Array).set(t.doubleData);
  else if (dtype === 'int64') (out as BigInt64Array).set(t.int64Data);
  else (out as Int32Array | Uint8Array).set(t.int32Data);
  if (out.length !== n) throw new Error(`tensor ${t.name}: expected ${n} values`);
  return { dtype, dims, data: out };
}

export function tensorToProto(name: string, t: HostTensor): TensorProto {
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).slice();
  return create(TensorProtoSchema, {
    name,
    dataType: onnxDataType(t.dtype),
    dims: t.dims.map(BigInt),
    rawData: bytes,
  });
}

export function hostTensor(dtype: DType, dims: number[], values?: ArrayLike<number> | ArrayLike<bigint>): HostTensor {
  const data = allocate(dtype, elementCount(dims));
  if (values) {
    if (values.length !== data.length)
      throw new Error(`expected ${data.length} values for dims [${dims}], got ${values.length}`);
    if (dtype === 'int64')
      (data as BigInt64Array).set(Array.from(values as ArrayLike<number | bigint>, (v) => BigInt(v)));
    else (data as Float32Array).set(Array.from(values as ArrayLike<number | bigint>, Number));
  }
  return { dtype, dims, data };
}
