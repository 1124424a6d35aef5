// A model cache that refuses a file (a full quota, Cache Storage's "Unexpected internal error" on a
// large model) never fails a load: the file is used uncached and the bundle says so.
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadBundle } from '../../src/engine/models/bundle.js';
import { browserCache, type BundleCache } from '../../src/engine/models/cache.js';
import { fetchBytes } from '../../src/engine/models/source.js';
import { createRuntime, type Runtime } from '../../src/engine/tensor/runtime.js';
import { writeTinyBundle } from './tiny-bundle.js';

let runtime: Runtime;
let server: Server;
let base: string;
let downloads = 0;

beforeAll(async () => {
  runtime = await createRuntime();
  const dir = await writeTinyBundle();
  server = createServer(async (req, res) => {
    const file = decodeURIComponent(req.url!.split('?')[0]!.replace(/^\/tiny\//, ''));
    if (file !== 'manifest.json') downloads++;
    try {
      const body = await readFile(join(dir, file));
      res.writeHead(200, { 'content-length': body.byteLength }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tiny/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const internalError = () => new Error("Failed to execute 'put' on 'Cache': Unexpected internal error.");

describe('a model cache that refuses files', () => {
  afterEach(() => {
    delete (globalThis as { caches?: unknown }).caches;
  });

  it('loads the bundle uncached when put throws, and says which files were not kept', async () => {
    const puts: string[] = [];
    const cache: BundleCache = {
      description: 'a refusing cache',
      get: async () => undefined,
      put: async (key) => {
        puts.push(key);
        throw internalError();
      },
    };
    const bundle = await loadBundle(base, { loadBytes: fetchBytes, runtime, cache });
    expect(puts).toHaveLength(7);
    expect(bundle.warnings).toHaveLength(7);
    expect(bundle.warnings.some((w) => w.startsWith('clip_image.onnx: the model cache (a refusing cache)'))).toBe(true);
    expect(bundle.warnings.every((w) => w.includes('used uncached') && w.includes('Unexpected internal error'))).toBe(
      true,
    );
    expect((await bundle.encodeText(['a happy face']))[0]!.length).toBeGreaterThan(0);
    await bundle.release();
  });

  it('downloads a file again when the cache cannot read it', async () => {
    const cache: BundleCache = {
      description: 'an unreadable cache',
      get: async () => {
        throw new Error('the entry is corrupt');
      },
      put: async () => {},
    };
    const before = downloads;
    const bundle = await loadBundle(base, { loadBytes: fetchBytes, runtime, cache });
    expect(downloads - before).toBe(7);
    expect(
      bundle.warnings.every((w) => /could not be read, so it was downloaded again: the entry is corrupt$/.test(w)),
    ).toBe(true);
    await bundle.release();
  });

  it('falls back the same way through Cache Storage whose put rejects', async () => {
    const stored: string[] = [];
    (globalThis as { caches?: unknown }).caches = {
      open: async () => ({
        match: async () => undefined,
        put: async (key: string, response: Response) => {
          stored.push(`${key} ${(await response.arrayBuffer()).byteLength}`);
          throw internalError();
        },
      }),
    };
    const cache = await browserCache('test-models');
    const bundle = await loadBundle(base, { loadBytes: fetchBytes, runtime, cache });
    expect(stored).toHaveLength(7);
    expect(stored.every((s) => !s.endsWith(' 0'))).toBe(true);
    expect(bundle.warnings).toHaveLength(7);
    expect(bundle.warnings[0]).toContain('Cache Storage "test-models"');
    await bundle.release();
  });

  it('loads without warnings when the cache keeps everything', async () => {
    const entries = new Map<string, Uint8Array>();
    const cache: BundleCache = {
      description: 'memory',
      get: async (key) => entries.get(key),
      put: async (key, bytes) => void entries.set(key, bytes),
    };
    const bundle = await loadBundle(base, { loadBytes: fetchBytes, runtime, cache });
    expect(bundle.warnings).toEqual([]);
    await bundle.release();
  });
});
