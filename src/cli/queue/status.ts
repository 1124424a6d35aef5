// `rete-clip-pae batch status --queue redis://… [--batch <id>]`: what a queued batch has come to
// (counts per state and every failure with its reason), or, without --batch, the recent batches
// and the workers listening.
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { UsageError, type CliIo } from '../io.js';
import {
  connectRedis,
  jobId,
  loadBatchRecord,
  parseQueueUrl,
  QUEUE_NAME,
  recentBatchIds,
  shownUrl,
  type BatchRecord,
} from './connection.js';
import { formatSeconds } from './enqueue.js';

export const BATCH_USAGE = `usage: rete-clip-pae batch status --queue redis://host:port [--batch <id>]

Shows a batch added with 'run … --batch <folder> --queue …': how many of its jobs are waiting,
running, done and failed, each failure with its reason, and how long it has taken. Without
--batch, lists the recent batches (newest first) and how many workers are listening.
Exits 1 when the batch is unknown (never added, or forgotten 14 days after it ended).
`;

export async function batchCommand(argv: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(BATCH_USAGE);
    return 0;
  }
  if (positionals[0] !== 'status')
    throw new UsageError(
      positionals.length === 0
        ? 'batch needs a subcommand: status'
        : `unknown batch subcommand '${positionals[0]}' (known: status)`,
    );
  if (positionals.length > 1) throw new UsageError(`batch status takes no further arguments, got '${positionals[1]}'`);
  const url = parseQueueUrl(values.queue);

  const redis = await connectRedis(url);
  const queue = new Queue(QUEUE_NAME, { connection: redis });
  try {
    if (values.batch !== undefined) {
      const record = await loadBatchRecord(redis, values.batch);
      if (!record) {
        io.stderr.write(`no batch '${values.batch}' on ${shownUrl(url)}\n`);
        return 1;
      }
      const status = await batchStatus(queue, record);
      io.stdout.write(formatStatus(record, status, true));
      return 0;
    }
    const ids = await recentBatchIds(redis, 20);
    const workers = await queue.getWorkersCount();
    io.stdout.write(`${shownUrl(url)}: ${workers} ${workers === 1 ? 'worker' : 'workers'} listening\n`);
    if (ids.length === 0) io.stdout.write('no batches\n');
    for (const id of ids) {
      const record = await loadBatchRecord(redis, id);
      if (record) io.stdout.write(formatStatus(record, await batchStatus(queue, record), false));
    }
    return 0;
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

function parseCommandLine(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      queue: { type: 'string' },
      batch: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

export interface BatchStatus {
  waiting: number;
  running: number;
  done: number;
  failed: number;
  /** Jobs Redis no longer has (removed by hand, or lost with Redis's data). */
  missing: number;
  failures: { image: string; reason: string }[];
  /** When the last job finished, once all have (ms since the epoch). */
  ended?: number;
}

/** Looks up every job of the batch by its id. */
export async function batchStatus(queue: Queue, record: BatchRecord): Promise<BatchStatus> {
  const status: BatchStatus = { waiting: 0, running: 0, done: 0, failed: 0, missing: 0, failures: [] };
  let ended = 0;
  const ids = Array.from({ length: record.total }, (_, i) => jobId(record.id, i));
  for (let start = 0; start < ids.length; start += 200) {
    const jobs = await Promise.all(ids.slice(start, start + 200).map((id) => queue.getJob(id)));
    const states = await Promise.all(jobs.map((job) => (job ? job.getState() : Promise.resolve('unknown'))));
    for (const [k, job] of jobs.entries()) {
      const state = states[k];
      if (!job || state === 'unknown') status.missing++;
      else if (state === 'completed') status.done++;
      else if (state === 'failed') {
        status.failed++;
        status.failures.push({ image: String(job.data?.image ?? job.id), reason: job.failedReason ?? 'failed' });
      } else if (state === 'active') status.running++;
      else status.waiting++;
      if (job?.finishedOn && (state === 'completed' || state === 'failed')) ended = Math.max(ended, job.finishedOn);
    }
  }
  if (status.waiting + status.running + status.missing === 0 && ended > 0) status.ended = ended;
  return status;
}

function formatStatus(record: BatchRecord, s: BatchStatus, detailed: boolean): string {
  const took = s.ended
    ? `finished in ${formatSeconds((s.ended - record.created) / 1000)}`
    : `${formatSeconds((Date.now() - record.created) / 1000)} so far`;
  const lines = [
    `batch ${record.id}: ${record.graph}, ${record.total} ${record.total === 1 ? 'image' : 'images'} from ${record.folder} → ${record.out}`,
    `  ${s.done} done, ${s.failed} failed, ${s.running} running, ${s.waiting} waiting${s.missing ? `, ${s.missing} no longer in the queue` : ''}; ${took}`,
  ];
  if (detailed) for (const f of s.failures) lines.push(`  failed ${f.image}: ${f.reason}`);
  return `${lines.join('\n')}\n`;
}
