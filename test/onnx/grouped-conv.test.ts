// The grouped Conv / ConvTranspose forms that onnxruntime's NHWC WebGPU kernels get wrong are
// rewritten (grouped-conv.ts) into equivalent ones: same values on the CPU, none of the faulty
// groupings left in any gradient graph, gradients still right (central differences). The browser
// test (test/browser/onnx-webgpu-fixtures.test.ts) runs the same probes on WebGPU itself.
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import type { ModelProto } from 'onnx-buf';
import { GROUPED_CASES, groupedProbe } from '../../bench/gpu/probes.js';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { readValueInfo } from '../../src/engine/onnx/graph.js';
import { convNeedsRewrite, convTransposeNeedsRewrite } from '../../src/engine/onnx/grouped-conv.js';
import { gradientModel } from '../../src/engine/onnx/gradient.js';
import { hostTensor, readModel } from '../../src/engine/onnx/model.js';
import { relErr } from './fixtures.js';
import { gradCheck, randn } from './gradcheck.js';

/** Conv/ConvTranspose nodes of `m` in a grouping the NHWC WebGPU kernels compute wrongly. */
function faulty(m: ModelProto): string[] {
  const g = m.graph!;
  const dims = new Map<string, number[]>();
  for (const t of g.initializer) dims.set(t.name, t.dims.map(Number));
  for (const v of [...g.input, ...g.valueInfo, ...g.output]) {
    const info = readValueInfo(v);
    if (info) dims.set(v.name, info.dims as number[]);
  }
  return g.node
    .filter((n) => {
      const group = Number(n.attribute.find((a) => a.name === 'group')?.i ?? 1n);
      const w = dims.get(n.input[1] ?? '');
      if (!w) return false;
      if (n.opType === 'Conv') return convNeedsRewrite(group, w[0]!);
      if (n.opType === 'ConvTranspose') return convTransposeNeedsRewrite(group, w[0]!, w[1]!);
      return false;
    })
    .map((n) => `${n.opType} ${n.name}`);
}

async function runCpu(
  bytes: Uint8Array,
  feeds: { name: string; dims: number[]; values: number[] }[],
): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(bytes);
  const out = await s.run(
    Object.fromEntries(feeds.map((f) => [f.name, new ort.Tensor('float32', Float32Array.from(f.values), f.dims)])),
  );
  await s.release();
  return Object.values(out)[0]!.data as Float32Array;
}

describe('grouped Conv/ConvTranspose rewrites for the WebGPU EP', () => {
  it('flags exactly the groupings measured wrong on WebGPU (NHWC), on SwiftShader and an H100', () => {
    // Conv: (group, output channels) — ≥ 4 per group, not a multiple of the width picked from the total.
    expect(convNeedsRewrite(8, 72)).toBe(true); // 9 per group, width 4
    expect(convNeedsRewrite(2, 18)).toBe(true); // 9 per group, width 2
    expect(convNeedsRewrite(2, 10)).toBe(true); // 5 per group, width 2
    expect(convNeedsRewrite(3, 27)).toBe(false); // odd total: width 1
    expect(convNeedsRewrite(4, 12)).toBe(false); // 3 per group
    expect(convNeedsRewrite(3, 18)).toBe(false); // 6 per group, width 2
    expect(convNeedsRewrite(16, 64)).toBe(false); // 4 per group, width 4
    expect(convNeedsRewrite(1, 9)).toBe(false);
    // ConvTranspose: (group, input channels, output channels per group).
    expect(convTransposeNeedsRewrite(16, 64, 1)).toBe(true);
    expect(convTransposeNeedsRewrite(16, 32, 1)).toBe(true);
    expect(convTransposeNeedsRewrite(2, 12, 1)).toBe(true);
    expect(convTransposeNeedsRewrite(16, 48, 1)).toBe(false); // 3 per group
    expect(convTransposeNeedsRewrite(16, 64, 2)).toBe(false);
    expect(convTransposeNeedsRewrite(1, 4, 1)).toBe(false);
  });

  for (const c of GROUPED_CASES) {
    it(`${c.op} group ${c.G}, ${c.C}→${c.M} (${c.label}): rewritten form equals the op on the CPU`, async () => {
      const raw = groupedProbe(c, false);
      const rewritten = groupedProbe(c, true);
      const needs = c.op === 'Conv' ? convNeedsRewrite(c.G, c.M) : convTransposeNeedsRewrite(c.G, c.C, c.M / c.G);
      expect(faulty(readModel(raw.bytes)).length).toBe(needs ? 1 : 0);
      expect(faulty(readModel(rewritten.bytes))).toEqual([]);
      const a = await runCpu(raw.bytes, raw.feeds);
      const b = await runCpu(rewritten.bytes, rewritten.feeds);
      expect(b.length).toBe(a.length);
      expect(relErr(b, a)).toBeLessThan(1e-6);
    });
  }
});

/** Distinct multiples of 1/8 (no ties, so small steps never move a window's maximum). */
function distinct(dims: number[], seed: number) {
  const n = dims.reduce((a, b) => a * b, 1);
  const order = Array.from(randn('float64', [n], seed).data as Float64Array, (v, i) => [v, i] as const).sort(
    (p, q) => p[0] - q[0],
  );
  const v = new Array<number>(n);
  order.forEach(([, i], rank) => {
    v[i] = (rank - n / 2) / 8;
  });
  return hostTensor('float32', dims, v);
}

describe('gradients whose backward needs the rewrite', () => {
  const f32 = (dims: number[], seed: number) => randn('float32', dims, seed);
  const cases: {
    name: string;
    build: () => ModelProto;
    inputs: Record<string, ReturnType<typeof f32>>;
    wrt: string[];
    eps: number;
  }[] = [
    {
      // dx is a ConvTranspose with 2 input channels and 1 output channel per group.
      name: 'Conv channel multiplier 2 (group 4, 4→8)',
      build: () => {
        const g = new GraphBuilder('mult2');
        g.input('x', 'float32', [1, 4, 5, 5]);
        g.input('w', 'float32', [8, 1, 3, 3]);
        g.op('Conv', ['x', 'w'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: 4 }, 'y');
        g.output('y', 'float32', [1, 8, 5, 5]);
        return g.model();
      },
      inputs: { x: f32([1, 4, 5, 5], 1), w: f32([8, 1, 3, 3], 2) },
      wrt: ['x', 'w'],
      eps: 0.5,
    },
    {
      // dx is a Conv with 5 output channels per group (10 in all).
      name: 'ConvTranspose group 2, 10→2',
      build: () => {
        const g = new GraphBuilder('ct5');
        g.input('x', 'float32', [1, 10, 3, 3]);
        g.input('w', 'float32', [10, 1, 3, 3]);
        g.op('ConvTranspose', ['x', 'w'], { kernel_shape: [3, 3], strides: [2, 2], group: 2 }, 'y');
        g.output('y', 'float32', [1, 2, 7, 7]);
        return g.model();
      },
      inputs: { x: f32([1, 10, 3, 3], 3), w: f32([10, 1, 3, 3], 4) },
      wrt: ['x', 'w'],
      eps: 0.5,
    },
    {
      // 36 taps: dW is a Conv with the input as the kernel, 5 output channels per group.
      name: 'ConvTranspose 6×6 kernel, group 2, 10→2 (weight gradient by Conv)',
      build: () => {
        const g = new GraphBuilder('big_kernel');
        g.input('x', 'float32', [1, 10, 3, 3]);
        g.input('w', 'float32', [10, 1, 6, 6]);
        g.op('ConvTranspose', ['x', 'w'], { kernel_shape: [6, 6], group: 2 }, 'y');
        g.output('y', 'float32', [1, 2, 8, 8]);
        return g.model();
      },
      inputs: { x: f32([1, 10, 3, 3], 5), w: f32([10, 1, 6, 6], 6) },
      wrt: ['x', 'w'],
      eps: 0.5,
    },
    {
      // CPU target: depthwise taps (9 per channel, 18 in all), scattered by a ConvTranspose.
      name: 'MaxPool 3×3 stride 1 over 2 channels',
      build: () => {
        const g = new GraphBuilder('pool3');
        g.input('x', 'float32', [1, 2, 5, 5]);
        g.op('MaxPool', ['x'], { kernel_shape: [3, 3] }, 'y');
        g.output('y', 'float32', [1, 2, 3, 3]);
        return g.model();
      },
      inputs: { x: distinct([1, 2, 5, 5], 7) },
      wrt: ['x'],
      eps: 1 / 32,
    },
    {
      // CPU target: depthwise taps scattered by a ConvTranspose with 4 input channels per group
      // (rewritten: scatterWindows serves both targets).
      name: 'MaxPool 2×2 stride 1 over 3 channels',
      build: () => {
        const g = new GraphBuilder('pool2');
        g.input('x', 'float32', [2, 3, 4, 4]);
        g.op('MaxPool', ['x'], { kernel_shape: [2, 2] }, 'y');
        g.output('y', 'float32', [2, 3, 3, 3]);
        return g.model();
      },
      inputs: { x: distinct([2, 3, 4, 4], 8) },
      wrt: ['x'],
      eps: 1 / 32,
    },
  ];
  for (const c of cases) {
    for (const target of ['any', 'cpu'] as const) {
      it(`${c.name}, ${target} target: gradients match finite differences${target === 'any' ? ', no faulty grouping in the graph' : ''}`, async () => {
        const model = c.build();
        // The CPU target may keep depthwise forms that only CPU kernels are meant to run.
        if (target === 'any') expect(faulty(gradientModel(model, { of: 'y', wrt: c.wrt, target }))).toEqual([]);
        const r = await gradCheck({ model, inputs: c.inputs, of: 'y', wrt: c.wrt, eps: c.eps, target });
        for (const w of c.wrt) expect(r.errors[w], w).toBeLessThan(1e-4);
      });
    }
  }
});
