// The library build (`npm run build`): src/index.ts as an ES module in dist/lib, with every
// dependency left external so a host's bundler resolves them once. Type declarations come from
// tsconfig.lib.json. The engine worker is emitted as its own chunk next to index.js.
import { defineConfig } from 'vite';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('./', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  dependencies?: Record<string, string>;
};
const dependencies = Object.keys(pkg.dependencies ?? {});
const isExternal = (id: string) =>
  id.startsWith('node:') || dependencies.some((dep) => id === dep || id.startsWith(`${dep}/`));

export default defineConfig({
  root,
  publicDir: false,
  worker: { format: 'es', rollupOptions: { external: isExternal } },
  build: {
    outDir: 'dist/lib',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    minify: false,
    lib: { entry: 'src/index.ts', formats: ['es'], fileName: 'index' },
    rollupOptions: { external: isExternal },
  },
});
