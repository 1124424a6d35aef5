// Named float32 weights of a demo network. The same store feeds the training graph (weights as inputs,
// updated by Adam each step) and the exported inference graph (weights baked in as initializers), so
// both graphs are built by one function and cannot drift apart.
import { hostTensor, type HostTensor } from '../../src/engine/onnx/model.js';
import type { Rng } from '../../src/engine/random.js';

export type Init =
  | { kind: 'he'; fanIn: number; gain?: number }
  | { kind: 'normal'; std: number }
  | { kind: 'const'; value: number };

export class ParamStore {
  readonly values = new Map<string, Float32Array>();
  readonly shapes = new Map<string, number[]>();

  constructor(private readonly rng: Rng) {}

  /** The weight called `name`, created with `init` the first time it is asked for. */
  get(name: string, dims: number[], init: Init): Float32Array {
    const have = this.values.get(name);
    if (have) {
      const shape = this.shapes.get(name)!;
      if (shape.join(',') !== dims.join(','))
        throw new Error(`weight ${name} has shape [${shape}] but [${dims}] was asked for`);
      return have;
    }
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (init.kind === 'he') {
      const std = (init.gain ?? Math.SQRT2) / Math.sqrt(init.fanIn);
      for (let i = 0; i < n; i++) data[i] = this.rng.normal() * std;
    } else if (init.kind === 'normal') {
      for (let i = 0; i < n; i++) data[i] = this.rng.normal() * init.std;
    } else data.fill(init.value);
    this.values.set(name, data);
    this.shapes.set(name, dims);
    return data;
  }

  tensor(name: string): HostTensor {
    const v = this.values.get(name);
    if (!v) throw new Error(`weight ${name} does not exist`);
    return hostTensor('float32', this.shapes.get(name)!, v);
  }

  names(): string[] {
    return [...this.values.keys()];
  }

  count(): number {
    let n = 0;
    for (const v of this.values.values()) n += v.length;
    return n;
  }
}
