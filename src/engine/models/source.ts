// Where a bundle's bytes come from: a URL or path (the app's public/ folder, a server, a local
// folder in the CLI, a folder kept in the browser as folder:<name>/…) read through the host's loadBytes and the cache, or files the user picked.
// Files are fetched in parallel so every size is known early and the progress total is honest.
import { readUrl, sha256Hex } from '../io/read.js';
import type { BundleCache } from './cache.js';
import { isFolderSource, resolveFolderFile } from './folders.js';

/** Reads one URL or path; reports its own progress when it can (total undefined when unknown). */
export type LoadBytes = (
  url: string,
  signal: AbortSignal,
  onProgress?: (loaded: number, total: number | undefined) => void,
) => Promise<Uint8Array>;

/** What a file input or a drop gives: File objects, or anything shaped like them. */
export interface FileLike {
  name: string;
  /** Set by <input webkitdirectory>: "demo/onnx/generator.onnx". */
  webkitRelativePath?: string;
  size?: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export type BundleSource = string | ArrayLike<FileLike>;

export type ProgressCallback = (loadedBytes: number, totalBytes: number, file: string) => void;

/** The bundle's files once the manifest is known. */
export interface BundleReader {
  /** Names the bundle's origin in messages: the manifest URL or "the picked files". */
  readonly where: string;
  readonly manifestBytes: Uint8Array;
  /** Reads a file named relative to the manifest. */
  read(file: string, onProgress: (loaded: number, total: number | undefined) => void): Promise<Uint8Array>;
  /** A stable key for this exact bundle (origin + manifest digest). */
  readonly digest: string;
  /** What went wrong without failing the load so far (a cache that refused a file), one line each. */
  readonly warnings: readonly string[];
  /** The cache this bundle's files go through, when they do (remote bundles only). */
  readonly cache?: BundleCache;
}

export interface OpenOptions {
  loadBytes?: LoadBytes;
  cache?: BundleCache;
  signal: AbortSignal;
  /** Part of every cache key (see LoadBundleOptions.version). */
  version?: string;
}

function isFileList(source: BundleSource): source is ArrayLike<FileLike> {
  return typeof source !== 'string';
}

/** The manifest URL for a bundle folder or manifest path. */
export function manifestUrl(source: string): string {
  if (/\.json([?#].*)?$/i.test(source)) return source;
  return source.endsWith('/') ? `${source}manifest.json` : `${source}/manifest.json`;
}

/** Resolves `file` against the manifest's location; absolute URLs go through URL, paths are joined. */
export function resolveFile(manifest: string, file: string): string {
  // A kept folder's URL has no host to resolve against (new URL would refuse it): its own rules.
  if (isFolderSource(manifest)) return resolveFolderFile(manifest, file);
  if (/^[a-z][a-z0-9+.-]*:/i.test(manifest)) return new URL(file, manifest).href;
  const base = manifest.includes('/') ? manifest.slice(0, manifest.lastIndexOf('/') + 1) : '';
  const parts = (base + file).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '.' || (p === '' && out.length > 0)) continue;
    if (p === '..' && out.length > 0 && out[out.length - 1] !== '..' && out[out.length - 1] !== '') out.pop();
    else out.push(p);
  }
  return out.join('/');
}

/** The absolute http(s) URL a file is cached under, or undefined when it is local. */
function cacheUrl(url: string): string | undefined {
  let absolute = url;
  const location = (globalThis as { location?: { href?: string } }).location?.href;
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url) && location) absolute = new URL(url, location).href;
  return /^https?:/i.test(absolute) ? absolute : undefined;
}

function digestOf(bytes: Uint8Array): Promise<string> {
  return sha256Hex(bytes, 8);
}

export async function openBundle(source: BundleSource, options: OpenOptions): Promise<BundleReader> {
  return isFileList(source) ? openPickedFiles(source) : openUrl(source, options);
}

async function openUrl(source: string, { loadBytes, cache, signal, version }: OpenOptions): Promise<BundleReader> {
  if (!loadBytes) throw new Error(`loading the bundle at ${source} needs a loadBytes function from the host`);
  const where = manifestUrl(source);
  let manifestBytes: Uint8Array;
  try {
    // The manifest is never cached: it is what tells whether the cached files are still current.
    manifestBytes = await loadBytes(where, signal);
  } catch (e) {
    signal.throwIfAborted();
    throw new Error(`cannot read the bundle manifest ${where}: ${(e as Error).message}`);
  }
  const digest = await digestOf(manifestBytes);
  const tag = version === undefined ? digest : `${digest}.${await sha256Hex(version, 8)}`;
  const warnings: string[] = [];
  // The cache only saves a download: one that cannot read or keep a file (a full quota, Cache
  // Storage's "Unexpected internal error" on a file of hundreds of MB) never fails the load.
  const refused = (file: string, what: string, e: unknown) =>
    warnings.push(
      `${file}: the model cache (${cache!.description}) ${what}: ${e instanceof Error ? e.message : String(e)}`,
    );
  return {
    where,
    manifestBytes,
    digest: `${where}#${digest}`,
    warnings,
    cache: cache && cacheUrl(where) ? cache : undefined,
    async read(file, onProgress) {
      const url = resolveFile(where, file);
      const cached = cache ? cacheUrl(url) : undefined;
      const key = cached ? `${cached}${cached.includes('?') ? '&' : '?'}bundle=${tag}` : undefined;
      if (key) {
        let hit: Uint8Array | undefined;
        try {
          hit = await cache!.get(key);
        } catch (e) {
          refused(file, 'could not be read, so it was downloaded again', e);
        }
        if (hit) {
          onProgress(hit.byteLength, hit.byteLength);
          return hit;
        }
      }
      const bytes = await loadBytes(url, signal, onProgress);
      onProgress(bytes.byteLength, bytes.byteLength);
      if (key) {
        try {
          await cache!.put(key, bytes);
        } catch (e) {
          signal.throwIfAborted();
          refused(file, 'did not keep it, so it is used uncached and will be downloaded again next time', e);
        }
      }
      return bytes;
    },
  };
}

function pathOf(f: FileLike): string {
  return f.webkitRelativePath || f.name;
}

async function openPickedFiles(files: ArrayLike<FileLike>): Promise<BundleReader> {
  const list = Array.from(files);
  const manifests = list.filter((f) => f.name === 'manifest.json');
  if (manifests.length === 0) {
    throw new Error(
      `the picked files have no manifest.json (got ${list.map(pathOf).join(', ') || 'no files'}); pick the bundle folder or all of its files`,
    );
  }
  if (manifests.length > 1)
    throw new Error(
      `the picked files hold ${manifests.length} manifest.json files (${manifests.map(pathOf).join(', ')}); pick one bundle`,
    );
  const manifest = manifests[0]!;
  const manifestPath = pathOf(manifest);
  const manifestBytes = new Uint8Array(await manifest.arrayBuffer());
  const where = `the picked files (${manifestPath})`;
  const digest = await digestOf(manifestBytes);
  return {
    where,
    manifestBytes,
    digest: `picked:${manifestPath}#${digest}`,
    warnings: [],
    async read(file, onProgress) {
      const wanted = resolveFile(manifestPath, file);
      // A folder pick keeps relative paths; a multi-file pick has bare names only.
      const byPath = list.filter((f) => pathOf(f) === wanted);
      const base = wanted.split('/').pop();
      const byName = list.filter((f) => f.name === base);
      const found = byPath[0] ?? (byName.length === 1 ? byName[0] : undefined);
      if (!found) {
        throw new Error(
          byName.length > 1
            ? `${file} matches ${byName.length} picked files; pick the bundle folder so paths tell them apart`
            : `${file} is not among the picked files`,
        );
      }
      const bytes = new Uint8Array(await found.arrayBuffer());
      onProgress(bytes.byteLength, bytes.byteLength);
      return bytes;
    },
  };
}

/** A LoadBytes over fetch that streams the body to report progress (browser, worker, Node 18+). */
export const fetchBytes: LoadBytes = async (url, signal, onProgress) =>
  (await readUrl(url, { signal, onProgress })).bytes;

/** Adds up per-file progress into one bundle-wide report. */
export class ProgressTracker {
  private readonly files = new Map<string, { loaded: number; total?: number }>();

  constructor(private readonly callback?: ProgressCallback) {}

  /** A per-file callback; until a file's size is known its total counts as what has arrived. */
  track(file: string): (loaded: number, total: number | undefined) => void {
    this.files.set(file, { loaded: 0 });
    return (loaded, total) => {
      this.files.set(file, { loaded, total });
      this.report(file);
    };
  }

  private report(file: string): void {
    if (!this.callback) return;
    let loaded = 0;
    let total = 0;
    for (const f of this.files.values()) {
      loaded += f.loaded;
      total += f.total ?? f.loaded;
    }
    this.callback(loaded, total, file);
  }
}
