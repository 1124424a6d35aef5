// The history of finished runs: what ran (the document snapshot and its targets), when, how long,
// how it ended, and what each node showed, with images made small (8-bit RGB, at most
// STORED_IMAGE_SIDE px) so fifty runs stay a few megabytes. Plain logic over a storage backend
// (IndexedDB in the app, a Map in tests).
import type { ImageValue } from '../engine/graph/definition.js';
import type { GraphDocument } from '../engine/graph/document.js';
import type { NodeOutcome, OutputSummary } from '../engine/run/events.js';
import { downscaleForPreview } from '../engine/tensor/image.js';

/** How many finished runs are kept; older ones are dropped as new ones arrive. */
export const HISTORY_LIMIT = 50;
/** Longest side of an image kept in the history (what the nodes show after a restore, and the thumbnails). */
export const STORED_IMAGE_SIDE = 128;

export interface StoredImage {
  kind: 'image';
  width: number;
  height: number;
  /** Interleaved 8-bit RGB. */
  rgb: Uint8Array;
}

export type StoredSummary = StoredImage | Exclude<OutputSummary, { kind: 'image' }>;

export interface HistoryEntry {
  id: string;
  startedAt: number;
  finishedAt: number;
  ms: number;
  status: 'ok' | 'failed' | 'cancelled' | 'invalid';
  /** The graph's title when it had one. */
  title: string;
  doc: GraphDocument;
  targets?: string[];
  /** Per node the run needed, how it ended (empty for a graph that could not run). */
  nodes: Record<string, NodeOutcome>;
  /** Per node, what it showed when it finished. */
  outputs: Record<string, Record<string, StoredSummary>>;
}

/** Where entries live; every method may reject (storage refused), which the store passes on. */
export interface HistoryBackend {
  all(): Promise<HistoryEntry[]>;
  put(entry: HistoryEntry): Promise<void>;
  delete(ids: readonly string[]): Promise<void>;
  clear(): Promise<void>;
}

export class RunHistory {
  constructor(
    private readonly backend: HistoryBackend,
    readonly limit = HISTORY_LIMIT,
  ) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error(`history limit must be a positive integer, got ${limit}`);
  }

  /** Newest first. */
  async list(): Promise<HistoryEntry[]> {
    const entries = await this.backend.all();
    return entries.sort((a, b) => b.finishedAt - a.finishedAt || (a.id < b.id ? 1 : -1));
  }

  async get(id: string): Promise<HistoryEntry | undefined> {
    return (await this.backend.all()).find((e) => e.id === id);
  }

  /** Stores an entry and drops the oldest beyond the limit; resolves with the list, newest first. */
  async add(entry: HistoryEntry): Promise<HistoryEntry[]> {
    await this.backend.put(entry);
    const entries = await this.list();
    const dropped = entries.slice(this.limit);
    if (dropped.length) await this.backend.delete(dropped.map((e) => e.id));
    return entries.slice(0, this.limit);
  }

  async clear(): Promise<void> {
    await this.backend.clear();
  }
}

export function packImage(image: ImageValue, maxSide = STORED_IMAGE_SIDE): StoredImage {
  const small = downscaleForPreview(image, maxSide);
  const plane = small.width * small.height;
  const rgb = new Uint8Array(plane * 3);
  for (let i = 0; i < plane; i++)
    for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.round(Math.min(1, Math.max(0, small.data[c * plane + i]!)) * 255);
  return { kind: 'image', width: small.width, height: small.height, rgb };
}

export function unpackImage(stored: StoredImage): ImageValue {
  const plane = stored.width * stored.height;
  if (stored.rgb.length !== plane * 3)
    throw new Error(
      `stored image has ${stored.rgb.length} bytes, expected ${plane * 3} for ${stored.width}×${stored.height}`,
    );
  const data = new Float32Array(plane * 3);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) data[c * plane + i] = stored.rgb[i * 3 + c]! / 255;
  return { kind: 'image', width: stored.width, height: stored.height, data };
}

export function packSummaries(outputs: Record<string, OutputSummary>): Record<string, StoredSummary> {
  const out: Record<string, StoredSummary> = {};
  for (const [name, summary] of Object.entries(outputs))
    out[name] = summary.kind === 'image' ? packImage(summary.image) : structuredClone(summary);
  return out;
}

export function unpackSummaries(stored: Record<string, StoredSummary>): Record<string, OutputSummary> {
  const out: Record<string, OutputSummary> = {};
  for (const [name, summary] of Object.entries(stored))
    out[name] = summary.kind === 'image' ? { kind: 'image', image: unpackImage(summary) } : summary;
  return out;
}

/** The images of an entry, in node order, for its thumbnails. */
export function entryImages(entry: HistoryEntry): { node: string; output: string; image: StoredImage }[] {
  const images: { node: string; output: string; image: StoredImage }[] = [];
  for (const [node, outputs] of Object.entries(entry.outputs))
    for (const [output, summary] of Object.entries(outputs))
      if (summary.kind === 'image') images.push({ node, output, image: summary });
  return images;
}
