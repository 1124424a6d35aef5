// Where loadBytes looks: data: URLs, files beside the graph, the app's public/ folder, http(s).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeDataUrl } from '../../src/engine/io/data-url.js';
import { createBrowserServices } from '../../src/engine/run/services-browser.js';
import { createNodeServices, PUBLIC_DIR } from '../../src/engine/run/services-node.js';

const signal = new AbortController().signal;
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

afterEach(() => vi.unstubAllGlobals());

describe('data: URLs', () => {
  it('decodes base64 and percent-encoded data', () => {
    expect(text(decodeDataUrl('data:text/plain;base64,aGVsbG8='))).toBe('hello');
    expect(text(decodeDataUrl('data:,a%20b'))).toBe('a b');
    expect(() => decodeDataUrl('data:image/png;base64,***')).toThrow('not valid base64');
    expect(() => decodeDataUrl('data:nocomma')).toThrow('not a data: URL');
  });
});

describe('Node services', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rcp-services-'));
  writeFileSync(join(dir, 'local.txt'), 'beside the graph');

  it('reads paths beside the graph first, then app URLs from public/', async () => {
    const services = createNodeServices({ baseDir: dir });
    expect(text(await services.loadBytes('local.txt', signal))).toBe('beside the graph');
    expect(text(await services.loadBytes(join(dir, 'local.txt'), signal))).toBe('beside the graph');
    const pattern = await services.loadBytes('images/test-pattern.png?v=2', signal);
    expect(Array.from(pattern.subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]);
    expect(PUBLIC_DIR.endsWith('public/')).toBe(true);
  });

  it('names where it looked for a missing file', async () => {
    const services = createNodeServices({ baseDir: dir, publicDir: join(dir, 'public') });
    await expect(services.loadBytes('missing.png', signal)).rejects.toThrow(
      `cannot read 'missing.png': no such file (looked in ${join(dir, 'missing.png')} and ${join(dir, 'public', 'missing.png')})`,
    );
    await expect(services.loadBytes('ftp://host/x.png', signal)).rejects.toThrow('only file paths');
  });

  it('downloads http(s) URLs and reports HTTP errors', async () => {
    const fetch = vi.fn(async (url: string) =>
      url.endsWith('ok') ? new Response('remote') : new Response('', { status: 404, statusText: 'Not Found' }),
    );
    vi.stubGlobal('fetch', fetch);
    const services = createNodeServices();
    expect(text(await services.loadBytes('https://example.org/ok', signal))).toBe('remote');
    await expect(services.loadBytes('https://example.org/gone', signal)).rejects.toThrow('HTTP 404 Not Found');
  });

  it('carries extra services by key', () => {
    const models = { load: () => 'bundle' };
    expect(createNodeServices({ extra: { models } }).models).toBe(models);
  });
});

describe('browser services', () => {
  it('resolves relative URLs against the app base and decodes data: URLs without fetching', async () => {
    const fetch = vi.fn(async (_url: string) => new Response('model bytes'));
    vi.stubGlobal('fetch', fetch);
    const services = createBrowserServices({ base: 'https://example.org/app/' });
    expect(text(await services.loadBytes('models/demo/manifest.json', signal))).toBe('model bytes');
    expect(fetch.mock.calls[0]![0]).toBe('https://example.org/app/models/demo/manifest.json');
    expect(text(await services.loadBytes('data:,x', signal))).toBe('x');
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('reports download progress as the body arrives', async () => {
    const chunks = [new Uint8Array(3), new Uint8Array(5)];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of chunks) controller.enqueue(c);
        controller.close();
      },
    });
    vi.stubGlobal('fetch', async () => new Response(body, { headers: { 'content-length': '8' } }));
    const seen: [number, number | undefined][] = [];
    const bytes = await createBrowserServices({ base: 'https://example.org/' }).loadBytes(
      'big.onnx',
      signal,
      (loaded, total) => seen.push([loaded, total]),
    );
    expect(bytes.byteLength).toBe(8);
    expect(seen).toEqual([
      [3, 8],
      [8, 8],
    ]);
  });
});
