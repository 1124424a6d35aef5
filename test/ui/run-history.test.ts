// The run history over an in-memory backend: newest first, bounded, cleared, images kept small.
import { describe, expect, it } from 'vitest';
import type { ImageValue } from '../../src/engine/graph/definition.js';
import {
  entryImages,
  type HistoryBackend,
  type HistoryEntry,
  packImage,
  packSummaries,
  RunHistory,
  STORED_IMAGE_SIDE,
  unpackImage,
  unpackSummaries,
} from '../../src/ui/run-history.js';

function memoryBackend(): HistoryBackend & { rows: Map<string, HistoryEntry> } {
  const rows = new Map<string, HistoryEntry>();
  return {
    rows,
    all: async () => [...rows.values()].map((e) => structuredClone(e)),
    put: async (e) => void rows.set(e.id, structuredClone(e)),
    delete: async (ids) => {
      for (const id of ids) rows.delete(id);
    },
    clear: async () => rows.clear(),
  };
}

function entry(id: string, finishedAt: number): HistoryEntry {
  return {
    id,
    startedAt: finishedAt - 5,
    finishedAt,
    ms: 5,
    status: 'ok',
    title: '',
    doc: { format: 'rete-clip-pae/graph', version: 2, nodes: [], connections: [] } as never,
    nodes: {},
    outputs: {},
  };
}

function gradient(width: number, height: number): ImageValue {
  const plane = width * height;
  const data = new Float32Array(plane * 3);
  for (let i = 0; i < plane; i++) {
    data[i] = (i % width) / (width - 1);
    data[plane + i] = Math.floor(i / width) / (height - 1);
    data[2 * plane + i] = 0.5;
  }
  return { kind: 'image', width, height, data };
}

describe('run history', () => {
  it('lists newest first and keeps only the last `limit` runs', async () => {
    const backend = memoryBackend();
    const history = new RunHistory(backend, 3);
    for (let i = 1; i <= 5; i++) await history.add(entry(`r${i}`, i * 100));
    expect((await history.list()).map((e) => e.id)).toEqual(['r5', 'r4', 'r3']);
    expect([...backend.rows.keys()].sort()).toEqual(['r3', 'r4', 'r5']);
    expect((await history.get('r4'))?.finishedAt).toBe(400);
    expect(await history.get('r1')).toBeUndefined();
  });

  it('clears everything', async () => {
    const history = new RunHistory(memoryBackend());
    await history.add(entry('a', 1));
    await history.clear();
    expect(await history.list()).toEqual([]);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new RunHistory(memoryBackend(), 0)).toThrow(/positive integer, got 0/);
  });

  it('passes on a backend that refuses to store', async () => {
    const backend = memoryBackend();
    backend.put = async () => {
      throw new Error('quota exceeded');
    };
    await expect(new RunHistory(backend).add(entry('a', 1))).rejects.toThrow('quota exceeded');
  });

  it('keeps images as small 8-bit RGB and brings them back close to what they were', () => {
    const big = gradient(512, 256);
    const packed = packImage(big);
    expect([packed.width, packed.height]).toEqual([STORED_IMAGE_SIDE, STORED_IMAGE_SIDE / 2]);
    expect(packed.rgb.length).toBe(STORED_IMAGE_SIDE * (STORED_IMAGE_SIDE / 2) * 3);
    const small = gradient(4, 2);
    const back = unpackImage(packImage(small));
    expect(back.width).toBe(4);
    for (let i = 0; i < small.data.length; i++) expect(Math.abs(back.data[i]! - small.data[i]!)).toBeLessThan(1 / 255);
    expect(() => unpackImage({ kind: 'image', width: 2, height: 2, rgb: new Uint8Array(3) })).toThrow(/expected 12/);
  });

  it('packs a node’s summaries (values unchanged) and lists the images of an entry for thumbnails', () => {
    const summaries = packSummaries({
      image: { kind: 'image', image: gradient(4, 2) },
      size: { kind: 'value', text: '4 × 2' },
    });
    expect(summaries.size).toEqual({ kind: 'value', text: '4 × 2' });
    const restored = unpackSummaries(summaries);
    expect(restored.image).toMatchObject({ kind: 'image', image: { width: 4, height: 2 } });
    const e = { ...entry('a', 1), outputs: { p: summaries } };
    expect(entryImages(e).map((i) => [i.node, i.output])).toEqual([['p', 'image']]);
  });
});
