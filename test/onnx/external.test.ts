// Models written with their large weights as ONNX external data (one buffer the initializers point
// into), as onnxruntime-web takes them without copying the protobuf into its heap.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { EXTERNAL_WEIGHTS_PATH, releaseWeights, writeModelSplit } from '../../src/engine/onnx/external.js';
import { readModel, writeModel } from '../../src/engine/onnx/model.js';
import { randn, toOrt } from './gradcheck.js';

describe('writeModelSplit', () => {
  it('moves large initializers into one weights buffer and leaves the model as it was', async () => {
    const g = new GraphBuilder('split');
    g.input('x', 'float32', [1, 64]);
    const w = randn('float32', [64, 64], 3);
    const b = randn('float32', [64], 4);
    g.op('Add', [g.op('MatMul', ['x', g.weight('w', w)]), g.weight('b', b)], {}, 'y');
    g.output('y', 'float32', [1, 64]);
    const model = g.model(17);
    const whole = writeModel(model);

    const { graph, weights } = writeModelSplit(model, 1024);
    // w (16 KiB) goes out, b (256 bytes) stays inline.
    expect(weights.byteLength).toBe(64 * 64 * 4);
    const split = readModel(graph).graph!.initializer;
    const ext = split.find((t) => t.name === 'w')!;
    expect(ext.rawData.length).toBe(0);
    expect(Object.fromEntries(ext.externalData.map((e) => [e.key, e.value]))).toEqual({
      location: EXTERNAL_WEIGHTS_PATH,
      offset: '0',
      length: String(64 * 64 * 4),
    });
    expect(split.find((t) => t.name === 'b')!.rawData.length).toBe(64 * 4);
    expect(graph.byteLength).toBeLessThan(1024);
    // The model object is untouched.
    expect(writeModel(model)).toEqual(whole);

    // onnxruntime reads the split model from files (the Node binding takes external data only so).
    const dir = mkdtempSync(join(tmpdir(), 'rcp-split-'));
    writeFileSync(join(dir, 'model.onnx'), graph);
    writeFileSync(join(dir, EXTERNAL_WEIGHTS_PATH), weights);
    const x = randn('float32', [1, 64], 5);
    const a = await (await ort.InferenceSession.create(join(dir, 'model.onnx'))).run({ x: toOrt(x) });
    const c = await (await ort.InferenceSession.create(whole)).run({ x: toOrt(x) });
    expect(Array.from(a.y!.data as Float32Array)).toEqual(Array.from(c.y!.data as Float32Array));
  });
});

describe('releaseWeights', () => {
  // Node 20 has no ArrayBuffer.transfer (chromium has); a buffer that has one records the call.
  const withTransfer = (bytes: number) => {
    const buffer = new ArrayBuffer(bytes);
    const calls: number[] = [];
    Object.defineProperty(buffer, 'transfer', { value: (length: number) => calls.push(length) });
    return { buffer, calls };
  };

  it('detaches a weights buffer the view covers whole', () => {
    const { buffer, calls } = withTransfer(64);
    releaseWeights(new Uint8Array(buffer));
    expect(calls).toEqual([0]);
  });

  it('leaves a view into a larger buffer alone (something else may be reading the rest)', () => {
    const { buffer, calls } = withTransfer(64);
    releaseWeights(new Uint8Array(buffer, 16, 32));
    releaseWeights(new Uint8Array(buffer, 0, 32));
    expect(calls).toEqual([]);
  });
});
