// A compiled objective's session: runs one at a time (a cancelled run may still be in flight when
// the next edit starts, and a WebGPU session must not run twice at once), reads back only the
// outputs a step needs, and is kept per runtime and bundle so it is compiled once.
import type { ImageValue } from '../graph/definition.js';
import type { BundleCache } from '../models/cache.js';
import type { ModelBundle } from '../models/index.js';
import { EXTERNAL_WEIGHTS_PATH, releaseWeights } from '../onnx/external.js';
import type { HostTensor } from '../onnx/model.js';
import type { Feed, Runtime, Session } from '../tensor/runtime.js';

export class CompiledModel {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly session: Session) {}

  /** Runs with `feeds` and returns the named outputs in host memory; other outputs are dropped unread. */
  run(
    feeds: Readonly<Record<string, Feed>>,
    read: readonly string[],
    signal?: AbortSignal,
  ): Promise<Record<string, HostTensor>> {
    const result = this.tail.then(async () => {
      signal?.throwIfAborted();
      const out = await this.session.run(feeds, { signal, outputs: read });
      const host: Record<string, HostTensor> = {};
      try {
        for (const name of read) host[name] = await out[name]!.read();
      } finally {
        for (const t of Object.values(out)) t.dispose();
      }
      return host;
    });
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** A compiled model with what its builder knows about it (input and output names). */
export interface Compiled<T> {
  model: CompiledModel;
  meta: T;
}

// Keyed by runtime first: a session belongs to one runtime, and a bundle id names the bundle's
// content, which two runtimes may load.
const byRuntime = new WeakMap<Runtime, Map<string, Promise<Compiled<unknown>>>>();

const fingerprints = new WeakMap<Uint8Array, string>();

/**
 * FNV-1a of a model file, once per loaded file. A bundle id names its manifest, and a rebuilt
 * bundle can keep the manifest while its weights change: the compiled model must follow the weights.
 */
function fingerprint(bytes: Uint8Array): string {
  let found = fingerprints.get(bytes);
  if (found === undefined) {
    let h = 0x811c9dc5;
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    found = `${bytes.length.toString(36)}-${(h >>> 0).toString(36)}`;
    fingerprints.set(bytes, found);
  }
  return found;
}

/**
 * Names what the objective builders write: a stored objective built by other code must not be
 * used, so this changes whenever the builders' output does (src/engine/onnx, prep.ts, the
 * *-model.ts builders).
 */
export const COMPILED_FORMAT = 'objective-2';

/**
 * Key of a compiled model in the bundle's cache: by the content of the files it is built from,
 * not by their URL, so the same models under another URL share it. An http(s) URL, as Cache
 * Storage wants; the host is never contacted.
 */
function storeKey(kind: string, files: readonly Uint8Array[]): string {
  return `https://compiled.rete-clip-pae.invalid/${COMPILED_FORMAT}/${encodeURIComponent(kind)}/${files.map(fingerprint).join('+')}.onnx`;
}

/** What a builder returns: the model (its graph only when `weights` holds its external data) and its meta. */
export interface Built<T> {
  bytes: Uint8Array;
  weights?: Uint8Array;
  meta: T;
}

/** [header length, u32 little-endian][header JSON: meta, weights' length][model bytes][weights]. */
function packStored(built: Built<unknown>): Uint8Array {
  const weights = built.weights ?? new Uint8Array(0);
  const json = new TextEncoder().encode(JSON.stringify({ meta: built.meta, weights: weights.byteLength }));
  const out = new Uint8Array(4 + json.byteLength + built.bytes.byteLength + weights.byteLength);
  new DataView(out.buffer).setUint32(0, json.byteLength, true);
  out.set(json, 4);
  out.set(built.bytes, 4 + json.byteLength);
  out.set(weights, 4 + json.byteLength + built.bytes.byteLength);
  return out;
}

async function readStored<T>(cache: BundleCache, key: string): Promise<Built<T> | undefined> {
  try {
    const packed = await cache.get(key);
    if (!packed || packed.byteLength < 4) return undefined;
    const length = new DataView(packed.buffer, packed.byteOffset, 4).getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(packed.subarray(4, 4 + length))) as { meta: T; weights: number };
    const end = packed.byteLength - header.weights;
    if (!(header.weights >= 0 && end >= 4 + length)) return undefined;
    const bytes = packed.subarray(4 + length, end);
    return header.weights > 0
      ? { bytes, weights: packed.subarray(end), meta: header.meta }
      : { bytes, meta: header.meta };
  } catch {
    // Unreadable or cut short: built again (and stored again).
    return undefined;
  }
}

/**
 * The compiled model of `kind` for this bundle, built and given a session on first use. `files` are
 * the model files it is built from (their content is part of the key). `build` is told whether the
 * runtime takes external weights; a builder may return its weights apart (`Built.weights`) then.
 */
export function compiledFor<T>(
  bundle: ModelBundle,
  kind: string,
  files: readonly Uint8Array[],
  build: (options: { externalWeights: boolean }) => Built<T>,
  keepOnGpu: readonly string[] = [],
): Promise<Compiled<T>> {
  let models = byRuntime.get(bundle.runtime);
  if (!models) {
    models = new Map();
    byRuntime.set(bundle.runtime, models);
  }
  const key = `${bundle.id}#${kind}#${files.map(fingerprint).join('+')}`;
  const found = models.get(key);
  if (found) return found as Promise<Compiled<T>>;
  const compiled = (async () => {
    const externalWeights = bundle.runtime.externalData === true;
    // Split and whole models are stored apart: a runtime that cannot take external data never reads a split one.
    const key = storeKey(externalWeights ? `${kind} (external weights)` : kind, files);
    const stored = bundle.cache ? await readStored<T>(bundle.cache, key) : undefined;
    let built: Built<T> | undefined = stored ?? build({ externalWeights });
    const { meta } = built;
    const session = await bundle.runtime.createSession(built.bytes, {
      name: `${bundle.name}: ${kind}`,
      keepOutputsOnGpu: keepOnGpu.length ? keepOnGpu : undefined,
      externalData: built.weights && { path: EXTERNAL_WEIGHTS_PATH, data: built.weights },
    });
    // Kept for the next session (a page reload, the next CLI run); a cache that refuses it only
    // means the next session builds it again. Then the bytes are dropped: the session has its own copy.
    if (bundle.cache && !stored) bundle.cache.put(key, packStored(built)).catch(() => {});
    if (built.weights && !stored) releaseWeights(built.weights);
    built = undefined;
    return { model: new CompiledModel(session), meta };
  })();
  models.set(key, compiled);
  // A failed build is not cached: the next call tries again (and reports the error again).
  compiled.catch(() => {
    if (models.get(key) === compiled) models.delete(key);
  });
  return compiled;
}

/** Releases the compiled objectives of a bundle (its sessions); the next edit compiles again. */
export async function releaseCompiled(bundle: ModelBundle): Promise<void> {
  const models = byRuntime.get(bundle.runtime);
  if (!models) return;
  for (const [key, compiled] of [...models]) {
    if (!key.startsWith(`${bundle.id}#`)) continue;
    models.delete(key);
    try {
      await (await compiled).model.session.release();
    } catch {
      // A build that failed has no session to release.
    }
  }
}

/** The generator's raw image as an RGB ImageValue in [0, 1]. */
export function toImage(raw: HostTensor, range: readonly [number, number]): ImageValue {
  const [, , height, width] = raw.dims as [number, number, number, number];
  const [lo, hi] = range;
  const src = raw.data as Float32Array;
  const data = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) data[i] = Math.min(1, Math.max(0, (src[i]! - lo) / (hi - lo)));
  return { kind: 'image', width, height, data };
}
