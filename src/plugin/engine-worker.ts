// Starts the engine's Web Worker. Bundlers (vite, webpack 5, esbuild with a plugin) recognise this
// `new Worker(new URL(…, import.meta.url))` form and ship the worker with the host's build.
export function createEngineWorker(): Worker {
  return new Worker(new URL('../host/worker.ts', import.meta.url), {
    type: 'module',
    name: 'rete-clip-pae engine',
  });
}
