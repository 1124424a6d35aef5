// What the models panel knows about a model bundle: where it is, its files and their size, its
// licence, and which of its files sit in Cache Storage (the loader keeps them there, keyed by each
// file's URL, see src/engine/models/source.ts). Bundle folders kept in the browser (folder:<name>/…)
// are described from their kept copy; they are never in Cache Storage.
import type { GraphDocument } from '../engine/graph/document.js';
import { folderSource, missingFolderMessage, parseFolderUrl } from '../engine/models/folders.js';
import type { KeptFolder } from '../engine/models/kept-folders.js';

export const MODELS_CACHE = 'rete-clip-pae-models';
export const BUILT_IN_BUNDLES = ['models/demo/manifest.json', 'models/faces/manifest.json'];
const HISTORY_KEY = 'rete-clip-pae/bundles';

export interface BundleInfo {
  /** The manifest as the graph names it, e.g. models/demo/manifest.json. */
  source: string;
  /** Its absolute URL, or a kept folder's name. */
  where: string;
  name: string;
  description: string;
  license: string;
  files: { path: string; bytes: number | undefined }[];
  /** Sum of the known file sizes. */
  bytes: number;
  modelCard: string | undefined;
  /** Set when the manifest could not be read. */
  problem?: string;
}

export interface CacheState {
  entries: number;
  bytes: number;
}

/** The manifest path of a bundle param: a folder means its manifest.json. */
export function manifestPath(source: string): string {
  return source.endsWith('.json') ? source : `${source.replace(/\/+$/, '')}/manifest.json`;
}

/** Every file a manifest refers to: the string values that name a file next to it. */
export function manifestFiles(manifest: unknown): string[] {
  const found = new Set<string>();
  const visit = (value: unknown) => {
    if (typeof value === 'string') {
      if (/^[\w][\w./-]*\.(onnx|bin|json|npy|txt)$/i.test(value) && !value.includes('..')) found.add(value);
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(manifest);
  found.delete('manifest.json');
  return [...found].sort();
}

/** Bundles the graph's nodes name (Load Models, the face nodes): params that point at a manifest or folder. */
export function bundlesInDocument(doc: GraphDocument): string[] {
  const found: string[] = [];
  for (const node of doc.nodes) {
    for (const [name, value] of Object.entries(node.params)) {
      if (typeof value !== 'string' || value === '') continue;
      if (name === 'bundle' || value.endsWith('manifest.json')) found.push(manifestPath(value));
    }
  }
  return found;
}

export function bundleHistory(storage: Storage = localStorage): string[] {
  try {
    const list = JSON.parse(storage.getItem(HISTORY_KEY) ?? '[]');
    return Array.isArray(list) ? list.filter((s): s is string => typeof s === 'string') : [];
  } catch {
    return [];
  }
}

/** Remembers bundles the user's graphs named, newest first, so the panel lists them later too. */
export function rememberBundles(sources: readonly string[], storage: Storage = localStorage): void {
  const fresh = sources.filter((s) => !BUILT_IN_BUNDLES.includes(s));
  if (fresh.length === 0) return;
  const list = [...new Set([...fresh, ...bundleHistory(storage)])].slice(0, 20);
  try {
    storage.setItem(HISTORY_KEY, JSON.stringify(list));
  } catch {
    // A full storage only costs the history.
  }
}

function folderOf(url: string): string {
  return url.slice(0, url.lastIndexOf('/') + 1);
}

async function sizeOf(url: string): Promise<number | undefined> {
  try {
    const response = await fetch(url, { method: 'HEAD' });
    if (!response.ok) return undefined;
    const length = Number(response.headers.get('content-length'));
    return Number.isFinite(length) && length > 0 ? length : undefined;
  } catch {
    return undefined;
  }
}

function describe(
  source: string,
  where: string,
  manifest: Record<string, unknown>,
): Omit<BundleInfo, 'files' | 'bytes' | 'modelCard'> {
  return {
    source,
    where,
    name: typeof manifest.name === 'string' ? manifest.name : source,
    description: typeof manifest.description === 'string' ? manifest.description : '',
    license: typeof manifest.license === 'string' ? manifest.license : 'not stated in the manifest',
  };
}

/** Reads a bundle at a URL: its manifest, the size of each file (HEAD requests) and its model card. */
export async function readBundle(source: string, base = location.href): Promise<BundleInfo> {
  const where = new URL(manifestPath(source), base).href;
  try {
    const response = await fetch(where);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const manifest = (await response.json()) as Record<string, unknown>;
    const folder = folderOf(where);
    const files = await Promise.all(
      manifestFiles(manifest).map(async (path) => ({ path, bytes: await sizeOf(folder + path) })),
    );
    const cardUrl = `${folder}MODEL_CARD.md`;
    const modelCard = (await sizeOf(cardUrl)) !== undefined ? cardUrl : undefined;
    const bytes = files.reduce((sum, f) => sum + (f.bytes ?? 0), 0);
    return { ...describe(source, where, manifest), files, bytes, modelCard };
  } catch (e) {
    return {
      source,
      where,
      name: source,
      description: '',
      license: 'unknown',
      files: [],
      bytes: 0,
      modelCard: undefined,
      problem: `cannot read ${where}: ${(e as Error).message}`,
    };
  }
}

/** A bundle folder kept in the browser (see src/engine/models/kept-folders.ts), as the panel lists it. */
export function readKeptBundle(kept: KeptFolder): BundleInfo {
  const source = folderSource(kept.name);
  const where = `${kept.name}/ (kept in this browser)`;
  const base = { source, where, name: kept.name, description: '', license: 'unknown', modelCard: undefined };
  const sizes = new Map(kept.files.map((f) => [f.path, f.bytes]));
  if (kept.manifest === undefined) {
    return {
      ...base,
      files: kept.files.map((f) => ({ path: f.path, bytes: f.bytes })),
      bytes: kept.bytes,
      problem: `the copy of ${kept.name} is incomplete (it has no manifest.json); open the folder again or remove it`,
    };
  }
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(kept.manifest) as Record<string, unknown>;
  } catch (e) {
    return {
      ...base,
      files: [],
      bytes: kept.bytes,
      problem: `${kept.name}/manifest.json is not JSON: ${(e as Error).message}`,
    };
  }
  const files = manifestFiles(manifest).map((path) => ({ path, bytes: sizes.get(path) }));
  const bytes = files.reduce((sum, f) => sum + (f.bytes ?? 0), 0);
  return {
    ...describe(source, where, manifest),
    files,
    bytes,
    modelCard: sizes.has('MODEL_CARD.md') ? 'MODEL_CARD.md' : undefined,
  };
}

/** A graph names a kept folder that is not (or no longer) in this browser. */
export function missingKeptBundle(source: string): BundleInfo {
  let problem: string;
  let name = source;
  try {
    name = parseFolderUrl(source).folder;
    problem = missingFolderMessage(name);
  } catch (e) {
    problem = (e as Error).message;
  }
  return {
    source,
    where: source,
    name,
    description: '',
    license: 'unknown',
    files: [],
    bytes: 0,
    modelCard: undefined,
    problem,
  };
}

async function openCache(): Promise<Cache | undefined> {
  if (typeof caches === 'undefined') return undefined;
  return caches.open(MODELS_CACHE);
}

/** The cached files of the bundle whose manifest is at `where` (an absolute URL). */
export async function cacheState(where: string): Promise<CacheState | undefined> {
  const cache = await openCache();
  if (!cache) return undefined;
  const folder = folderOf(where);
  let entries = 0;
  let bytes = 0;
  for (const request of await cache.keys()) {
    if (!request.url.startsWith(folder)) continue;
    entries++;
    const response = await cache.match(request);
    bytes += Number(response?.headers.get('content-length') ?? 0) || 0;
  }
  return { entries, bytes };
}

/** Deletes the bundle's cached files; returns how many were removed. */
export async function clearBundleCache(where: string): Promise<number> {
  const cache = await openCache();
  if (!cache) return 0;
  const folder = folderOf(where);
  let removed = 0;
  for (const request of await cache.keys()) {
    if (request.url.startsWith(folder) && (await cache.delete(request))) removed++;
  }
  return removed;
}
