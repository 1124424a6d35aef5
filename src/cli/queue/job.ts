// One queued job: a graph and one image of a batch. What `run --queue` puts in the queue, what a
// worker gives back, and running one job on an engine, kept free of BullMQ so it can be run and
// tested without Redis.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { EngineServices } from '../../engine/graph/definition.js';
import type { GraphDocument } from '../../engine/graph/document.js';
import type { Engine } from '../../engine/run/engine.js';
import { DocumentInvalidError, type EngineEvent } from '../../engine/run/events.js';
import type { Device } from '../../engine/run/models-service.js';
import { catalogue } from '../../nodes/registry.js';
import { uniqueName } from '../run.js';
import type { OutputStore } from './store.js';

/** Images up to this size travel inside the job, so workers elsewhere need no shared folder; larger ones are read from their path. */
export const INLINE_BYTES = 4 * 1024 * 1024;

const jobDataSchema = z.object({
  batch: z.string().min(1),
  index: z.number().int().min(0),
  total: z.number().int().min(1),
  /** The image's file name in the batch folder. */
  image: z.string().min(1),
  /** The image's absolute path where the batch was enqueued. */
  path: z.string().min(1),
  /** The hash of its bytes; missing when the file could not be read where the batch was enqueued. */
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  /** The image itself (base64) when it is small enough to travel in the job. */
  bytes: z.string().optional(),
  /** The graph with --set applied; its Load Image node already names this image. */
  doc: z.custom<GraphDocument>((v) => typeof v === 'object' && v !== null && Array.isArray((v as GraphDocument).nodes)),
  /** Where the image's files go: an absolute folder or s3://bucket/prefix, and the image's folder under it. */
  out: z.string().min(1),
  folder: z.string().min(1),
});

export type JobData = z.infer<typeof jobDataSchema>;

/** A job's data checked, or a message that says what is wrong with it. */
export function checkJobData(data: unknown): { ok: true; data: JobData } | { ok: false; message: string } {
  const parsed = jobDataSchema.safeParse(data);
  if (parsed.success) return { ok: true, data: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { ok: false, message: `not a rete-clip-pae batch job: ${issue.path.join('.') || 'data'}: ${issue.message}` };
}

/** What a finished job reports: its files (keys under the output location) and how many this run wrote. */
export interface JobResult {
  files: string[];
  /** Files this run wrote; the others were already there from an earlier run of the same job. */
  written: number;
  worker: string;
  ms: number;
}

/** Job progress as the queue carries it. */
export interface JobProgress {
  fraction: number;
  node?: string;
}

/**
 * How the Load Image node names a queued image: its path plus the hash of its bytes. Paths resolve
 * as before (the fragment is ignored for files); the hash is the image's fingerprint for the
 * engine's cache on a worker that may not have the file, and what a file read by path is checked
 * against.
 */
export function imageUrl(path: string, sha256: string | undefined): string {
  return sha256 ? `${path}#sha256=${sha256}` : path;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The host's services with image loading routed through the job: an image that came inside the
 * job is served from memory, one named by path is read and checked against the hash taken when it
 * was enqueued. `images` is filled per job by runJob.
 */
export function queueServices(base: EngineServices): { services: EngineServices; images: Map<string, Uint8Array> } {
  const images = new Map<string, Uint8Array>();
  const loadBytes: EngineServices['loadBytes'] = async (url, signal, onProgress) => {
    const inline = images.get(url);
    if (inline) return inline;
    const bytes = await base.loadBytes(url, signal, onProgress);
    const m = /#sha256=([0-9a-f]{64})$/.exec(url);
    if (m && sha256Hex(bytes) !== m[1])
      throw new Error(`'${url.slice(0, m.index)}' has changed since the batch was enqueued (its contents differ)`);
    return bytes;
  };
  // The hash is the image's identity for the engine's cache: no look at a file that may not exist here.
  const fingerprint: EngineServices['fingerprint'] = async (url, signal) => {
    const m = /#sha256=([0-9a-f]{64})$/.exec(url);
    return m ? `sha256:${m[1]}` : base.fingerprint(url, signal);
  };
  return { services: { ...base, loadBytes, fingerprint }, images };
}

export type JobOutcome =
  | { status: 'done'; result: JobResult }
  /** The graph ran and failed (bad image, no face, …): the same input would fail again. */
  | { status: 'failed'; reason: string }
  | { status: 'cancelled' };

export interface RunJobOptions {
  signal?: AbortSignal;
  onProgress?: (progress: JobProgress) => void;
  /** Overrides every Load Models node's device. */
  device?: Device;
  /** Names the worker in the result (host:pid). */
  worker: string;
}

/**
 * Runs one job on `engine` and puts its files in `store`. Storage errors are thrown (the queue
 * retries them); a failed graph is an outcome, not an exception.
 */
export async function runJob(
  engine: Engine,
  images: Map<string, Uint8Array>,
  store: OutputStore,
  data: JobData,
  options: RunJobOptions,
): Promise<JobOutcome> {
  const started = performance.now();
  const doc = structuredClone(data.doc);
  if (options.device)
    for (const n of doc.nodes) if (n.type === 'models/load') n.params = { ...n.params, device: options.device };
  const url = imageUrl(data.path, data.sha256);
  if (data.bytes !== undefined) images.set(url, new Uint8Array(Buffer.from(data.bytes, 'base64')));
  let summary: Awaited<ReturnType<Engine['run']>>;
  try {
    summary = await engine.run(doc, { signal: options.signal, onEvent: progressOf(doc, options.onProgress) });
  } catch (e) {
    if (e instanceof DocumentInvalidError) return { status: 'failed', reason: e.message };
    throw e;
  } finally {
    images.delete(url);
  }
  if (summary.status === 'cancelled') return { status: 'cancelled' };

  // The files, named as the local batch names them: a name used twice in one image gets -2, -3.
  const taken = new Set<string>();
  const files: string[] = [];
  let written = 0;
  for (const { file } of summary.files) {
    const key = `${data.folder}/${uniqueName(file.name, taken)}`;
    if (await store.putIfAbsent(key, file.bytes, file.mime)) written++;
    files.push(key);
  }
  if (summary.status === 'failed') return { status: 'failed', reason: failureReason(doc, summary.nodes) };
  return { status: 'done', result: { files, written, worker: options.worker, ms: performance.now() - started } };
}

/** `[photo] Load Image: cannot decode …`, one part per failed node. */
function failureReason(doc: GraphDocument, nodes: Record<string, { status: string; message?: string }>): string {
  const parts: string[] = [];
  for (const [id, outcome] of Object.entries(nodes)) {
    if (outcome.status !== 'error') continue;
    const node = doc.nodes.find((n) => n.id === id);
    const title = node ? (node.label ?? catalogue.get(node.type)?.title ?? node.type) : id;
    // The hash in the image's URL is for the cache; the user knows the image by its path.
    parts.push(`[${id}] ${title}: ${outcome.message?.replace(/#sha256=[0-9a-f]{64}/g, '')}`);
  }
  return parts.join('; ') || 'the graph failed';
}

/** Engine events → a fraction of the whole graph: each node counts one, the running one by its own progress. */
function progressOf(doc: GraphDocument, report?: (p: JobProgress) => void): ((e: EngineEvent) => void) | undefined {
  if (!report) return undefined;
  const total = doc.nodes.length;
  let finished = 0;
  return (event) => {
    if (event.type === 'done' || event.type === 'error' || event.type === 'skipped') {
      finished++;
      report({ fraction: Math.min(1, finished / total), node: event.node });
    } else if (event.type === 'progress') {
      report({ fraction: Math.min(1, (finished + event.fraction) / total), node: event.node });
    }
  };
}
