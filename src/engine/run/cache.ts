// The engine's result cache: node results by signature, least recently used evicted first once
// the bytes held pass a bound. Images and tensors dominate memory, so size is measured by walking
// values for typed arrays rather than by counting entries.

export class ByteLruCache<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private total = 0;

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Returns the value and marks it most recently used. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores a value; one larger than the whole bound is not kept at all. Returns whether it was kept. */
  set(key: string, value: V, bytes = sizeOf(value)): boolean {
    this.delete(key);
    if (bytes > this.maxBytes) return false;
    this.entries.set(key, { value, bytes });
    this.total += bytes;
    // Map iteration order is insertion order, and get() re-inserts: the first key is the oldest.
    for (const [oldest, entry] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.total -= entry.bytes;
    }
    return true;
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.total -= entry.bytes;
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }
}

/**
 * Estimated bytes held by a value: typed arrays and buffers by byteLength, strings at two bytes a
 * character, objects and arrays by their contents (each object counted once). A value that holds
 * memory the walk cannot see (a native session, a GPU buffer) can report it in a numeric
 * `cacheBytes` property.
 */
export function sizeOf(value: unknown, seen = new Set<object>()): number {
  if (value === null || value === undefined) return 0;
  switch (typeof value) {
    case 'number':
    case 'bigint':
      return 8;
    case 'boolean':
      return 4;
    case 'string':
      return 2 * value.length;
    case 'object':
      break;
    default:
      return 0;
  }
  const object = value as object;
  if (seen.has(object)) return 0;
  seen.add(object);
  const declared = (object as { cacheBytes?: unknown }).cacheBytes;
  if (typeof declared === 'number' && Number.isFinite(declared)) return declared;
  if (ArrayBuffer.isView(object)) return object.byteLength;
  if (object instanceof ArrayBuffer) return object.byteLength;
  let bytes = 16;
  if (object instanceof Map) {
    for (const [k, v] of object) bytes += sizeOf(k, seen) + sizeOf(v, seen);
    return bytes;
  }
  if (object instanceof Set) {
    for (const v of object) bytes += sizeOf(v, seen);
    return bytes;
  }
  for (const v of Object.values(object)) bytes += 8 + sizeOf(v, seen);
  return bytes;
}
