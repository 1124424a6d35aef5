// Where downloaded model files are kept between visits: Cache Storage in the browser, a folder in
// Node (~/.cache/rete-clip-pae by default). Entries are keyed by URL; the loader appends the
// manifest's digest so a rebuilt bundle at the same URL is fetched again.

export interface BundleCache {
  /** Shown to the user, e.g. "Cache Storage rete-clip-pae-models" or the folder path. */
  readonly description: string;
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
}

/** A cache in memory, for tests and one-off tools. */
export function memoryCache(): BundleCache & { readonly keys: string[] } {
  const entries = new Map<string, Uint8Array>();
  return {
    description: 'memory',
    get keys() {
      return [...entries.keys()];
    },
    async get(key) {
      return entries.get(key)?.slice();
    },
    async put(key, bytes) {
      entries.set(key, bytes.slice());
    },
  };
}

interface CacheStorageLike {
  open(name: string): Promise<{
    match(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | undefined>;
    put(key: string, response: unknown): Promise<void>;
  }>;
}

/** Cache Storage (browser and worker; needs a secure context). */
export async function browserCache(name = 'rete-clip-pae-models'): Promise<BundleCache> {
  const storage = (globalThis as { caches?: CacheStorageLike }).caches;
  if (!storage)
    throw new Error('Cache Storage is not available here (it needs a secure context: https or http://127.0.0.1)');
  const cache = await storage.open(name);
  return {
    description: `Cache Storage "${name}"`,
    async get(key) {
      const hit = await cache.match(key);
      return hit ? new Uint8Array(await hit.arrayBuffer()) : undefined;
    },
    async put(key, bytes) {
      // The Response takes its own copy of the bytes; no second one here (models are hundreds of MB).
      await cache.put(
        key,
        new Response(bytes as Uint8Array<ArrayBuffer>, {
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.byteLength) },
        }),
      );
    },
  };
}

/** The cache this host keeps model files in: a folder in Node, Cache Storage in the browser, none where neither works. */
export async function defaultCache(options: { dir?: string } = {}): Promise<BundleCache | undefined> {
  const isNode =
    typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
  if (isNode && typeof (globalThis as { window?: unknown }).window === 'undefined') {
    const { folderCache } = await import('./cache-node.js');
    return folderCache(options.dir);
  }
  try {
    return await browserCache();
  } catch {
    return undefined;
  }
}
