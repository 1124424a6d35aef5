// The editor app: `npm start` serves index.html (src/ui) with the engine in a module worker.
import { defineConfig } from 'vite';
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const fromRoot = (p: string) => fileURLToPath(new URL(p, import.meta.url));

const modules = fromRoot('./node_modules');

// Cross-origin isolation: onnxruntime-web runs wasm on every core only where SharedArrayBuffer
// exists, which browsers allow only in isolated pages. Static hosts need the same two headers
// (public/_headers, and the README's "Hosting" section).
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: fromRoot('./'),
  publicDir: 'public',
  // Pre-bundle everything the pages import up front, so the dev server never discovers a new
  // dependency mid-session and reloads the page under a user (or a browser test).
  optimizeDeps: {
    // The scanner does not follow `new Worker(new URL(…))`, so the worker is an entry of its own.
    entries: ['index.html', 'test/browser/**/*.html', 'src/host/worker.ts'],
    include: [
      'rete',
      'rete-area-plugin',
      'rete-connection-plugin',
      'rete-context-menu-plugin',
      'rete-dock-plugin',
      'rete-history-plugin',
      'rete-comment-plugin',
      'rete-connection-reroute-plugin',
      'rete-minimap-plugin',
      'rete-auto-arrange-plugin',
      'elkjs',
      'rete-render-utils',
      '@retejs/lit-plugin',
      'lit',
      'lit/directives/live.js',
      'lit/directives/class-map.js',
      'lit/directives/style-map.js',
      'zod',
      'fast-png',
      '@bufbuild/protobuf',
      'onnx-buf',
      '@huggingface/tokenizers',
    ],
    // onnxruntime-web finds its .wasm next to its own module (new URL(…, import.meta.url)); a
    // pre-bundled copy in .vite/deps would look for it there and get the HTML fallback instead.
    exclude: ['onnxruntime-web'],
  },
  worker: { format: 'es' },
  server: {
    open: false,
    headers: ISOLATION_HEADERS,
    // onnxruntime-web's .wasm is fetched by URL from its package folder; a node_modules that is a
    // link to another folder (a shared install) must be served too, and so may the folders named
    // in VITE_FS_ALLOW (comma-separated).
    fs: {
      allow: [
        fromRoot('./'),
        ...(existsSync(modules) ? [realpathSync(modules)] : []),
        ...(process.env.VITE_FS_ALLOW ?? '').split(',').filter((p) => p !== ''),
      ],
    },
  },
  preview: { headers: ISOLATION_HEADERS },
  build: {
    // The app carries the whole node catalogue (definitions with their run code) for its palette.
    chunkSizeWarningLimit: 1024,
    outDir: 'dist/app',
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: { input: { app: fromRoot('./index.html') } },
  },
});
