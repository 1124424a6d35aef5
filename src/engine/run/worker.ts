// The engine's Web Worker entry: the whole graph runs here, so the page never freezes during a
// long run. Start it with `new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' })`
// and talk to it through EngineClient.
import { catalogue } from '../../nodes/registry.js';
import { Engine } from './engine.js';
import { createBrowserServices, defaultAppBase } from './services-browser.js';
import { serveEngine } from './worker-host.js';
import type { MessageEndpoint } from './worker-protocol.js';

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
