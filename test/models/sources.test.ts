import { createServer, type Server } from 'node:http';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundle } from '../../src/engine/models/bundle.js';
import { memoryCache } from '../../src/engine/models/cache.js';
import { folderCache } from '../../src/engine/models/cache-node.js';
import { fetchBytes, manifestUrl, resolveFile, type FileLike } from '../../src/engine/models/source.js';
import { createRuntime, type Runtime } from '../../src/engine/tensor/runtime.js';
import { writeTinyBundle } from './tiny-bundle.js';

let runtime: Runtime;
let dir: string;
let server: Server;
let base: string;
const requests: string[] = [];

beforeAll(async () => {
  runtime = await createRuntime();
  dir = await writeTinyBundle();
  server = createServer(async (req, res) => {
    requests.push(req.url!);
    try {
      const body = await readFile(join(dir, decodeURIComponent(req.url!.split('?')[0]!.replace(/^\/tiny\//, ''))));
      res.writeHead(200, { 'content-length': body.byteLength });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tiny/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('bundle sources', () => {
  it('resolves file paths against the manifest', () => {
    expect(manifestUrl('models/demo')).toBe('models/demo/manifest.json');
    expect(manifestUrl('models/demo/')).toBe('models/demo/manifest.json');
    expect(manifestUrl('https://x.org/b/manifest.json')).toBe('https://x.org/b/manifest.json');
    expect(resolveFile('models/demo/manifest.json', 'onnx/gen.onnx')).toBe('models/demo/onnx/gen.onnx');
    expect(resolveFile('models/demo/manifest.json', './../faces/t.json')).toBe('models/faces/t.json');
    expect(resolveFile('/abs/b/manifest.json', 'g.onnx')).toBe('/abs/b/g.onnx');
    expect(resolveFile('https://x.org/b/manifest.json', 'onnx/g.onnx')).toBe('https://x.org/b/onnx/g.onnx');
  });

  it('downloads over HTTP with progress, caches by URL and serves the second load from the cache', async () => {
    const cache = memoryCache();
    const seen: number[] = [];
    const first = await loadBundle(base, {
      loadBytes: fetchBytes,
      runtime,
      cache,
      onProgress: (loaded, total) => seen.push(total - loaded),
    });
    expect(seen[seen.length - 1]).toBe(0);
    expect(cache.keys).toHaveLength(7);
    expect(cache.keys.every((k) => k.startsWith(base) && /\?bundle=[0-9a-f]{16}$/.test(k))).toBe(true);
    const before = requests.length;
    const second = await loadBundle(base, { loadBytes: fetchBytes, runtime, cache });
    // Only the manifest is fetched again: it decides whether the cached files are current.
    expect(requests.slice(before)).toEqual(['/tiny/manifest.json']);
    expect(second.id).toBe(first.id);
    expect(await second.encodeText(['a happy face'])).toEqual(await first.encodeText(['a happy face']));
    await first.release();
    await second.release();
  });

  it('keeps cached files per bundle version, so a rebuilt file under an unchanged manifest is fetched again', async () => {
    const cache = memoryCache();
    const v1 = await loadBundle(base, { loadBytes: fetchBytes, runtime, cache, version: 'v1' });
    await v1.release();
    const before = requests.length;
    const again = await loadBundle(base, { loadBytes: fetchBytes, runtime, cache, version: 'v1' });
    await again.release();
    expect(requests.slice(before)).toEqual(['/tiny/manifest.json']);
    const v2 = await loadBundle(base, { loadBytes: fetchBytes, runtime, cache, version: 'v2' });
    await v2.release();
    // Every file once more, under keys of their own.
    expect(requests.length - before).toBe(1 + 1 + 7);
    expect(cache.keys).toHaveLength(14);
  });

  it('names the URL when a download fails', async () => {
    await expect(loadBundle(`${base}missing/`, { loadBytes: fetchBytes, runtime })).rejects.toThrow(
      `cannot read the bundle manifest ${base}missing/manifest.json: cannot load ${base}missing/manifest.json: HTTP 404 Not Found`,
    );
  });

  it('loads from picked files (a folder pick with relative paths)', async () => {
    const names = await readdir(dir);
    const files: FileLike[] = await Promise.all(
      names.map(async (name) => {
        const bytes = await readFile(join(dir, name));
        return {
          name,
          webkitRelativePath: `tiny/${name}`,
          size: bytes.byteLength,
          arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
        };
      }),
    );
    const bundle = await loadBundle(files, { runtime });
    expect(bundle.id).toMatch(/^tiny@picked:tiny\/manifest\.json#/);
    expect((await bundle.generate(new Float32Array(8))).image.width).toBe(8);
    await bundle.release();
    await expect(
      loadBundle(
        files.filter((f) => f.name !== 'clip_text.onnx'),
        { runtime },
      ),
    ).rejects.toThrow(
      'bundle "tiny" (the picked files (tiny/manifest.json)): cannot read clip_text.onnx (the CLIP text tower): clip_text.onnx is not among the picked files',
    );
    await expect(
      loadBundle(
        files.filter((f) => f.name !== 'manifest.json'),
        { runtime },
      ),
    ).rejects.toThrow(/^the picked files have no manifest\.json/);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('user cancelled'));
    await expect(loadBundle(base, { loadBytes: fetchBytes, runtime, signal: controller.signal })).rejects.toThrow(
      'user cancelled',
    );
  });
});

describe('folder cache', () => {
  it('stores bytes by key in a folder and returns undefined for a miss', async () => {
    const root = await mkdtemp(join(tmpdir(), 'model-cache-'));
    const cache = await folderCache(root);
    expect(cache.description).toBe(root);
    expect(await cache.get('https://x.org/a.onnx')).toBeUndefined();
    await cache.put('https://x.org/a.onnx', Uint8Array.of(1, 2, 3));
    await cache.put('https://x.org/b.onnx', Uint8Array.of(9));
    expect(Array.from((await cache.get('https://x.org/a.onnx'))!)).toEqual([1, 2, 3]);
    expect(Array.from((await cache.get('https://x.org/b.onnx'))!)).toEqual([9]);
    const entries = await readdir(root);
    expect(entries).toHaveLength(2);
    expect(entries.every((e) => /^[0-9a-f]{32}-[ab]\.onnx$/.test(e))).toBe(true);
  });
});
