// Small helpers for reading graphs: attributes, value types, opset, topological order.
import { clone } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType as AttrType,
  ModelProtoSchema,
  TensorProto_DataType as DataType,
  type ModelProto,
  type NodeProto,
  type ValueInfoProto,
} from 'onnx-buf';
import { tensorFromProto, type HostTensor } from './model.js';

/** A value's element type and static dims. */
export interface ValueType {
  elemType: DataType;
  dims: number[];
}

export const FLOAT_TYPES = new Set<DataType>([DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16, DataType.BFLOAT16]);

export function isFloat(t: ValueType | undefined): boolean {
  return !!t && FLOAT_TYPES.has(t.elemType);
}

export function typeName(t: DataType): string {
  return DataType[t] ?? String(t);
}

export function describeNode(n: NodeProto): string {
  return `${n.opType} node '${n.name || n.output[0]}'`;
}

/** Typed access to a node's attributes, with defaults. */
export class Attrs {
  constructor(private readonly node: NodeProto) {}

  private find(name: string) {
    return this.node.attribute.find((a) => a.name === name);
  }

  has(name: string): boolean {
    return this.find(name) !== undefined;
  }

  int(name: string, def: number): number;
  int(name: string): number | undefined;
  int(name: string, def?: number): number | undefined {
    const a = this.find(name);
    return a ? Number(a.i) : def;
  }

  ints(name: string, def: number[]): number[];
  ints(name: string): number[] | undefined;
  ints(name: string, def?: number[]): number[] | undefined {
    const a = this.find(name);
    return a ? a.ints.map(Number) : def;
  }

  float(name: string, def: number): number;
  float(name: string): number | undefined;
  float(name: string, def?: number): number | undefined {
    const a = this.find(name);
    if (!a) return def;
    return a.type === AttrType.INT ? Number(a.i) : a.f;
  }

  floats(name: string): number[] | undefined {
    return this.find(name)?.floats.slice();
  }

  string(name: string, def: string): string;
  string(name: string): string | undefined;
  string(name: string, def?: string): string | undefined {
    const a = this.find(name);
    return a ? new TextDecoder().decode(a.s) : def;
  }

  tensor(name: string): HostTensor | undefined {
    const a = this.find(name);
    return a?.t ? tensorFromProto(a.t) : undefined;
  }
}

export function attrs(node: NodeProto): Attrs {
  return new Attrs(node);
}

export function cloneModel(model: ModelProto): ModelProto {
  return clone(ModelProtoSchema, model);
}

/** The default-domain opset the model imports. */
export function opsetOf(model: ModelProto): number {
  const o = model.opsetImport.find((x) => isDefaultDomain(x.domain));
  return o ? Number(o.version) : 1;
}

/** Reads a ValueInfoProto's element type and dims; symbolic dims come back as strings. */
export function readValueInfo(v: ValueInfoProto): { elemType: DataType; dims: (number | string)[] } | undefined {
  if (v.type?.value.case !== 'tensorType') return undefined;
  const tt = v.type.value.value;
  const dims = (tt.shape?.dim ?? []).map((d) =>
    d.value.case === 'dimValue' ? Number(d.value.value) : d.value.case === 'dimParam' ? d.value.value : '?',
  );
  return { elemType: tt.elemType, dims };
}

/** Orders nodes so every value is produced before it is consumed. */
export function topoSort(nodes: readonly NodeProto[], available: Iterable<string>): NodeProto[] {
  const ready = new Set<string>(available);
  ready.add('');
  const producers = new Map<string, number>();
  for (const [i, n] of nodes.entries()) for (const o of n.output) producers.set(o, i);
  const out: NodeProto[] = [];
  const state = new Uint8Array(nodes.length); // 0 new, 1 visiting, 2 done
  const visit = (start: number) => {
    const stack: [number, number][] = [[start, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [i, k] = top;
      const n = nodes[i]!;
      if (k === 0) {
        if (state[i] === 2) {
          stack.pop();
          continue;
        }
        state[i] = 1;
      }
      if (k < n.input.length) {
        top[1]++;
        const name = n.input[k]!;
        const p = producers.get(name);
        if (!ready.has(name) && p !== undefined && state[p] !== 2) {
          if (state[p] === 1) throw new Error(`graph has a cycle through value '${name}' (${describeNode(nodes[p]!)})`);
          stack.push([p, 0]);
        }
        continue;
      }
      state[i] = 2;
      out.push(n);
      stack.pop();
    }
  };
  for (let i = 0; i < nodes.length; i++) if (state[i] !== 2) visit(i);
  return out;
}

export function numel(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export function broadcastDims(a: readonly number[], b: readonly number[], where = 'broadcast'): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`${where}: shapes [${a}] and [${b}] do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

export function normAxis(axis: number, rank: number, where = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`${where}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** True for the default ONNX domain (proto2 leaves an unset domain undefined). */
export function isDefaultDomain(domain: string | undefined): boolean {
  return !domain || domain === 'ai.onnx';
}
