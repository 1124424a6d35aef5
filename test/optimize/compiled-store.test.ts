// The compiled edit objective is kept in the bundle's cache: a second session (a reload, a new
// runtime) takes it from there instead of building it again, and computes the same step.
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadBundle } from '../../src/engine/models/bundle.js';
import { memoryCache } from '../../src/engine/models/cache.js';
import { fetchBytes } from '../../src/engine/models/source.js';
import { editObjective } from '../../src/engine/optimize/index.js';
import { createNodeRuntime } from '../../src/engine/tensor/runtime-node.js';
import { createWebRuntime } from '../../src/engine/tensor/runtime-web.js';
import { writeOptimizeBundle } from './fixture.js';

const builds = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../src/engine/optimize/edit-model.js', async (original) => {
  const actual = await original<typeof import('../../src/engine/optimize/edit-model.js')>();
  return {
    ...actual,
    buildEditModel: (...args: Parameters<typeof actual.buildEditModel>) => {
      builds.count++;
      return actual.buildEditModel(...args);
    },
  };
});

let server: Server;
let base: string;

beforeAll(async () => {
  const dir = await writeOptimizeBundle({ name: 'compiled-store' });
  server = createServer(async (req, res) => {
    try {
      const body = await readFile(join(dir, decodeURIComponent(req.url!.split('?')[0]!.slice(1))));
      // No keep-alive: a socket the server closes while a long build blocks the event loop would
      // fail the next fetch on it.
      res.writeHead(200, { 'content-length': body.byteLength, connection: 'close' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('compiled objectives across sessions', () => {
  it('builds once, then reads the stored objective, which computes the same loss and gradient', async () => {
    const cache = memoryCache();
    const step = async () => {
      // A fresh runtime: nothing compiled in memory, as after a page reload.
      const bundle = await loadBundle(base, { loadBytes: fetchBytes, runtime: await createNodeRuntime(), cache });
      const objective = await editObjective(bundle);
      const latent = await bundle.sampleLatent(3, 0.7);
      const target = await bundle.encodeImage((await bundle.generate(await bundle.sampleLatent(4, 0.7))).image);
      const shifted = latent.map((v, i) => v + 0.01 * Math.sin(i));
      const result = await objective.evaluate(shifted, latent, target, 0.008);
      await bundle.release();
      return result;
    };
    const first = await step();
    expect(builds.count).toBe(1);
    const stored = cache.keys.filter((k) => k.startsWith('https://compiled.rete-clip-pae.invalid/'));
    expect(stored).toHaveLength(1);
    const second = await step();
    expect(builds.count).toBe(1);
    expect(second.loss).toBe(first.loss);
    expect(Array.from(second.grad)).toEqual(Array.from(first.grad));
    expect(Array.from(second.embedding)).toEqual(Array.from(first.embedding));
  });

  it('builds again when the stored entry is unreadable', async () => {
    const cache = memoryCache();
    const load = async () => loadBundle(base, { loadBytes: fetchBytes, runtime: await createNodeRuntime(), cache });
    const before = builds.count;
    const a = await load();
    await editObjective(a);
    await a.release();
    const key = cache.keys.find((k) => k.startsWith('https://compiled.rete-clip-pae.invalid/'))!;
    await cache.put(key, Uint8Array.of(1, 2));
    const b = await load();
    const objective = await editObjective(b);
    expect(builds.count - before).toBe(2);
    expect(objective.names.loss).toBeTruthy();
    await b.release();
  });

  it('on onnxruntime-web the objective is stored and run with its weights as external data', async () => {
    const cache = memoryCache();
    const ort = await import('onnxruntime-web');
    const step = async (runtime: Awaited<ReturnType<typeof createNodeRuntime>>) => {
      const bundle = await loadBundle(base, { loadBytes: fetchBytes, runtime, cache });
      const objective = await editObjective(bundle);
      const latent = await bundle.sampleLatent(3, 0.7);
      const target = await bundle.encodeImage((await bundle.generate(await bundle.sampleLatent(4, 0.7))).image);
      const result = await objective.evaluate(
        latent.map((v, i) => v + 0.01 * Math.sin(i)),
        latent,
        target,
        0.008,
      );
      await bundle.release();
      return result;
    };
    // onnxruntime-node's step, which takes the whole model (an entry of its own).
    const node = await step(await createNodeRuntime());
    const web = await step(await createWebRuntime({ ort: ort as never }));
    const key = cache.keys.find((k) => k.includes('external%20weights'));
    expect(key).toBeDefined();
    // [header length][header JSON][graph][weights]: the weights are most of the entry.
    const packed = (await cache.get(key!))!;
    const length = new DataView(packed.buffer, packed.byteOffset, 4).getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(packed.subarray(4, 4 + length))) as { weights: number };
    expect(header.weights).toBeGreaterThan(packed.byteLength / 2);
    const before = builds.count;
    const again = await step(await createWebRuntime({ ort: ort as never }));
    expect(builds.count).toBe(before);
    expect(again.loss).toBe(web.loss);
    expect(Math.abs(node.loss - web.loss)).toBeLessThan(1e-5);
    let diff = 0;
    for (let i = 0; i < node.grad.length; i++) diff = Math.max(diff, Math.abs(node.grad[i]! - web.grad[i]!));
    expect(diff).toBeLessThan(1e-4 * Math.max(...Array.from(node.grad, Math.abs)));
  });
});
