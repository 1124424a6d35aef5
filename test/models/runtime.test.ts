import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { hostTensor, writeModel } from '../../src/engine/onnx/model.js';
import { createRuntime, isNodeHost, type Runtime } from '../../src/engine/tensor/runtime.js';
import { ortSessionOptions } from '../../src/engine/tensor/runtime-ort.js';
import { createWebRuntime } from '../../src/engine/tensor/runtime-web.js';

/** y = x·2 + 1 and s = sum(x), with a symbolic batch dim on x. */
function affineModel(): Uint8Array {
  const g = new GraphBuilder('affine');
  const x = g.input('x', 'float32', ['batch', 3]);
  g.op('Add', [g.op('Mul', [x, g.scalar(2)]), g.scalar(1)], {}, 'y');
  g.op('ReduceSum', [x, g.ints([0, 1])], { keepdims: 0 }, 's');
  g.output('y', 'float32', ['batch', 3]);
  g.output('s', 'float32', []);
  return writeModel(g.model());
}

async function checkRuntime(runtime: Runtime) {
  const session = await runtime.createSession(affineModel(), { name: 'test/affine.onnx' });
  expect(session.inputs).toEqual([{ name: 'x', dtype: 'float32', dims: ['batch', 3] }]);
  expect(session.outputs.map((o) => o.name)).toEqual(['y', 's']);
  const out = await session.runToHost({ x: hostTensor('float32', [2, 3], [1, 2, 3, 4, 5, 6]) });
  expect(Array.from(out.y!.data as Float32Array)).toEqual([3, 5, 7, 9, 11, 13]);
  expect(out.y!.dims).toEqual([2, 3]);
  expect(Array.from(out.s!.data as Float32Array)).toEqual([21]);

  // An output tensor feeds the next run without a host copy by the caller.
  const first = await session.run({ x: hostTensor('float32', [1, 3], [0, 1, 2]) });
  const second = await session.runToHost({ x: first.y! });
  expect(Array.from(second.y!.data as Float32Array)).toEqual([3, 7, 11]);

  await expect(session.run({})).rejects.toThrow('test/affine.onnx: input "x" is missing');
  await expect(session.run({ x: hostTensor('float32', [1, 3]), z: hostTensor('float32', [1]) })).rejects.toThrow(
    'test/affine.onnx: there is no input "z" (inputs: x)',
  );
  await expect(session.run({ x: hostTensor('float32', [1, 4]) })).rejects.toThrow(
    'test/affine.onnx: input "x" expects dims ["batch", 3], got [1, 4]',
  );
  await expect(session.run({ x: hostTensor('float64', [1, 3]) })).rejects.toThrow(
    'test/affine.onnx: input "x" expects float32, got float64',
  );
  const aborted = new AbortController();
  aborted.abort();
  await expect(session.run({ x: hostTensor('float32', [1, 3]) }, { signal: aborted.signal })).rejects.toThrow();
  await session.release();
  await expect(session.run({ x: hostTensor('float32', [1, 3]) })).rejects.toThrow(
    'test/affine.onnx: the session was released',
  );
}

describe('Runtime', () => {
  it('picks onnxruntime-node in Node and runs a model on the CPU', async () => {
    expect(isNodeHost()).toBe(true);
    const runtime = await createRuntime();
    expect(runtime.backend).toBe('cpu');
    await checkRuntime(runtime);
  });

  it('the browser implementation falls back to wasm where there is no WebGPU, and says why', async () => {
    const ort = await import('onnxruntime-web');
    const runtime = await createWebRuntime({ ort: ort as any });
    expect(runtime.backend).toBe('wasm');
    expect(runtime.description).toMatch(/^wasm \(this browser has no WebGPU/);
    const session = await runtime.createSession(affineModel(), { name: 'web/affine.onnx', keepOutputsOnGpu: true });
    expect(session.backend).toBe('wasm');
    expect(session.fallbackReason).toMatch(/navigator\.gpu is missing/);
    await session.release();
    await checkRuntime(runtime);
  });

  it('names the model when onnxruntime cannot load it', async () => {
    const runtime = await createRuntime();
    await expect(runtime.createSession(new Uint8Array([8, 1, 2, 3]), { name: 'bundle/broken.onnx' })).rejects.toThrow(
      /^bundle\/broken\.onnx: onnxruntime could not load the model on cpu: /,
    );
  });
});

describe('session options for large models', () => {
  const big = 64 << 20;
  it('small models keep the arena and prepacking', () => {
    const o = ortSessionOptions({ name: 'small' }, ['wasm'], false, 1 << 20);
    expect(o.enableCpuMemArena).toBeUndefined();
    expect(o.extra).toBeUndefined();
  });

  it('large ones run without the arena, and on wasm without weight prepacking', () => {
    const wasm = ortSessionOptions({ name: 'big' }, ['wasm'], false, big);
    expect(wasm.enableCpuMemArena).toBe(false);
    expect(wasm.extra).toEqual({ session: { disable_prepacking: '1' } });
    const cpu = ortSessionOptions({ name: 'big' }, ['cpu'], false, big);
    expect(cpu.enableCpuMemArena).toBe(false);
    expect(cpu.extra).toBeUndefined();
    // onnxruntime-node leaves out the NCHWc layout rewrite for them.
    expect(cpu.graphOptimizationLevel).toBe('extended');
    expect(wasm.graphOptimizationLevel).toBe('all');
    expect(ortSessionOptions({ name: 'small' }, ['cpu'], false, 1 << 20).graphOptimizationLevel).toBe('all');
  });

  it('passes external data through under the file name the model uses', () => {
    const data = new Uint8Array(8);
    const o = ortSessionOptions({ name: 'split', externalData: { path: 'weights.bin', data } }, ['wasm'], false, 8);
    expect(o.externalData).toEqual([{ path: 'weights.bin', data }]);
  });
});

describe('external data', () => {
  it('onnxruntime-node says it takes the weights only inside the model', async () => {
    const runtime = await createRuntime();
    expect(runtime.externalData).toBe(false);
    await expect(
      runtime.createSession(affineModel(), {
        name: 'split.onnx',
        externalData: { path: 'weights.bin', data: new Uint8Array(4) },
      }),
    ).rejects.toThrow('split.onnx: onnxruntime-node reads external data only from files');
  });
});
