// `rete-clip-pae worker --queue redis://…`: takes batch jobs from the queue and runs them, on any
// machine that can reach Redis. One engine serves every job of the process, as in the local
// batch: the models load once and what a graph computes before the image (corpus, subspace, …)
// is cached across jobs. SIGTERM (or Ctrl-C) stops taking jobs and finishes the running ones;
// after --grace seconds, or on a second SIGTERM, they are handed back to the queue instead.
import { hostname } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { Engine } from '../engine/run/engine.js';
import { modelService, type Device } from '../engine/run/models-service.js';
import { createNodeServices, PUBLIC_DIR } from '../engine/run/services-node.js';
import { catalogue } from '../nodes/registry.js';
import { UsageError, type CliIo } from './io.js';
import { connectRedis, parseQueueUrl, QUEUE_NAME, shownUrl } from './queue/connection.js';
import { formatSeconds } from './queue/enqueue.js';
import { checkJobData, queueServices, runJob, type JobResult } from './queue/job.js';
import { openOutputStore, type OutputStore } from './queue/store.js';

export const WORKER_USAGE = `usage: rete-clip-pae worker --queue redis://host:port [--concurrency n] [--device auto|cpu|webgpu]
                            [--lock seconds] [--max-stalled n] [--grace seconds]

Runs batch jobs added by 'rete-clip-pae run <graph> --batch <folder> --queue …' until stopped. Start
one per machine (or per GPU); every worker on the same Redis shares the work.
  --queue url         the Redis server (redis://host:port, rediss:// for TLS, /db at the end)
  --concurrency n     jobs held at once (default 1); runs take turns on the one engine, so more
                      only overlaps reading and writing with computing
  --device d          run the models on auto, cpu or webgpu, whatever the graph says
  --lock s            a job's lock lasts s seconds, renewed while it runs; a worker that dies
                      loses its job to another after about 2 × s (default 30)
  --max-stalled n     a job whose worker died more than n times fails (default 1)
  --grace s           on SIGTERM or Ctrl-C, running jobs get s seconds to finish before they are
                      handed back to the queue (default 25); a second SIGTERM hands them back now
Exits 0 after a clean stop; the paths of written files go to stdout, one line per job to stderr.
`;

const DEVICES: Record<string, Device> = { auto: 'auto', cpu: 'wasm', webgpu: 'webgpu' };

export async function workerCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv);
  if (values.help) {
    io.stdout.write(WORKER_USAGE);
    return 0;
  }
  const url = parseQueueUrl(values.queue);
  const concurrency = positiveInteger(values.concurrency, '--concurrency', 1);
  const lockSeconds = positiveNumber(values.lock, '--lock', 30);
  const maxStalled = positiveInteger(values['max-stalled'], '--max-stalled', 1);
  const grace = positiveNumber(values.grace, '--grace', 25, true);
  let device: Device | undefined;
  if (values.device !== undefined) {
    device = DEVICES[values.device];
    if (!device) throw new UsageError(`--device must be auto, cpu or webgpu, got '${values.device}'`);
  }

  const name = `${hostname()}:${process.pid}`;
  const log = (text: string) => io.stderr.write(`worker ${name}: ${text}\n`);
  // App URLs in graphs (the demo bundle, images/…) resolve in the app's public/ folder; the
  // enqueuer made every path that named a file beside the graph absolute.
  const { services, images } = queueServices(createNodeServices({ baseDir: PUBLIC_DIR }));
  const runtime = await modelService(services).runtime(device ?? 'auto');
  if (values.device === 'webgpu' && runtime.backend !== 'webgpu')
    throw new Error(`--device webgpu: models here run on ${runtime.description}, which has no WebGPU`);
  const engine = new Engine({ registry: catalogue, services });
  const stores = new Map<string, Promise<OutputStore>>();
  const storeFor = (out: string) => {
    let store = stores.get(out);
    if (!store) {
      store = openOutputStore(out, io.cwd);
      store.catch(() => stores.delete(out));
      stores.set(out, store);
    }
    return store;
  };

  const redis = await connectRedis(url);
  // Locks are renewed from the event loop; the longest pause (compiling gradient models blocks it)
  // tells how short --lock may be. Reported when the worker stops.
  const pauses = monitorEventLoopDelay({ resolution: 20 });
  pauses.enable();
  const active = new Set<string>();
  let jobsRun = 0;
  const processor = async (job: Job, token?: string, signal?: AbortSignal): Promise<JobResult> => {
    const checked = checkJobData(job.data);
    if (!checked.ok) throw new UnrecoverableError(checked.message);
    const data = checked.data;
    const label = `${data.image} (job ${job.id})`;
    active.add(job.id!);
    jobsRun++;
    try {
      log(`${label} started${job.attemptsStarted > 1 ? ` (attempt ${job.attemptsStarted})` : ''}`);
      const store = await storeFor(data.out);
      let lastProgress = 0;
      const outcome = await runJob(engine, images, store, data, {
        signal,
        device,
        worker: name,
        onProgress: (p) => {
          // Each update is a Redis round trip and an event for everyone watching: two a second is plenty.
          const now = performance.now();
          if (now - lastProgress < 500) return;
          lastProgress = now;
          job.updateProgress(p).catch(() => undefined);
        },
      });
      if (outcome.status === 'cancelled') {
        await job.moveToWait(token);
        log(`${label} handed back to the queue`);
        throw new WaitingError();
      }
      if (outcome.status === 'failed') {
        log(`${label} failed: ${outcome.reason}`);
        // The graph itself failed on this input: retrying would fail the same way.
        throw new UnrecoverableError(outcome.reason);
      }
      const { result } = outcome;
      const n = result.files.length;
      const already = n - result.written;
      log(
        `${label} done in ${formatSeconds(result.ms / 1000)} (${n} ${n === 1 ? 'file' : 'files'}${already ? `, ${already} already written by an earlier run` : ''})`,
      );
      for (const key of result.files) io.stdout.write(`${store.shown(key)}\n`);
      return result;
    } finally {
      active.delete(job.id!);
    }
  };

  const worker = new Worker(QUEUE_NAME, processor, {
    connection: redis,
    concurrency,
    autorun: false,
    name,
    lockDuration: lockSeconds * 1000,
    stalledInterval: lockSeconds * 1000,
    maxStalledCount: maxStalled,
  });
  // While Redis is away ioredis retries every two seconds and each failure is an 'error': one line
  // per distinct message (and a reminder every minute) says so without flooding the log.
  let lastError = { message: '', at: 0 };
  worker.on('error', (e) => {
    const now = Date.now();
    if (e.message === lastError.message && now - lastError.at < 60_000) return;
    lastError = { message: e.message, at: now };
    log(`queue error: ${e.message}`);
  });
  worker.on('stalled', (id) => log(`job ${id} was left by a worker that stopped answering; back in the queue`));
  // A finished job no longer needs its image: dropping the bytes keeps Redis small over a long batch.
  const dropImage = (job: Job | undefined) => {
    if (job?.data?.bytes !== undefined) job.updateData({ ...job.data, bytes: undefined }).catch(() => undefined);
  };
  worker.on('completed', dropImage);
  worker.on('failed', (job) => {
    if (job?.finishedOn && job.attemptsMade >= (job.opts.attempts ?? 1)) dropImage(job);
  });

  let stopping = false;
  let graceTimer: NodeJS.Timeout | undefined;
  const handBack = () => {
    if (active.size > 0) log(`handing ${active.size} running ${active.size === 1 ? 'job' : 'jobs'} back to the queue`);
    worker.cancelAllJobs('the worker is stopping');
  };
  const stop = (why: string) => {
    if (stopping) {
      handBack();
      return;
    }
    stopping = true;
    log(
      active.size > 0
        ? `stopping (${why}): finishing ${active.size} running ${active.size === 1 ? 'job' : 'jobs'}, handed back after ${grace} s`
        : `stopping (${why})`,
    );
    graceTimer = setTimeout(handBack, grace * 1000);
    void worker.close();
  };
  const onTerm = () => stop('SIGTERM');
  const onAbort = () => stop('interrupted');
  process.on('SIGTERM', onTerm);
  io.signal?.addEventListener('abort', onAbort, { once: true });

  log(
    `listening on ${shownUrl(url)} (concurrency ${concurrency}, models on ${runtime.description}, lock ${lockSeconds} s)`,
  );
  try {
    await worker.run();
    await worker.close();
  } finally {
    clearTimeout(graceTimer);
    process.off('SIGTERM', onTerm);
    io.signal?.removeEventListener('abort', onAbort);
    redis.disconnect();
    await modelService(services)
      .releaseAll()
      .catch(() => undefined);
  }
  pauses.disable();
  // Peak memory tells how many workers a machine holds, the longest pause how short --lock may be (docs/scale.md).
  log(
    `stopped after ${jobsRun} ${jobsRun === 1 ? 'job' : 'jobs'}; peak memory ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB, longest event-loop pause ${(pauses.max / 1e9).toFixed(1)} s`,
  );
  return 0;
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        queue: { type: 'string' },
        concurrency: { type: 'string' },
        device: { type: 'string' },
        lock: { type: 'string' },
        'max-stalled': { type: 'string' },
        grace: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function positiveInteger(text: string | undefined, option: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${option} must be a whole number of at least 1, got '${text}'`);
  return n;
}

function positiveNumber(text: string | undefined, option: string, fallback: number, zeroOk = false): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !zeroOk))
    throw new UsageError(`${option} must be a number of seconds${zeroOk ? '' : ' above 0'}, got '${text}'`);
  return n;
}
