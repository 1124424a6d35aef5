// No stale results: a node that reads a file or URL adds a fingerprint of what it read to its cache
// key, so a file changed between two runs of one engine is read again, and an unchanged one is not.
import { readFile, utimes, writeFile } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ImageValue } from '../../src/engine/graph/definition.js';
import { readUrl, urlFingerprint } from '../../src/engine/io/read.js';
import { Engine } from '../../src/engine/run/engine.js';
import type { EngineEvent } from '../../src/engine/run/events.js';
import { createNodeServices } from '../../src/engine/run/services-node.js';
import { encodePng } from '../../src/engine/tensor/png.js';
import { writeTinyBundle } from '../models/tiny-bundle.js';
import { captured, captureType, graph, testRegistry } from '../nodes/pipeline-helpers.js';

const signal = new AbortController().signal;

function flat(width: number, value: number): ImageValue {
  return { kind: 'image', width, height: 2, data: new Float32Array(width * 2 * 3).fill(value) };
}

function started(events: EngineEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'started' ? [e.node] : []));
}

afterEach(() => vi.unstubAllGlobals());

describe('Load Image', () => {
  it('reads an image edited on disk again on the next run, and only then', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rcp-fingerprint-'));
    const file = join(dir, 'face.png');
    await writeFile(file, encodePng(flat(2, 0)));
    const engine = new Engine({ registry: testRegistry, services: createNodeServices({ baseDir: dir }) });
    const doc = graph(
      [
        ['load', 'image/load', { source: 'face.png' }],
        ['seen', captureType('Image')],
      ],
      ['load.image > seen.value'],
    );
    const run = async () => {
      const events: EngineEvent[] = [];
      const summary = await engine.run(doc, { onEvent: (e) => events.push(e) });
      expect(summary.status).toBe('ok');
      return { started: started(events), image: captured.seen as ImageValue };
    };

    const first = await run();
    expect(first.started).toContain('load');
    expect(first.image.width).toBe(2);

    const same = await run();
    expect(same.started).not.toContain('load');

    await writeFile(file, encodePng(flat(3, 1)));
    const edited = await run();
    expect(edited.started).toContain('load');
    expect(edited.image.width).toBe(3);
    expect(edited.image.data[0]).toBe(1);

    // Same size, new content: the modification time tells.
    await writeFile(file, encodePng(flat(3, 0.5)));
    const later = new Date(Date.now() + 5000);
    await utimes(file, later, later);
    const touched = await run();
    expect(touched.started).toContain('load');
    expect(touched.image.data[0]).toBeCloseTo(0.5, 2);
  });
});

describe('Load Models', () => {
  it('loads a rebuilt bundle again on the next run', async () => {
    const dir = await writeTinyBundle();
    const manifestPath = join(dir, 'manifest.json');
    const engine = new Engine({ registry: testRegistry, services: createNodeServices() });
    const doc = graph(
      [
        ['models', 'models/load', { bundle: manifestPath }],
        ['seen', captureType('Models')],
      ],
      ['models.models > seen.value'],
    );
    const run = async () => {
      const events: EngineEvent[] = [];
      expect((await engine.run(doc, { onEvent: (e) => events.push(e) })).status).toBe('ok');
      return { started: started(events), name: (captured.seen as { bundle: { name: string } }).bundle.name };
    };
    expect(await run()).toEqual({ started: ['models', 'seen'], name: 'tiny' });
    expect((await run()).started).toEqual([]);

    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    manifest.name = 'tiny, rebuilt';
    await writeFile(manifestPath, JSON.stringify(manifest, null, 2));
    expect(await run()).toEqual({ started: ['models', 'seen'], name: 'tiny, rebuilt' });

    // A model file alone changing (same manifest) counts too.
    const later = new Date(Date.now() + 5000);
    await utimes(join(dir, 'generator.onnx'), later, later);
    expect((await run()).started).toEqual(['models', 'seen']);
  });
});

describe('URL fingerprints', () => {
  it("use the server's ETag or Last-Modified, else a hash of the body", async () => {
    const bodies: Record<string, Response> = {};
    const fetch = vi.fn(async (url: string, init?: RequestInit) => {
      const headers: Record<string, string> = {};
      if (url.endsWith('/etag')) headers.etag = '"v1"';
      if (url.endsWith('/dated')) headers['last-modified'] = 'Tue, 01 Dec 2026 10:00:00 GMT';
      return bodies[url] ?? new Response(init?.method === 'HEAD' ? null : 'body', { headers });
    });
    vi.stubGlobal('fetch', fetch);
    expect(await urlFingerprint('https://example.org/etag', signal)).toBe('etag:"v1"');
    expect(await urlFingerprint('https://example.org/dated', signal)).toBe('modified:Tue, 01 Dec 2026 10:00:00 GMT');
    const hashed = await urlFingerprint('https://example.org/plain', signal);
    expect(hashed).toMatch(/^sha256:[0-9a-f]{32}$/);
    expect((await readUrl('https://example.org/plain', { signal })).fingerprint).toBe(hashed);
    // Every request revalidates, so a changed file is never served from a stale HTTP cache.
    expect(fetch.mock.calls.every(([, init]) => init?.cache === 'no-cache')).toBe(true);
    const data = await urlFingerprint('data:,abc', signal);
    expect(data).toMatch(/^data:/);
    expect(await urlFingerprint('data:,abd', signal)).not.toBe(data);
  });
});
