// The queued batch end to end: a private redis-server on a free port, worker processes started
// as the CLI (`rete-clip-pae worker`), a batch of demo faces (and one broken file) enqueued with
// `run --batch --queue`. One worker is killed with SIGKILL in the middle of a job; the other picks
// the job up once its lock runs out, and every image ends with exactly one output. Also: an
// invalid graph adds nothing to the queue, and SIGTERM lets a worker finish its job (or, with no
// grace left, hand it back) and exit 0. Steps are cut short and locks are 3 s (--lock) to keep
// the CPU time and the wait for stalled-job recovery small.
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, QUEUE_NAME } from '../../src/cli/queue/connection.js';
import { readDocumentBytes } from '../../src/engine/graph/open.js';
import { decodePng } from '../../src/engine/tensor/png.js';
import { catalogue } from '../../src/nodes/registry.js';
import { findRedisServer } from '../../tools/setup/test-env.js';
import { runCli } from '../cli/run-cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const graph = join(root, 'graphs/invert-then-edit.json');
const demoFace = join(root, 'public/images/demo-face.png');
const REDIS_SERVER = findRedisServer();
const work = mkdtempSync(join(tmpdir(), 'rcp-queue-'));
const short = ['invert.refineSteps=1', 'edit.steps=3', 'edit.previewEvery=1000'].flatMap((s) => ['--set', s]);

let redisProcess: ChildProcess | undefined;
let url = '';
let redis: Redis;
let queue: Queue;
const workers: ChildProcess[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const cli = (args: string[], signal?: AbortSignal, onStderr?: (text: string) => void) =>
  runCli(args, work, { signal, onStderr });

/** A worker as its own process, as `npx tsx src/cli/main.ts worker …` would start it (tsx's loader in the one process, so a signal reaches the worker itself). */
function startWorker(args: string[]) {
  const child = spawn(
    process.execPath,
    [
      '--require',
      join(root, 'node_modules/tsx/dist/preflight.cjs'),
      '--import',
      pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href,
      join(root, 'src/cli/main.ts'),
      'worker',
      '--queue',
      url,
      ...args,
    ],
    { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  workers.push(child);
  let log = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  child.stderr!.on('data', (chunk: Buffer) => {
    log += chunk.toString();
    for (const w of [...waiters]) {
      const m = log.match(w.pattern);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    exited,
    log: () => log,
    /** Resolves when the log matches `pattern` (now or later). */
    when: (pattern: RegExp) =>
      new Promise<RegExpMatchArray>((resolve) => {
        const m = log.match(pattern);
        if (m) resolve(m);
        else waiters.push({ pattern, resolve });
      }),
  };
}

beforeAll(async () => {
  if (!REDIS_SERVER)
    throw new Error('redis-server is missing: the queue tests need it (Debian: redis-server; or set REDIS_SERVER)');
  const port = await freePort();
  url = `redis://127.0.0.1:${port}`;
  redisProcess = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; ; i++) {
    try {
      redis = await connectRedis(url, 500);
      break;
    } catch (e) {
      if (i > 40) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  queue = new Queue(QUEUE_NAME, { connection: redis });
});

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  await queue?.close();
  redis?.disconnect();
  redisProcess?.kill('SIGKILL');
});

describe('run --batch --queue with worker processes', () => {
  let survivor: ReturnType<typeof startWorker>;

  it('finishes a batch although a worker is killed mid-job: one output per image, the bad image fails alone', async () => {
    const faces = join(work, 'faces');
    mkdirSync(faces);
    for (let i = 1; i <= 8; i++) copyFileSync(demoFace, join(faces, `face-${i}.png`));
    writeFileSync(join(faces, 'bad.png'), 'this is not a picture');

    // A worker's first job compiles the gradient models, which holds its event loop for a second
    // or more on this machine: a lock of 3 s outlasts that, and a job that is still rerun once
    // because of it (a false stall) is allowed by --max-stalled 3.
    const doomed = startWorker(['--lock', '3', '--max-stalled', '3']);
    survivor = startWorker(['--lock', '3', '--max-stalled', '3']);
    await Promise.all([doomed.when(/listening on/), survivor.when(/listening on/)]);

    const out = join(work, 'out');
    const running = cli(['run', graph, '--batch', 'faces', '--out', 'out', '--queue', url, ...short]);
    // Killed as it starts a face (it may have failed the broken file first): the job has barely begun.
    const [, image, job] = await doomed.when(/worker \S+: (face-\d\.png) \(job (\S+)\) started/);
    doomed.child.kill('SIGKILL');
    expect((await doomed.exited).signal).toBe('SIGKILL');

    const result = await running;
    expect(result.stderr).toMatch(/batch \w+: 9 images, 8 done, 1 failed \(bad\.png\) in /);
    expect(result.stderr).toMatch(/ {2}bad\.png: \[photo\] Load Image: .*bad\.png/);
    expect(result.code).toBe(1);
    // The job the killed worker held was run again by the survivor, after its lock ran out.
    expect(survivor.log()).toContain(`${image} (job ${job}) started (attempt 2)`);
    expect(survivor.log()).toMatch(new RegExp(`${image.replace('.', '\\.')} \\(job ${job}\\) done`));

    const written = result.stdout.trim().split('\n').sort();
    expect(written).toEqual(
      Array.from({ length: 8 }, (_, i) => join('out', `face-${i + 1}`, 'photo-happy.png')).sort(),
    );
    expect(readdirSync(out).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `face-${i + 1}`).sort());
    for (let i = 1; i <= 8; i++) {
      // Exactly one file, and no temporary name left over.
      expect(readdirSync(join(out, `face-${i}`))).toEqual(['photo-happy.png']);
      const bytes = new Uint8Array(readFileSync(join(out, `face-${i}`, 'photo-happy.png')));
      expect(decodePng(bytes).image.width).toBeGreaterThan(0);
      const embedded = readDocumentBytes(bytes, catalogue);
      expect(embedded.ok && String(embedded.document.nodes.find((n) => n.id === 'photo')!.params.source)).toContain(
        join(faces, `face-${i}.png`),
      );
    }

    const id = /batch (\w+): 9 images/.exec(result.stderr)![1]!;
    const status = await cli(['batch', 'status', '--queue', url, '--batch', id]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('8 done, 1 failed, 0 running, 0 waiting; finished in');
    expect(status.stdout).toMatch(/failed bad\.png: \[photo\] Load Image: /);
  });

  it('refuses a graph that does not validate before anything is enqueued', async () => {
    const before = await queue.getJobCounts();
    const doc = JSON.parse(readFileSync(graph, 'utf8'));
    doc.connections.push({ from: { node: 'nowhere', output: 'image' }, to: { node: 'save', input: 'image' } });
    writeFileSync(join(work, 'broken-graph.json'), JSON.stringify(doc));
    const result = await cli(['run', 'broken-graph.json', '--batch', 'faces', '--out', 'never', '--queue', url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^broken-graph\.json: connections\[\d+\]/m);
    expect(await queue.getJobCounts()).toEqual(before);
    expect(existsSync(join(work, 'never'))).toBe(false);
    // And a batch into a folder that already holds its outputs is refused rather than skipped silently.
    const again = await cli(['run', graph, '--batch', 'faces', '--out', 'out', '--queue', url, ...short]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("8 of the batch's image folders already hold outputs");
    expect(await queue.getJobCounts()).toEqual(before);
  });

  it('lets a worker finish its job on SIGTERM and exit 0', async () => {
    mkdirSync(join(work, 'one'));
    copyFileSync(demoFace, join(work, 'one/last.png'));
    const added = await cli([
      'run',
      graph,
      '--batch',
      'one',
      '--out',
      'one-out',
      '--queue',
      url,
      '--no-wait',
      ...short,
      '--set',
      // 30 steps: long enough (most of a second or more on a warm worker) that SIGTERM lands inside the job.
      'edit.steps=30',
    ]);
    expect(added.code).toBe(0);
    const id = added.stdout.trim();
    await survivor.when(/last\.png \(job \S+\) started/);
    survivor.child.kill('SIGTERM');
    expect(await survivor.exited).toEqual({ code: 0, signal: null });
    expect(survivor.log()).toContain('stopping (SIGTERM): finishing 1 running job');
    expect(survivor.log()).toMatch(/last\.png \(job \S+\) done/);
    expect(readdirSync(join(work, 'one-out/last'))).toEqual(['photo-happy.png']);
    const status = await cli(['batch', 'status', '--queue', url, '--batch', id]);
    expect(status.stdout).toContain('1 done, 0 failed, 0 running, 0 waiting');
  });

  it('hands its job back to the queue when SIGTERM leaves no grace, and exits 0', async () => {
    mkdirSync(join(work, 'two'));
    copyFileSync(demoFace, join(work, 'two/handed-back.png'));
    const worker = startWorker(['--lock', '3', '--grace', '0']);
    await worker.when(/listening on/);
    const added = await cli([
      'run',
      graph,
      '--batch',
      'two',
      '--out',
      'two-out',
      '--queue',
      url,
      '--no-wait',
      ...short,
      '--set',
      'edit.steps=30',
    ]);
    const id = added.stdout.trim();
    await worker.when(/handed-back\.png \(job \S+\) started/);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(worker.log()).toMatch(/handed-back\.png \(job \S+\) handed back to the queue/);
    expect(existsSync(join(work, 'two-out'))).toBe(false);
    const status = await cli(['batch', 'status', '--queue', url, '--batch', id]);
    expect(status.stdout).toContain('0 done, 0 failed, 0 running, 1 waiting');
  });

  it('stops waiting on Ctrl-C and leaves the jobs queued; status lists the batches', async () => {
    mkdirSync(join(work, 'three'));
    copyFileSync(demoFace, join(work, 'three/later.png'));
    const controller = new AbortController();
    // No worker is left: the job waits, and so would this command, until interrupted.
    const result = await cli(
      ['run', graph, '--batch', 'three', '--out', 'three-out', '--queue', url],
      controller.signal,
      (text) => {
        if (text.includes('no worker is listening yet')) controller.abort();
      },
    );
    expect(result.code).toBe(130);
    const id = /batch (\w+): 1 job on/.exec(result.stderr)![1]!;
    expect(result.stderr).toContain(`batch ${id}: stopped waiting; its jobs stay queued`);
    const status = await cli(['batch', 'status', '--queue', url]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`${url}: 0 workers listening`);
    // Newest first: this batch, then the one handed back, the SIGTERM one and the first.
    const listed = [...status.stdout.matchAll(/^batch (\w+): invert-then-edit\.json, (\d+) images? /gm)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(listed).toHaveLength(4);
    expect(listed[0]).toEqual([id, '1']);
    expect(listed[3]![1]).toBe('9');
    expect(status.stdout).toContain('0 done, 0 failed, 0 running, 1 waiting');
  });
});
