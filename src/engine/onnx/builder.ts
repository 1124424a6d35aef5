// A small typed builder for ONNX graphs: the generator, the demo CLIP, losses and backward graphs
// are all written with it. Values are referred to by name; every op returns its output names.
import { create } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema,
  AttributeProto_AttributeType as AttrType,
  GraphProtoSchema,
  ModelProtoSchema,
  type TensorProto_DataType as DataType,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  TensorShapeProtoSchema,
  TensorShapeProto_DimensionSchema,
  TypeProtoSchema,
  TypeProto_TensorSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type ValueInfoProto,
} from 'onnx-buf';
import { hostTensor, onnxDataType, tensorToProto, type DType, type HostTensor } from './model.js';

export const DEFAULT_OPSET = 17;

export type AttrValue = number | string | number[] | HostTensor | { floats: number[] } | { float: number };

/** Builds one attribute. Integers become INT(S); use {float}/{floats} to force floats. */
export function attribute(name: string, value: AttrValue): AttributeProto {
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? create(AttributeProtoSchema, { name, type: AttrType.INT, i: BigInt(value) })
      : create(AttributeProtoSchema, { name, type: AttrType.FLOAT, f: value });
  }
  if (typeof value === 'string')
    return create(AttributeProtoSchema, { name, type: AttrType.STRING, s: new TextEncoder().encode(value) });
  if (Array.isArray(value)) {
    return value.every(Number.isInteger)
      ? create(AttributeProtoSchema, { name, type: AttrType.INTS, ints: value.map(BigInt) })
      : create(AttributeProtoSchema, { name, type: AttrType.FLOATS, floats: value });
  }
  if ('floats' in value) return create(AttributeProtoSchema, { name, type: AttrType.FLOATS, floats: value.floats });
  if ('float' in value) return create(AttributeProtoSchema, { name, type: AttrType.FLOAT, f: value.float });
  return create(AttributeProtoSchema, { name, type: AttrType.TENSOR, t: tensorToProto('', value) });
}

/** `elemType` overrides `dtype` for element types the host does not compute (float16, int8, …). */
export function valueInfo(
  name: string,
  dtype: DType,
  dims: readonly (number | string)[],
  elemType?: DataType,
): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, {
      value: {
        case: 'tensorType',
        value: create(TypeProto_TensorSchema, {
          elemType: elemType ?? onnxDataType(dtype),
          shape: create(TensorShapeProtoSchema, {
            dim: dims.map((d) =>
              create(TensorShapeProto_DimensionSchema, {
                value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) } : { case: 'dimParam', value: d },
              }),
            ),
          }),
        }),
      },
    }),
  });
}

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly inputs: ValueInfoProto[] = [];
  readonly outputs: ValueInfoProto[] = [];
  readonly initializers = new Map<string, HostTensor>();
  private counter = 0;

  constructor(
    readonly name = 'graph',
    private readonly prefix = '',
  ) {}

  /** A fresh value name, unique within this builder. */
  fresh(hint = 't'): string {
    return `${this.prefix}${hint}_${this.counter++}`;
  }

  input(name: string, dtype: DType, dims: readonly (number | string)[]): string {
    this.inputs.push(valueInfo(name, dtype, dims));
    return name;
  }

  output(name: string, dtype: DType, dims: readonly (number | string)[]): string {
    this.outputs.push(valueInfo(name, dtype, dims));
    return name;
  }

  /** A named weight (initializer). Gradients can be taken with respect to it. */
  weight(name: string, tensor: HostTensor): string {
    if (this.initializers.has(name)) throw new Error(`initializer ${name} is defined twice`);
    this.initializers.set(name, tensor);
    return name;
  }

  /** A constant initializer with a generated name. */
  constant(dtype: DType, dims: number[], values: ArrayLike<number> | ArrayLike<bigint>, hint = 'const'): string {
    return this.weight(this.fresh(hint), hostTensor(dtype, dims, values));
  }

  scalar(value: number, dtype: DType = 'float32'): string {
    return this.constant(dtype, [], [value], 'scalar');
  }

  ints(values: number[]): string {
    return this.constant('int64', [values.length], values, 'ints');
  }

  /** Adds a node and returns its output names (nOutputs of them, fresh unless `names` is given). */
  opN(
    type: string,
    inputs: string[],
    attrs: Record<string, AttrValue | undefined> = {},
    nOutputs = 1,
    names?: string[],
  ): string[] {
    const outs = names ?? Array.from({ length: nOutputs }, () => this.fresh(type.toLowerCase()));
    this.nodes.push(
      create(NodeProtoSchema, {
        opType: type,
        name: this.fresh(`${type}_node`),
        input: inputs,
        output: outs,
        attribute: Object.entries(attrs)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => attribute(k, v as AttrValue)),
      }),
    );
    return outs;
  }

  /** Adds a single-output node and returns its output name. */
  op(type: string, inputs: string[], attrs: Record<string, AttrValue | undefined> = {}, name?: string): string {
    return this.opN(type, inputs, attrs, 1, name ? [name] : undefined)[0]!;
  }

  graph(): GraphProto {
    return create(GraphProtoSchema, {
      name: this.name,
      node: this.nodes,
      input: this.inputs,
      output: this.outputs,
      initializer: [...this.initializers].map(([n, t]) => tensorToProto(n, t)),
    });
  }

  model(opset = DEFAULT_OPSET): ModelProto {
    return create(ModelProtoSchema, {
      irVersion: 8n,
      producerName: 'rete-clip-pae',
      opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(opset) })],
      graph: this.graph(),
    });
  }
}
