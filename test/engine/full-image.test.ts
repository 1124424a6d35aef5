// Full-size images of cached results: a done event names its result's key, and the engine hands
// back what a node showed or output at full size (the events carry ≤ 256 px copies), through the
// worker protocol too, until the result leaves the cache.
import { describe, expect, it } from 'vitest';
import type { GraphDocument } from '../../src/engine/graph/document.js';
import { Engine } from '../../src/engine/run/engine.js';
import type { EngineEvent } from '../../src/engine/run/events.js';
import { createNodeServices } from '../../src/engine/run/services-node.js';
import { EngineClient } from '../../src/engine/run/worker-client.js';
import { serveEngine } from '../../src/engine/run/worker-host.js';
import type { MessageEndpoint } from '../../src/engine/run/worker-protocol.js';
import { catalogue } from '../../src/nodes/registry.js';

const doc = {
  format: 'rete-clip-pae/graph',
  version: 2,
  nodes: [
    { id: 'load', type: 'image/load', position: [0, 0], params: { source: 'images/test-pattern.png' } },
    { id: 'cmp', type: 'output/compare', position: [300, 0], params: {} },
  ],
  connections: [
    { from: { node: 'load', output: 'image' }, to: { node: 'cmp', input: 'before' } },
    { from: { node: 'load', output: 'image' }, to: { node: 'cmp', input: 'after' } },
  ],
} as GraphDocument;

function keysOf(events: EngineEvent[]): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const e of events) if (e.type === 'done' && e.key) keys[e.node] = e.key;
  return keys;
}

describe('full-size images', () => {
  it('hands back an output and a shown image at full size by the key of the done event', async () => {
    const engine = new Engine({ registry: catalogue, services: createNodeServices() });
    const events: EngineEvent[] = [];
    await engine.run(doc, { onEvent: (e) => events.push(e) });
    const keys = keysOf(events);
    const done = events.find((e) => e.type === 'done' && e.node === 'load');
    expect(done?.type === 'done' && done.outputs.image?.kind === 'image' && done.outputs.image.image.width).toBe(256);
    expect(engine.fullImage(keys.load!, 'image')).toMatchObject({ width: 320, height: 240 });
    // Compare shows the side-by-side picture (two 320 px images and the 4 px gap) under 'comparison'.
    expect(engine.fullImage(keys.cmp!, 'comparison')).toMatchObject({ width: 644, height: 240 });
    expect(engine.fullImage(keys.cmp!, 'image')).toMatchObject({ width: 644, height: 240 });
    expect(engine.fullImage(keys.load!, 'nothing')).toBeUndefined();
    // A cache hit reports the same key.
    const again: EngineEvent[] = [];
    await engine.run(doc, { onEvent: (e) => again.push(e) });
    expect(keysOf(again)).toEqual(keys);
    engine.clearCache();
    expect(engine.fullImage(keys.load!, 'image')).toBeUndefined();
  });

  it('answers full-image requests through the worker protocol', async () => {
    const engine = new Engine({ registry: catalogue, services: createNodeServices() });
    const { port1, port2 } = new MessageChannel();
    const stop = serveEngine(port2 as unknown as MessageEndpoint, engine);
    port1.start();
    port2.start();
    const client = new EngineClient(port1 as unknown as MessageEndpoint);
    const events: EngineEvent[] = [];
    await client.run(doc, { onEvent: (e) => events.push(e) }).done;
    const key = keysOf(events).load!;
    expect(await client.fullImage(key, 'image')).toMatchObject({ width: 320, height: 240 });
    expect(await client.fullImage('no-such-key', 'image')).toBeUndefined();
    client.dispose();
    stop();
    port1.close();
  });
});
