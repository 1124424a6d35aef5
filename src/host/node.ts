// The Node host (the CLI, scripts, tests): the engine with the plugin's catalogue and the Node
// services (files, public/, http(s), data: URLs, onnxruntime-node).
import { Engine } from '../engine/run/engine.js';
import { createNodeServices, type NodeServicesOptions } from '../engine/run/services-node.js';
import { catalogue } from '../nodes/registry.js';

export function createNodeEngine(options: NodeServicesOptions & { cacheBytes?: number } = {}): Engine {
  const { cacheBytes, ...services } = options;
  return new Engine({ registry: catalogue, services: createNodeServices(services), cacheBytes });
}
