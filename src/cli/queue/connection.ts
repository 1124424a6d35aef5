// Where the batch queue lives: a Redis URL on the command line, the BullMQ queue name every worker
// listens on, and the few keys of batch bookkeeping kept beside BullMQ's own.
import { Redis } from 'ioredis';
import { UsageError } from '../io.js';

/** The BullMQ queue every `run --queue` adds to and every `worker` takes from. */
export const QUEUE_NAME = 'rete-clip-pae';
/** Batch records (what was enqueued, when, where its outputs go) live under this prefix, apart from BullMQ's `bull:` keys. */
const BATCH_PREFIX = 'rete-clip-pae:batch:';
const BATCH_INDEX = 'rete-clip-pae:batches';
/** Jobs, their results and the batch records are kept this long after they finish, then Redis forgets them. */
export const KEEP_SECONDS = 14 * 24 * 3600;

/** Checks `--queue`: a redis:// or rediss:// URL (an optional /db number at the end). */
export function parseQueueUrl(text: string | undefined, option = '--queue'): string {
  if (text === undefined || text === '')
    throw new UsageError(`${option} needs a Redis URL, e.g. redis://127.0.0.1:6379`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${option} ${text}: not a URL; expected redis://host:port`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new UsageError(`${option} ${text}: expected a redis:// or rediss:// URL, got ${url.protocol}//`);
  if (url.hostname === '') throw new UsageError(`${option} ${text}: the URL names no host`);
  return text;
}

/** The URL without its password, for messages and logs. */
export function shownUrl(text: string): string {
  const url = new URL(text);
  if (url.password) url.password = '***';
  return url.toString();
}

/**
 * Connects to Redis and waits until it answers, so an unreachable server is a clear error rather
 * than a command that hangs. After that first contact ioredis reconnects on its own (BullMQ needs
 * `maxRetriesPerRequest: null` so blocking commands wait out a reconnection instead of failing).
 */
export async function connectRedis(url: string, timeoutMs = 5000): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    connectTimeout: timeoutMs,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  // ioredis reports every failed reconnection as an 'error' event; without a listener Node would
  // print each one. The first failure is reported below, later ones show up as a stalled queue.
  let last: Error | undefined;
  redis.on('error', (e: Error) => {
    last = e;
  });
  try {
    await withTimeout(redis.connect(), timeoutMs);
    await withTimeout(redis.ping(), timeoutMs);
  } catch (e) {
    redis.disconnect();
    const why = (last ?? (e as Error)).message || String(e);
    throw new Error(`cannot reach Redis at ${shownUrl(url)}: ${why}`);
  }
  return redis;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** What `run --queue` records about a batch, for `batch status` and the summary. */
export interface BatchRecord {
  id: string;
  total: number;
  /** ms since the epoch */
  created: number;
  graph: string;
  folder: string;
  out: string;
}

export async function saveBatchRecord(redis: Redis, record: BatchRecord): Promise<void> {
  const key = BATCH_PREFIX + record.id;
  await redis
    .multi()
    .hset(key, {
      id: record.id,
      total: String(record.total),
      created: String(record.created),
      graph: record.graph,
      folder: record.folder,
      out: record.out,
    })
    .expire(key, KEEP_SECONDS)
    .zadd(BATCH_INDEX, record.created, record.id)
    .zremrangebyscore(BATCH_INDEX, '-inf', Date.now() - KEEP_SECONDS * 1000)
    .exec();
}

export async function loadBatchRecord(redis: Redis, id: string): Promise<BatchRecord | undefined> {
  const h = await redis.hgetall(BATCH_PREFIX + id);
  if (!h.id) return undefined;
  return {
    id: h.id,
    total: Number(h.total),
    created: Number(h.created),
    graph: h.graph ?? '',
    folder: h.folder ?? '',
    out: h.out ?? '',
  };
}

/** The most recent batch ids, newest first. */
export async function recentBatchIds(redis: Redis, count: number): Promise<string[]> {
  return redis.zrevrange(BATCH_INDEX, 0, count - 1);
}

/** A batch's job ids are its id and the image's index, so a batch's jobs can be found without a scan. */
export function jobId(batch: string, index: number): string {
  return `${batch}-${index}`;
}
