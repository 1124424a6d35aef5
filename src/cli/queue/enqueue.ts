// `run <graph> --batch <folder> --queue redis://…`: the local batch spread over workers. One job
// per image goes into the BullMQ queue (the graph, the image's path and, when small, its bytes);
// then, unless --no-wait, this process follows the jobs' events, shows overall progress and
// prints a summary once every job is done or failed. Workers write the files themselves.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import type { GraphDocument } from '../../engine/graph/document.js';
import type { catalogue } from '../../nodes/registry.js';
import { batchImages, batchSourceNode, outputFolder } from '../batch.js';
import { UsageError, type CliIo } from '../io.js';
import { relativeOrAbsolute } from '../run.js';
import {
  connectRedis,
  jobId,
  KEEP_SECONDS,
  parseQueueUrl,
  QUEUE_NAME,
  saveBatchRecord,
  shownUrl,
  type BatchRecord,
} from './connection.js';
import { imageUrl, INLINE_BYTES, sha256Hex, type JobData, type JobProgress, type JobResult } from './job.js';
import { openOutputStore, type OutputStore } from './store.js';

export interface EnqueueOptions {
  /** The graph, --set applied and validated. */
  doc: GraphDocument;
  registry: typeof catalogue;
  /** The graph file as given on the command line, and its folder (relative paths in the graph resolve there first). */
  file: string;
  graphDir: string;
  folder: string;
  node?: string;
  /** --out as given (default 'out'): a folder or s3://bucket/prefix. */
  out: string;
  queue: string;
  wait: boolean;
  skipExisting: boolean;
  /** --attempts as given (default 3). */
  attempts?: string;
  io: CliIo;
}

/** Adds the batch; with `wait`, follows it to the end. Exit code: 0 all done, 1 some failed, 130 interrupted. */
export async function enqueueBatch(options: EnqueueOptions): Promise<number> {
  const { io } = options;
  const url = parseQueueUrl(options.queue);
  const attempts = options.attempts === undefined ? 3 : Number(options.attempts);
  if (!Number.isInteger(attempts) || attempts < 1)
    throw new UsageError(`--attempts must be a whole number of at least 1, got '${options.attempts}'`);
  const source = batchSourceNode(options.doc, options.registry, options.node);
  const folder = resolve(io.cwd, options.folder);
  const { images, skipped } = await batchImages(folder, options.folder);
  for (const name of skipped) io.stderr.write(`batch: skipped ${name}: a batch reads JPEG, PNG and WebP images only\n`);
  if (images.length === 0) throw new Error(`--batch ${options.folder}: the folder has no JPEG, PNG or WebP images`);
  const store = await openOutputStore(options.out, io.cwd);

  const taken = new Set<string>();
  let items = images.map((name) => ({ name, folder: outputFolder(name, taken) }));
  const occupied = await store.foldersWithOutputs();
  const clashing = items.filter((i) => occupied.has(i.folder));
  if (clashing.length > 0 && !options.skipExisting) {
    const names = clashing.slice(0, 5).map((i) => i.folder);
    throw new Error(
      `--out ${store.location}: ${clashing.length} of the batch's image folders already hold outputs (${names.join(', ')}${clashing.length > 5 ? ', …' : ''}); queued jobs never overwrite, so remove them, choose another --out, or pass --skip-existing to enqueue only the others`,
    );
  }
  if (options.skipExisting) {
    if (clashing.length > 0) io.stderr.write(`batch: ${clashing.length} images already have outputs, not enqueued\n`);
    items = items.filter((i) => !occupied.has(i.folder));
    if (items.length === 0) {
      io.stderr.write('batch: nothing to enqueue\n');
      return 0;
    }
  }

  const doc = pinPaths(options.doc, options.graphDir, options.registry);
  const redis = await connectRedis(url);
  const queue = new Queue(QUEUE_NAME, { connection: redis });
  // While Redis is away every reconnection attempt is an 'error': one line per distinct message a minute.
  let lastError = { message: '', at: 0 };
  const onError = (e: Error) => {
    const now = Date.now();
    if (e.message === lastError.message && now - lastError.at < 60_000) return;
    lastError = { message: e.message, at: now };
    io.stderr.write(`batch: queue error: ${e.message}\n`);
  };
  queue.on('error', onError);
  let events: QueueEvents | undefined;
  let eventsConnection: typeof redis | undefined;
  try {
    const batch = randomBytes(4).toString('hex');
    const record: BatchRecord = {
      id: batch,
      total: items.length,
      created: Date.now(),
      graph: basename(options.file),
      folder,
      out: store.location,
    };
    // Listening starts before the first job is added, so no event of this batch is missed.
    if (options.wait) {
      eventsConnection = redis.duplicate();
      events = new QueueEvents(QUEUE_NAME, { connection: eventsConnection });
      events.on('error', onError);
      await events.waitUntilReady();
    }
    const watch = options.wait ? new BatchWatch(record, items, store, io) : undefined;
    if (watch && events) watch.listen(events);

    await saveBatchRecord(redis, record);
    io.stderr.write(
      `batch ${batch}: ${items.length} ${items.length === 1 ? 'job' : 'jobs'} on ${shownUrl(url)}, outputs to ${store.location}\n`,
    );
    const chunk = 100;
    for (let start = 0; start < items.length; start += chunk) {
      const jobs = await Promise.all(
        items.slice(start, start + chunk).map(async (item, k) => {
          const index = start + k;
          const data = await jobData(doc, source, folder, item, {
            batch,
            index,
            total: items.length,
            out: store.location,
          });
          return {
            name: 'image',
            data,
            opts: {
              jobId: jobId(batch, index),
              attempts,
              backoff: { type: 'exponential', delay: 2000 },
              removeOnComplete: { age: KEEP_SECONDS },
              removeOnFail: { age: KEEP_SECONDS },
            },
          };
        }),
      );
      await queue.addBulk(jobs);
    }
    const workers = await queue.getWorkersCount();
    if (workers === 0)
      io.stderr.write(
        `batch ${batch}: no worker is listening yet; start one with 'rete-clip-pae worker --queue ${shownUrl(url)}'\n`,
      );
    if (!watch) {
      io.stdout.write(`${batch}\n`);
      return 0;
    }
    return await watch.wait(queue, url, io.signal);
  } finally {
    await events?.close();
    await queue.close();
    eventsConnection?.disconnect();
    redis.disconnect();
  }
}

export async function jobData(
  doc: GraphDocument,
  source: string,
  folder: string,
  item: { name: string; folder: string },
  batch: { batch: string; index: number; total: number; out: string },
): Promise<JobData> {
  const path = join(folder, item.name);
  let bytes: Uint8Array | undefined;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch {
    // Unreadable here (permissions): the job goes without bytes and fails on the worker with the
    // reason, unless the worker can read the file; the rest of the batch is not held up.
  }
  const sha256 = bytes ? sha256Hex(bytes) : undefined;
  const one = structuredClone(doc);
  one.nodes.find((n) => n.id === source)!.params.source = imageUrl(path, sha256);
  return {
    ...batch,
    image: item.name,
    path,
    sha256,
    bytes: bytes && bytes.byteLength <= INLINE_BYTES ? Buffer.from(bytes).toString('base64') : undefined,
    doc: one,
    folder: item.folder,
  };
}

/**
 * Relative file paths in the graph (images, the model bundle) resolve against the graph's folder
 * first, then the app's public/ folder. A worker does not have the graph's folder, so paths that
 * name a file there become absolute here; the rest (the demo bundle, app images) stay relative and
 * resolve in the worker's public/ folder.
 */
export function pinPaths(doc: GraphDocument, graphDir: string, registry: typeof catalogue): GraphDocument {
  const next = structuredClone(doc);
  for (const node of next.nodes) {
    const def = registry.get(node.type);
    if (!def) continue;
    for (const [name, param] of Object.entries(def.params)) {
      const isPath = param.kind === 'image' || (node.type === 'models/load' && name === 'bundle');
      const value = node.params[name];
      if (!isPath || typeof value !== 'string' || value === '') continue;
      if (isAbsolute(value) || /^[a-z][a-z0-9+.-]*:/i.test(value)) continue;
      const local = resolve(graphDir, decodeURI(value.replace(/[?#].*$/, '')));
      if (existsSync(local)) node.params[name] = local;
    }
  }
  return next;
}

type JobState = 'waiting' | 'running' | 'done' | 'failed';

/** Follows a batch's jobs through the queue's events and prints progress, outputs and the summary. */
class BatchWatch {
  private readonly jobs = new Map<string, { name: string; state: JobState; fraction: number; reason?: string }>();
  private readonly started = performance.now();
  private lastLine = '';
  private lastPrinted = 0;
  private settle?: () => void;

  constructor(
    private readonly record: BatchRecord,
    items: readonly { name: string }[],
    private readonly store: OutputStore,
    private readonly io: CliIo,
  ) {
    for (const [i, item] of items.entries())
      this.jobs.set(jobId(record.id, i), { name: item.name, state: 'waiting', fraction: 0 });
  }

  listen(events: QueueEvents): void {
    events.on('active', ({ jobId }) => this.update(jobId, 'running'));
    events.on('waiting', ({ jobId }) => this.update(jobId, 'waiting'));
    events.on('progress', ({ jobId, data }) => {
      const job = this.jobs.get(jobId);
      if (!job || job.state === 'done' || job.state === 'failed') return;
      job.state = 'running';
      job.fraction = Math.max(0, Math.min(1, Number((data as JobProgress | undefined)?.fraction) || 0));
      this.printProgress();
    });
    events.on('completed', ({ jobId, returnvalue }) => this.finish(jobId, returnvalue as unknown as JobResult));
    events.on('failed', ({ jobId, failedReason }) => this.fail(jobId, failedReason));
  }

  /** Resolves with the exit code once every job is done or failed, or 130 when `signal` aborts. */
  async wait(queue: Queue, url: string, signal?: AbortSignal): Promise<number> {
    const finished = new Promise<void>((resolve) => {
      this.settle = resolve;
    });
    // Events can be missed (a dropped connection, a trimmed event stream): every few seconds the
    // jobs still open are looked up in the queue itself.
    const reconcile = setInterval(() => void this.reconcile(queue).catch(() => undefined), 5000);
    const tick = setInterval(() => this.printProgress(), 1000);
    const interrupted = new Promise<'interrupted'>((resolve) => {
      if (signal?.aborted) resolve('interrupted');
      signal?.addEventListener('abort', () => resolve('interrupted'), { once: true });
    });
    try {
      if (!this.allFinished()) await Promise.race([finished, interrupted]);
    } finally {
      clearInterval(reconcile);
      clearInterval(tick);
    }
    const id = this.record.id;
    if (!this.allFinished()) {
      this.io.stderr.write(
        `batch ${id}: stopped waiting; its jobs stay queued ('rete-clip-pae batch status --queue ${shownUrl(url)} --batch ${id}' shows them)\n`,
      );
      return 130;
    }
    const all = [...this.jobs.values()];
    const failed = all.filter((j) => j.state === 'failed');
    this.io.stderr.write(
      `batch ${id}: ${all.length} ${all.length === 1 ? 'image' : 'images'}, ${all.length - failed.length} done${failed.length ? `, ${failed.length} failed (${failed.map((j) => j.name).join(', ')})` : ''} in ${formatSeconds((performance.now() - this.started) / 1000)}\n`,
    );
    for (const j of failed) this.io.stderr.write(`  ${j.name}: ${j.reason}\n`);
    return failed.length ? 1 : 0;
  }

  private reconciling = false;

  private async reconcile(queue: Queue): Promise<void> {
    // While Redis is away commands wait for it to return: one look at a time, not a pile of them.
    if (this.reconciling) return;
    this.reconciling = true;
    try {
      for (const [id, job] of this.jobs) {
        if (job.state === 'done' || job.state === 'failed') continue;
        const state = await queue.getJobState(id);
        if (state === 'completed') this.finish(id, (await queue.getJob(id))?.returnvalue as JobResult | undefined);
        else if (state === 'failed') this.fail(id, (await queue.getJob(id))?.failedReason ?? 'failed');
        else if (state === 'unknown')
          // Removed by hand, or Redis restarted without its data: nothing will ever run it.
          this.fail(
            id,
            'the job is no longer in the queue (removed, or Redis lost its data); enqueue the batch again with --skip-existing',
          );
      }
    } finally {
      this.reconciling = false;
    }
  }

  private update(id: string, state: JobState): void {
    const job = this.jobs.get(id);
    if (!job || job.state === 'done' || job.state === 'failed') return;
    job.state = state;
    if (state === 'waiting') job.fraction = 0;
    this.printProgress();
  }

  private finish(id: string, result: JobResult | undefined): void {
    const job = this.jobs.get(id);
    if (!job || job.state === 'done' || job.state === 'failed') return;
    job.state = 'done';
    job.fraction = 1;
    const files = result?.files ?? [];
    for (const key of files) {
      const shown = this.store.shown(key);
      this.io.stdout.write(`${shown.startsWith('s3://') ? shown : relativeOrAbsolute(this.io.cwd, shown)}\n`);
    }
    this.io.stderr.write(
      `batch ${this.record.id}: done ${job.name}${result ? ` (${result.worker}, ${formatSeconds(result.ms / 1000)})` : ''}\n`,
    );
    this.printProgress();
  }

  private fail(id: string, reason: string): void {
    const job = this.jobs.get(id);
    if (!job || job.state === 'done' || job.state === 'failed') return;
    job.state = 'failed';
    job.reason = reason;
    this.io.stderr.write(`batch ${this.record.id}: failed ${job.name}: ${reason}\n`);
    this.printProgress();
  }

  private allFinished(): boolean {
    for (const j of this.jobs.values()) if (j.state !== 'done' && j.state !== 'failed') return false;
    return true;
  }

  /** A progress line when something changed, at most one a second (a ticker catches the last change). */
  private printProgress(): void {
    if (this.allFinished()) {
      this.settle?.();
      return;
    }
    const count = { waiting: 0, running: 0, done: 0, failed: 0 };
    let sum = 0;
    for (const j of this.jobs.values()) {
      count[j.state]++;
      sum += j.state === 'done' || j.state === 'failed' ? 1 : j.fraction;
    }
    const percent = Math.floor((100 * sum) / this.jobs.size);
    const counts = `${count.done}/${this.jobs.size} done, ${count.failed} failed, ${count.running} running, ${count.waiting} waiting`;
    const now = performance.now();
    if (`${percent} ${counts}` === this.lastLine || now - this.lastPrinted < 1000) return;
    this.lastLine = `${percent} ${counts}`;
    this.lastPrinted = now;
    this.io.stderr.write(
      `batch ${this.record.id}: ${percent}% · ${counts} · ${formatSeconds((now - this.started) / 1000)}\n`,
    );
  }
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}
