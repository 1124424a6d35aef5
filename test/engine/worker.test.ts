// The worker protocol end to end over a real MessageChannel: the same serveEngine the Web Worker
// runs, and the EngineClient the page uses.
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/run/engine.js';
import type { EngineEvent } from '../../src/engine/run/events.js';
import { EngineClient, RunFailedError } from '../../src/engine/run/worker-client.js';
import { serveEngine } from '../../src/engine/run/worker-host.js';
import type { MessageEndpoint } from '../../src/engine/run/worker-protocol.js';
import { gate, gates, graph, noServices, registry } from './fixtures.js';

const channels: MessageChannel[] = [];
afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

function connect(options: { onConfigure?: (base: string) => void } = {}) {
  const channel = new MessageChannel();
  channels.push(channel);
  const engine = new Engine({ registry, services: noServices });
  serveEngine(channel.port2 as unknown as MessageEndpoint, engine, options);
  channel.port2.start();
  const client = new EngineClient(channel.port1 as unknown as MessageEndpoint, { base: 'https://example.org/app/' });
  channel.port1.start();
  return { engine, client };
}

const doc = () =>
  graph(
    [
      ['x', 'test/number', { value: 2 }],
      ['slow', 'test/slow'],
      ['out', 'test/sink'],
    ],
    ['x.value>slow.value', 'slow.value>out.value'],
  );

describe('EngineClient ↔ serveEngine', () => {
  it('forwards events without their run id and resolves with the summary', async () => {
    const { client } = connect();
    gates.slow = gate();
    gates.slow.open();
    const events: EngineEvent[] = [];
    const summary = await client.run(doc(), { onEvent: (e) => events.push(e) }).done;
    expect(summary.status).toBe('ok');
    expect(events.map((e) => `${e.type}:${'node' in e ? e.node : ''}`)).toEqual([
      'started:x',
      'done:x',
      'started:slow',
      'progress:slow',
      'done:slow',
      'started:out',
      'file:out',
      'done:out',
    ]);
    expect(events.every((e) => !('runId' in e))).toBe(true);
    const file = events.find((e) => e.type === 'file');
    expect(file?.type === 'file' && file.file.bytes).toBeInstanceOf(Uint8Array);
  });

  it('cancels a run from the page', async () => {
    const { client } = connect();
    gates.slow = gate();
    let cancel = () => {};
    const run = client.run(doc(), { onEvent: (e) => e.type === 'progress' && cancel() });
    cancel = run.cancel;
    const summary = await run.done;
    expect(summary.status).toBe('cancelled');
    expect(summary.nodes.slow).toEqual({ status: 'cancelled' });
  });

  it('rejects with the document errors when the graph is invalid', async () => {
    const { client } = connect();
    const bad = doc();
    bad.connections[0]!.to.input = 'nope';
    const error = await client.run(bad).done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunFailedError);
    expect((error as RunFailedError).errors.map((e) => e.path)).toEqual(['connections[0].to.input']);
  });

  it('passes the app base and clears the cache on request', async () => {
    let base = '';
    const { client, engine } = connect({ onConfigure: (b) => (base = b) });
    gates.slow = gate();
    gates.slow.open();
    await client.run(doc()).done;
    expect(base).toBe('https://example.org/app/');
    client.clearCache();
    await client.run(doc()).done;
    expect(engine.stats).toEqual({ hits: 0, misses: 6 });
  });
});
