// The engine's contract: signature cache (hits and misses after a param change), byte-bounded
// LRU, cancellation, error propagation without caching errors, cycles refused, targets.
import { beforeEach, describe, expect, it } from 'vitest';
import { defineNode } from '../../src/engine/graph/definition.js';
import type { GraphDocument } from '../../src/engine/graph/document.js';
import { NodeRegistry } from '../../src/engine/graph/registry.js';
import { Engine } from '../../src/engine/run/engine.js';
import { DocumentInvalidError, type EngineEvent } from '../../src/engine/run/events.js';
import { gate, gates, graph, noServices, registry, runs, testSockets } from './fixtures.js';

/** x=2, y=3 → add → sink, and z=10 → sink2 on a separate branch. */
function sums(x = 2, z = 10): GraphDocument {
  return graph(
    [
      ['x', 'test/number', { value: x }],
      ['y', 'test/number', { value: 3 }],
      ['add', 'test/add'],
      ['out', 'test/sink'],
      ['z', 'test/number', { value: z }],
      ['out2', 'test/sink'],
    ],
    ['x.value>add.a', 'y.value>add.b', 'add.sum>out.value', 'z.value>out2.value'],
  );
}

function recorder() {
  const events: EngineEvent[] = [];
  return {
    events,
    onEvent: (e: EngineEvent) => events.push(e),
    of: (type: EngineEvent['type']) => events.filter((e) => e.type === type),
  };
}

beforeEach(() => {
  for (const k of Object.keys(runs)) delete runs[k];
});

describe('Engine cache', () => {
  it('re-runs only the changed node and what depends on it', async () => {
    const engine = new Engine({ registry, services: noServices });
    const first = await engine.run(sums());
    expect(first.status).toBe('ok');
    expect(engine.stats).toEqual({ hits: 0, misses: 6 });

    const rec = recorder();
    await engine.run(sums(), { onEvent: rec.onEvent });
    expect(engine.stats).toEqual({ hits: 6, misses: 6 });
    expect(rec.of('started')).toEqual([]);
    expect(rec.of('done').every((e) => e.type === 'done' && e.cached)).toBe(true);

    const changed = recorder();
    const summary = await engine.run(sums(5), { onEvent: changed.onEvent });
    // x, add and out re-run; y, z and out2 come from the cache.
    expect(engine.stats).toEqual({ hits: 9, misses: 9 });
    expect(changed.of('started').map((e) => e.type === 'started' && e.node)).toEqual(['x', 'add', 'out']);
    expect(summary.nodes).toMatchObject({
      y: { cached: true },
      z: { cached: true },
      out2: { cached: true },
      x: { cached: false },
      out: { cached: false },
    });
    const out = changed.events.find((e) => e.type === 'done' && e.node === 'out');
    expect(out).toMatchObject({ outputs: { value: { kind: 'value', text: '= 8' } } });
    expect(runs['test/add']).toBe(2);
  });

  it('shares one result between identical nodes and ignores node ids and positions', async () => {
    const engine = new Engine({ registry, services: noServices });
    await engine.run(
      graph(
        [
          ['a', 'test/number', { value: 1 }],
          ['s', 'test/sink'],
        ],
        ['a.value>s.value'],
      ),
    );
    const moved = graph(
      [
        ['b', 'test/number', { value: 1 }],
        ['t', 'test/sink'],
      ],
      ['b.value>t.value'],
    );
    moved.nodes[0]!.position = [999, 999];
    await engine.run(moved);
    expect(engine.stats).toEqual({ hits: 2, misses: 2 });
  });

  it('replays the summaries and files of a cached node', async () => {
    const engine = new Engine({ registry, services: noServices });
    await engine.run(sums());
    const rec = recorder();
    const summary = await engine.run(sums(), { onEvent: rec.onEvent });
    expect(rec.of('file')).toHaveLength(2);
    expect(summary.files.map((f) => `${f.node}:${new TextDecoder().decode(f.file.bytes)}`).sort()).toEqual([
      'out2:10',
      'out:5',
    ]);
    expect(rec.events.find((e) => e.type === 'done' && e.node === 'out2')).toMatchObject({
      cached: true,
      outputs: { value: { text: '= 10' } },
    });
  });

  it('evicts the least recently used results once the byte bound is passed', async () => {
    // Each blob is 4000 bytes of floats: two fit under 10 000 bytes, three do not.
    const engine = new Engine({ registry, services: noServices, cacheBytes: 10_000 });
    const blob = (seed: number) =>
      graph(
        [
          ['b', 'test/blob', { n: 1000, seed }],
          ['s', 'test/blob-sink'],
        ],
        ['b.value>s.value'],
      );
    await engine.run(blob(1));
    await engine.run(blob(2));
    expect(engine.cachedBytes).toBeLessThanOrEqual(10_000);
    await engine.run(blob(1)); // hit: blob 1 becomes the most recent
    expect(runs['test/blob']).toBe(2);
    await engine.run(blob(3)); // evicts blob 2, the least recently used
    expect(engine.cachedBytes).toBeLessThanOrEqual(10_000);
    await engine.run(blob(1));
    expect(runs['test/blob']).toBe(3);
    await engine.run(blob(2));
    expect(runs['test/blob']).toBe(4);
  });

  it('still runs a result too large for the cache, without keeping it', async () => {
    const engine = new Engine({ registry, services: noServices, cacheBytes: 1000 });
    const doc = graph(
      [
        ['b', 'test/blob', { n: 1000 }],
        ['s', 'test/blob-sink'],
      ],
      ['b.value>s.value'],
    );
    expect((await engine.run(doc)).status).toBe('ok');
    await engine.run(doc);
    expect(runs['test/blob']).toBe(2);
    expect(engine.cachedBytes).toBeLessThanOrEqual(1000);
  });

  it('forgets everything on clearCache', async () => {
    const engine = new Engine({ registry, services: noServices });
    await engine.run(sums());
    engine.clearCache();
    await engine.run(sums());
    expect(engine.stats).toEqual({ hits: 0, misses: 12 });
  });
});

describe('Engine errors', () => {
  const failing = () =>
    graph(
      [
        ['x', 'test/number', { value: 1 }],
        ['bad', 'test/fail'],
        ['add', 'test/add'],
        ['out', 'test/sink'],
        ['z', 'test/number', { value: 7 }],
        ['out2', 'test/sink'],
      ],
      ['x.value>bad.value', 'bad.value>add.a', 'add.sum>out.value', 'z.value>out2.value'],
    );

  it('marks the failing node, skips its dependents and finishes the other branches', async () => {
    const engine = new Engine({ registry, services: noServices });
    const rec = recorder();
    const summary = await engine.run(failing(), { onEvent: rec.onEvent });
    expect(summary.status).toBe('failed');
    expect(rec.of('error')).toEqual([{ type: 'error', node: 'bad', message: 'broken on purpose' }]);
    expect(rec.of('skipped')).toEqual([
      { type: 'skipped', node: 'add', because: "input 'a' needs 'bad', which failed" },
      { type: 'skipped', node: 'out', because: "input 'value' needs 'add', which was skipped" },
    ]);
    expect(summary.nodes).toMatchObject({
      bad: { status: 'error' },
      add: { status: 'skipped' },
      out2: { status: 'done' },
    });
  });

  it('never caches an error', async () => {
    const engine = new Engine({ registry, services: noServices });
    await engine.run(failing());
    await engine.run(failing());
    expect(runs['test/fail']).toBe(2);
    // First run: x, bad, z, out2 missed. Second: x, z, out2 hit; bad failed again as a miss.
    expect(engine.stats).toEqual({ hits: 3, misses: 5 });
  });

  it('reports an unconnected required input and a missing output as node errors', async () => {
    const engine = new Engine({ registry, services: noServices });
    const rec = recorder();
    const summary = await engine.run(
      graph(
        [
          ['s', 'test/sink'],
          ['f', 'test/forgetful'],
          ['s2', 'test/sink'],
        ],
        ['f.value>s2.value'],
      ),
      { onEvent: rec.onEvent },
    );
    expect(summary.status).toBe('failed');
    expect(rec.of('error')).toEqual([
      { type: 'error', node: 's', message: "input 'value' is not connected" },
      { type: 'error', node: 'f', message: "Forgetful did not produce its output 'value'" },
    ]);
  });

  it('runs a node whose optional input is left open', async () => {
    const engine = new Engine({ registry, services: noServices });
    const rec = recorder();
    await engine.run(
      graph(
        [
          ['x', 'test/number', { value: 4 }],
          ['add', 'test/add'],
          ['s', 'test/sink'],
        ],
        ['x.value>add.a', 'add.sum>s.value'],
      ),
      {
        onEvent: rec.onEvent,
      },
    );
    expect(rec.events.find((e) => e.type === 'done' && e.node === 's')).toMatchObject({
      outputs: { value: { text: '= 4' } },
    });
  });

  it('refuses a cycle without running anything', async () => {
    const engine = new Engine({ registry, services: noServices });
    const cyclic = graph(
      [
        ['a', 'test/add'],
        ['b', 'test/add'],
        ['s', 'test/sink'],
      ],
      ['a.sum>b.a', 'b.sum>a.a', 'b.sum>s.value'],
    );
    const error = await engine.run(cyclic).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DocumentInvalidError);
    expect((error as DocumentInvalidError).errors).toEqual([
      { path: 'connections[1]', message: 'closes a cycle: b → a → b' },
    ]);
    expect(runs['test/add']).toBeUndefined();
    // The engine is still usable.
    expect((await engine.run(sums())).status).toBe('ok');
  });

  it('refuses an unknown target', async () => {
    const engine = new Engine({ registry, services: noServices });
    await expect(engine.run(sums(), { targets: ['nope'] })).rejects.toThrow('no node with that id');
  });

  it('runs only what the targets need', async () => {
    const engine = new Engine({ registry, services: noServices });
    const summary = await engine.run(sums(), { targets: ['add'] });
    expect(Object.keys(summary.nodes).sort()).toEqual(['add', 'x', 'y']);
  });
});

describe('Engine cancellation', () => {
  const chain = () =>
    graph(
      [
        ['x', 'test/number', { value: 1 }],
        ['slow', 'test/slow'],
        ['out', 'test/sink'],
      ],
      ['x.value>slow.value', 'slow.value>out.value'],
    );

  it('stops mid-run, caches only finished nodes and stays usable', async () => {
    const engine = new Engine({ registry, services: noServices });
    gates.slow = gate();
    const controller = new AbortController();
    const rec = recorder();
    const running = engine.run(chain(), {
      signal: controller.signal,
      onEvent: (e) => {
        rec.onEvent(e);
        if (e.type === 'progress' && e.node === 'slow') controller.abort();
      },
    });
    const summary = await running;
    expect(summary.status).toBe('cancelled');
    expect(summary.nodes).toEqual({
      x: { status: 'done', ms: expect.any(Number), cached: false },
      slow: { status: 'cancelled' },
      out: { status: 'cancelled' },
    });
    expect(rec.of('cancelled')).toHaveLength(1);
    expect(rec.of('error')).toEqual([]);
    expect(runs['test/sink']).toBeUndefined();

    gates.slow.open();
    const again = await engine.run(chain());
    expect(again.status).toBe('ok');
    expect(again.nodes).toMatchObject({ x: { cached: true }, slow: { cached: false }, out: { cached: false } });
    expect(runs['test/slow']).toBe(2);
  });

  it('returns at once from a node that ignores the signal, and drops its late events', async () => {
    const engine = new Engine({ registry, services: noServices });
    gates.stubborn = gate();
    const controller = new AbortController();
    const rec = recorder();
    const doc = graph(
      [
        ['x', 'test/number'],
        ['st', 'test/stubborn'],
        ['out', 'test/sink'],
      ],
      ['x.value>st.value', 'st.value>out.value'],
    );
    const running = engine.run(doc, {
      signal: controller.signal,
      onEvent: (e) => {
        rec.onEvent(e);
        if (e.type === 'started' && e.node === 'st') queueMicrotask(() => controller.abort());
      },
    });
    expect((await running).status).toBe('cancelled');
    gates.stubborn.open();
    await new Promise((r) => setTimeout(r, 0));
    expect(rec.of('progress')).toEqual([]);
    expect(rec.of('done').map((e) => e.type === 'done' && e.node)).toEqual(['x']);
  });

  it('does nothing for a run cancelled before it starts', async () => {
    const engine = new Engine({ registry, services: noServices });
    const controller = new AbortController();
    controller.abort();
    const summary = await engine.run(sums(), { signal: controller.signal });
    expect(summary.status).toBe('cancelled');
    expect(engine.stats).toEqual({ hits: 0, misses: 0 });
  });

  it('lets runs take turns', async () => {
    const engine = new Engine({ registry, services: noServices });
    const [a, b] = await Promise.all([engine.run(sums()), engine.run(sums())]);
    expect(a.status).toBe('ok');
    expect(Object.values(b.nodes).every((n) => n.status === 'done' && n.cached)).toBe(true);
  });
});

describe('params fed by inputs', () => {
  /** a → b.value: b's param comes from a's output, whatever b stores. */
  const fed = (a: number, stored = 0) =>
    graph(
      [
        ['a', 'test/number', { value: a }],
        ['b', 'test/number', { value: stored }],
        ['out', 'test/sink'],
      ],
      ['a.value>b.value', 'b.value>out.value'],
    );

  it('use the connected value instead of the stored one, keyed by the input', async () => {
    const engine = new Engine({ registry, services: noServices });
    const rec = recorder();
    await engine.run(fed(7, 1), { onEvent: rec.onEvent });
    expect(rec.events.find((e) => e.type === 'done' && e.node === 'out')).toMatchObject({
      outputs: { value: { text: '= 7' } },
    });
    // The stored value of a fed param plays no part in the key: changing it re-runs nothing.
    const again = recorder();
    await engine.run(fed(7, 99), { onEvent: again.onEvent });
    expect(again.of('started')).toEqual([]);
    // A new upstream value re-runs the fed node.
    const changed = recorder();
    await engine.run(fed(8, 99), { onEvent: changed.onEvent });
    expect(changed.of('started').map((e) => e.type === 'started' && e.node)).toEqual(['a', 'b', 'out']);
  });

  it("check the fed value with the param's own rules", async () => {
    const engine = new Engine({ registry, services: noServices });
    const doc = graph(
      [
        ['a', 'test/number', { value: 2.5 }],
        ['blob', 'test/blob'],
        ['sink', 'test/blob-sink'],
      ],
      ['a.value>blob.n', 'blob.value>sink.value'],
    );
    const rec = recorder();
    const summary = await engine.run(doc, { onEvent: rec.onEvent });
    expect(summary.nodes.blob).toEqual({
      status: 'error',
      message: "Blob 'blob': param 'n', fed by its input: expected a whole number, got 2.5",
    });
    expect(summary.nodes.sink).toMatchObject({ status: 'skipped' });
  });
});

describe('values at the boundary', () => {
  it("are checked with the input's socket type before run, naming node, input and problem", async () => {
    const liar = defineNode({
      type: 'test/liar',
      title: 'Liar',
      category: 'Test',
      help: 'Says it outputs a number.',
      inputs: {},
      outputs: { value: { type: 'Number' } },
      params: {},
      async run() {
        return { value: 'three' as unknown as number };
      },
    });
    const engine = new Engine({
      registry: new NodeRegistry([{ sockets: testSockets, nodes: [...registry.list(), liar] }]),
      services: noServices,
    });
    const summary = await engine.run(
      graph(
        [
          ['liar', 'test/liar'],
          ['add', 'test/add'],
          ['out', 'test/sink'],
        ],
        ['liar.value>add.a', 'add.sum>out.value'],
      ),
    );
    expect(summary.nodes.add).toEqual({
      status: 'error',
      message: "Add 'add': input 'a' (Number) expected a number, got string",
    });
    expect(runs['test/add']).toBeUndefined();
  });
});
