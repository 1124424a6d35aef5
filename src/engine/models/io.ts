// Checks that a model file declares the inputs and outputs the manifest says it has, before any
// session is created: a wrong export fails at load time with the file and the mismatch named,
// not later inside onnxruntime with a message about some internal node.
import { DataType, readModel, type ModelProto } from '../onnx/model.js';
import type { ValueInfoProto } from 'onnx-buf';

export type Dim = number | string;

export interface DeclaredValue {
  name: string;
  /** ONNX element type name in onnxruntime's spelling ('float32', 'int64', …). */
  dtype: string;
  /** Static dims are numbers, symbolic ones strings, unknown ones '?'. */
  dims: Dim[];
}

export interface ExpectedValue {
  name: string;
  /** Accepted element types. */
  dtypes: readonly string[];
  /** Expected dims: a number must match a static dim (a symbolic dim accepts anything). */
  dims: readonly (number | null)[];
  /** The manifest field that states this shape, for the message. */
  source: string;
}

export interface ModelContract {
  inputs: readonly ExpectedValue[];
  outputs: readonly ExpectedValue[];
}

const ORT_NAMES: Partial<Record<DataType, string>> = {
  [DataType.FLOAT]: 'float32',
  [DataType.DOUBLE]: 'float64',
  [DataType.FLOAT16]: 'float16',
  [DataType.BFLOAT16]: 'bfloat16',
  [DataType.INT64]: 'int64',
  [DataType.INT32]: 'int32',
  [DataType.INT8]: 'int8',
  [DataType.UINT8]: 'uint8',
  [DataType.BOOL]: 'bool',
};

function declared(v: ValueInfoProto): DeclaredValue {
  const type = v.type?.value;
  if (type?.case !== 'tensorType') return { name: v.name, dtype: 'non-tensor', dims: [] };
  const elem = type.value.elemType;
  const dims: Dim[] = (type.value.shape?.dim ?? []).map((d) =>
    d.value.case === 'dimValue' ? Number(d.value.value) : d.value.case === 'dimParam' ? d.value.value : '?',
  );
  return { name: v.name, dtype: ORT_NAMES[elem as DataType] ?? DataType[elem] ?? `type ${elem}`, dims };
}

/** The graph's real inputs (initializers listed as inputs by old exporters are left out) and outputs. */
export function declaredIo(model: ModelProto): { inputs: DeclaredValue[]; outputs: DeclaredValue[] } {
  const graph = model.graph!;
  const weights = new Set(graph.initializer.map((t) => t.name));
  return {
    inputs: graph.input.filter((v) => !weights.has(v.name)).map(declared),
    outputs: graph.output.map(declared),
  };
}

function show(dims: readonly (Dim | null)[]): string {
  return `[${dims.map((d) => (d === null ? '*' : typeof d === 'string' ? `"${d}"` : d)).join(', ')}]`;
}

function checkValue(kind: 'input' | 'output', have: DeclaredValue, want: ExpectedValue): string | undefined {
  if (!want.dtypes.includes(have.dtype)) {
    return `${kind} "${want.name}" is ${have.dtype}, the manifest needs ${want.dtypes.join(' or ')} (${want.source})`;
  }
  if (have.dims.length !== want.dims.length) {
    return `${kind} "${want.name}" has rank ${have.dims.length} ${show(have.dims)}, the manifest needs rank ${want.dims.length} ${show(want.dims)} (${want.source})`;
  }
  for (let i = 0; i < want.dims.length; i++) {
    const h = have.dims[i]!;
    const w = want.dims[i];
    if (typeof h === 'number' && w !== null && w !== undefined && h !== w) {
      return `${kind} "${want.name}" has dims ${show(have.dims)}, the manifest needs ${show(want.dims)}: dim ${i} is ${h}, not ${w} (${want.source})`;
    }
  }
  return undefined;
}

/**
 * Reads the model and checks it against the contract; throws one message listing every mismatch.
 * `where` names the bundle and file, e.g. `bundle "demo": generator.onnx`.
 */
export function checkModel(
  bytes: Uint8Array,
  contract: ModelContract,
  where: string,
): { model: ModelProto; inputs: DeclaredValue[]; outputs: DeclaredValue[] } {
  const model = readModel(bytes, where);
  const io = declaredIo(model);
  const problems: string[] = [];
  for (const [kind, list, wanted] of [
    ['input', io.inputs, contract.inputs],
    ['output', io.outputs, contract.outputs],
  ] as const) {
    for (const want of wanted) {
      const have = list.find((v) => v.name === want.name);
      if (!have) {
        problems.push(
          `has no ${kind} "${want.name}" (${want.source}); its ${kind}s are ${list.map((v) => `"${v.name}"`).join(', ') || 'none'}`,
        );
        continue;
      }
      const problem = checkValue(kind, have, want);
      if (problem) problems.push(problem);
    }
  }
  // An input the manifest does not describe could not be fed.
  for (const have of io.inputs) {
    if (!contract.inputs.some((w) => w.name === have.name)) {
      problems.push(
        `has an input "${have.name}" ${show(have.dims)} that the manifest does not describe, so it cannot be fed`,
      );
    }
  }
  if (problems.length) throw new Error(`${where} does not match the manifest:\n  ${problems.join('\n  ')}`);
  return { model, ...io };
}
