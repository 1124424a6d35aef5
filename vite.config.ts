// The editor app: `npm start` serves index.html (src/ui) with the engine in a module worker.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const fromRoot = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: fromRoot('./'),
  publicDir: 'public',
  // Pre-bundle everything the pages import up front, so the dev server never discovers a new
  // dependency mid-session and reloads the page under a user (or a browser test).
  optimizeDeps: {
    entries: ['index.html', 'test/browser/host/index.html'],
    include: [
      'rete',
      'rete-area-plugin',
      'rete-connection-plugin',
      'rete-context-menu-plugin',
      'rete-dock-plugin',
      'rete-history-plugin',
      'rete-render-utils',
      '@retejs/lit-plugin',
      'lit',
      'lit/directives/live.js',
      'lit/directives/class-map.js',
      'lit/directives/style-map.js',
      'zod',
      'fast-png',
    ],
  },
  worker: { format: 'es' },
  server: { open: false },
  build: {
    outDir: 'dist/app',
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: { input: { app: fromRoot('./index.html') } },
  },
});
