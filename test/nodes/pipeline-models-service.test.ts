// The model service behind Load Models: one bundle per (URL, device) for the life of the host,
// shared by every run and node; a failed load is not remembered, so fixing the files and running
// again works.
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createModelService } from '../../src/engine/run/models-service.js';
import { createRuntime, type Runtime } from '../../src/engine/tensor/runtime.js';
import { writeTinyBundle } from '../models/tiny-bundle.js';

const loadBytes = async (path: string) => new Uint8Array(await readFile(path));
const fingerprint = async (path: string) => `size ${(await readFile(path)).byteLength}`;

describe('the model service', () => {
  it('loads a bundle once per URL and device, and creates one runtime per device', async () => {
    const dir = await writeTinyBundle();
    const made: string[] = [];
    const service = createModelService({
      loadBytes,
      fingerprint,
      createRuntime: async (device): Promise<Runtime> => {
        made.push(device);
        return createRuntime();
      },
      cache: async () => undefined,
    });
    const signal = new AbortController().signal;
    const [a, b] = await Promise.all([
      service.load(dir, { device: 'auto', signal }),
      service.load(dir, { device: 'auto', signal }),
    ]);
    expect(a).toBe(b);
    const wasm = await service.load(dir, { device: 'wasm', signal });
    expect(wasm).not.toBe(a);
    expect(made).toEqual(['auto', 'wasm']);
    expect(await service.load(dir, { device: 'auto', signal })).toBe(a);
    await service.releaseAll();
    expect(await service.load(dir, { device: 'auto', signal })).not.toBe(a);
  });

  it('forgets a failed load, so the next call tries again', async () => {
    const dir = await writeTinyBundle();
    await rename(join(dir, 'generator.onnx'), join(dir, 'hidden.onnx'));
    const service = createModelService({
      loadBytes,
      fingerprint,
      createRuntime: () => createRuntime(),
      cache: async () => undefined,
    });
    const signal = new AbortController().signal;
    await expect(service.load(dir, { device: 'auto', signal })).rejects.toThrow(
      /cannot read generator\.onnx \(the generator\)/,
    );
    await rename(join(dir, 'hidden.onnx'), join(dir, 'generator.onnx'));
    const bundle = await service.load(dir, { device: 'auto', signal });
    expect(bundle.name).toBe('tiny');
    await bundle.release();
  });
});
