// The loss graph's resize (upsample ×k then average-pool, or the same as matrix products) against
// the host-side preprocessing the nodes use for CLIP embeddings.
import { describe, expect, it } from 'vitest';
import { centreSquare, resizeImage } from '../../src/engine/models/index.js';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { hostTensor, writeModel } from '../../src/engine/onnx/model.js';
import { centreSquareOp, resizeOp } from '../../src/engine/optimize/prep.js';
import { resizePlan } from '../../src/engine/optimize/index.js';
import { createNodeRuntime } from '../../src/engine/tensor/runtime-node.js';

async function graphResize(
  height: number,
  width: number,
  size: number,
  data: Float32Array,
  maxUpsampled?: number,
): Promise<{ data: Float32Array; ops: string[] }> {
  const g = new GraphBuilder('resize');
  const x = g.input('x', 'float32', [1, 3, height, width]);
  const { square, side } = centreSquareOp(g, x, height, width);
  g.op('Identity', [resizeOp(g, square, 3, side, size, maxUpsampled)], {}, 'y');
  g.output('y', 'float32', [1, 3, size, size]);
  const model = g.model();
  const session = await (await createNodeRuntime()).createSession(writeModel(model), { name: 'resize test' });
  const out = await session.runToHost({ x: hostTensor('float32', [1, 3, height, width], data) });
  return { data: out.y!.data as Float32Array, ops: model.graph!.node.map((n) => n.opType) };
}

function pattern(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 0.5 + 0.5);
}

describe('resize in the loss graph', () => {
  it('follows StyleCLIP: 1024 → 224 is upsample ×7 then pool 32; 128 → 64 is pool 2', () => {
    expect(resizePlan(1024, 224)).toEqual({ upsample: 7, pool: 32 });
    expect(resizePlan(128, 64)).toEqual({ upsample: 1, pool: 2 });
    expect(resizePlan(128, 48)).toEqual({ upsample: 3, pool: 8 });
    expect(() => resizePlan(0, 3)).toThrow(/positive whole numbers, got 0 → 3/);
  });

  for (const [height, width, size, label, maxUpsampled] of [
    [128, 128, 32, 'pool only', undefined],
    [128, 128, 48, 'upsample and pool', undefined],
    [128, 128, 48, 'as matrix products', 0],
    [96, 128, 64, 'centre square of a wide image', undefined],
  ] as const) {
    it(`matches the host resize: ${height}×${width} → ${size} (${label})`, async () => {
      const data = pattern(3 * height * width);
      const host = resizeImage(centreSquare({ kind: 'image', width, height, data }), size, size);
      const graph = await graphResize(height, width, size, data, maxUpsampled);
      let maxDiff = 0;
      for (let i = 0; i < host.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(host.data[i]! - graph.data[i]!));
      expect(maxDiff).toBeLessThan(1e-5);
      if (maxUpsampled === 0) expect(graph.ops).toContain('MatMul');
      else expect(graph.ops).toContain('AveragePool');
    });
  }
});
