// The one chromium launcher and app server of the browser tests and the benchmarks: a vite dev
// server on 127.0.0.1 (WebGPU needs a secure context, and http://127.0.0.1 is one) and a headless
// Chromium driven by playwright-core. Which Chromium: CHROME_PATH, else the first one
// tools/setup/test-env.ts finds (npm test's pretest installs Debian's where none is).
import { createServer, type Plugin, type PluginOption, type ViteDevServer } from 'vite';
import { chromium, type Browser, type Page, type ConsoleMessage, type Locator } from 'playwright-core';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import path from 'node:path';
import { findChromium } from '../../tools/setup/test-env.js';
import { REPO_ROOT } from '../paths.js';

export { REPO_ROOT };

/** The browser launchChromium starts; undefined when none was found. */
export const CHROMIUM_PATH: string | undefined = findChromium();

/** Whether launchChromium has a browser to start (the benchmarks leave their browser rows out when not). */
export function chromiumAvailable(): boolean {
  return CHROMIUM_PATH !== undefined && existsSync(CHROMIUM_PATH);
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface Served {
  server: ViteDevServer;
  /** Base URL ending in '/', e.g. http://127.0.0.1:41234/ */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the app's vite dev server on a free port. Each test file passes its own `name` so
 * parallel files never share vite's dependency cache folder (two servers optimizing into the
 * same folder at once can corrupt it).
 */
export async function serveApp(
  name: string,
  options: {
    root?: string;
    configFile?: string | false;
    /** More vite plugins (a benchmark serves its bundle folder with one). */
    plugins?: PluginOption[];
    /** Pages vite scans for dependencies to pre-bundle (instead of index.html). */
    optimizeEntries?: string[];
  } = {},
): Promise<Served> {
  const root = options.root ?? REPO_ROOT;
  const configFile = options.configFile ?? path.join(REPO_ROOT, 'vite.config.ts');
  // vite reads `port: 0` as "use the default port", so ask the OS for a free one first.
  const port = await freePort();
  const server = await createServer({
    root,
    configFile,
    cacheDir: path.join(REPO_ROOT, 'node_modules', `.vite-test-${name}`),
    logLevel: 'error',
    clearScreen: false,
    ...(options.plugins ? { plugins: options.plugins } : {}),
    ...(options.optimizeEntries ? { optimizeDeps: { entries: options.optimizeEntries } } : {}),
    server: { host: '127.0.0.1', port, strictPort: true, open: false, hmr: false, watch: null },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('vite dev server did not report a TCP port');
  const url = `http://127.0.0.1:${address.port}/`;
  return { server, url, close: () => server.close() };
}

/**
 * A vite plugin that serves a folder outside the repository (a bundle built into a temp folder, a
 * package's sample photos) under `prefix` on the app's own origin, so a cross-origin isolated page
 * may fetch it. Files are sent with their length (the bundle loader's progress reads it); paths
 * that leave the folder, and files that are not there, fall through to vite.
 */
export function serveFolder(prefix: string, dir: string): Plugin {
  const folder = path.resolve(dir);
  return {
    name: `serve-folder${prefix}`,
    configureServer(server) {
      server.middlewares.use(prefix, (req, res, next) => {
        const file = path.normalize(path.join(folder, decodeURIComponent((req.url ?? '/').split('?')[0]!)));
        if (!file.startsWith(folder + path.sep) || !existsSync(file) || !statSync(file).isFile()) return next();
        res.setHeader('content-type', 'application/octet-stream');
        res.setHeader('content-length', statSync(file).size);
        res.setHeader('cross-origin-resource-policy', 'same-origin');
        createReadStream(file).pipe(res);
      });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new Error('could not find a free port'))));
    });
  });
}

export async function launchChromium(): Promise<Browser> {
  if (!chromiumAvailable()) {
    throw new Error(
      `${CHROMIUM_PATH ? `Chromium not found at ${CHROMIUM_PATH}` : 'no Chromium or Chrome found'}: run \`npm test\` (its pretest installs Debian's chromium), \`apt-get install -y chromium\`, or set CHROME_PATH`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** Collects uncaught page errors and console errors so a test can assert there were none. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return errors;
}

/** The middle of an element on the page. */
export async function centerOf(locator: Locator): Promise<{ x: number; y: number }> {
  const box = await locator.boundingBox();
  if (!box) throw new Error('element has no box (not visible)');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Presses on one socket and releases on another, moving in steps like a hand would. */
export async function dragWire(page: Page, from: Locator, to: Locator): Promise<void> {
  const a = await centerOf(from);
  const b = await centerOf(to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x, b.y, { steps: 5 });
  await page.mouse.up();
}

/** The node types the page's palette offers, sorted. */
export async function paletteTypes(page: Page): Promise<string[]> {
  const types = await page
    .locator('clip-pae-palette .slot')
    .evaluateAll((slots) => slots.map((s) => (s as HTMLElement).dataset.type ?? ''));
  return types.sort();
}
