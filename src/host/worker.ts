// The engine's Web Worker entry: the whole graph runs here, so the page never freezes during a
// long run. It binds the plugin's catalogue to the browser services; the engine itself knows no
// node. Start it with `new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' })`
// and talk to it through EngineClient.
import { Engine } from '../engine/run/engine.js';
import { createBrowserServices, defaultAppBase } from '../engine/run/services-browser.js';
import { serveEngine } from '../engine/run/worker-host.js';
import type { MessageEndpoint } from '../engine/run/worker-protocol.js';
import { catalogue } from '../nodes/registry.js';

let base = defaultAppBase();
const services = createBrowserServices({
  get base() {
    return base;
  },
});
const engine = new Engine({ registry: catalogue, services });

serveEngine(self as unknown as MessageEndpoint, engine, {
  onConfigure: (next) => {
    base = next;
  },
});
