// The queue's command lines without a Redis server: wrong options are usage errors (exit 2) that
// say what is wrong, and a server that is not there is a clear failure (exit 1), not a hang.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const graph = join(root, 'graphs/test-pattern.json');
const work = mkdtempSync(join(tmpdir(), 'rcp-queue-cli-'));

const cli = (args: string[]) => runCli(args, work);

/** A port nothing listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('queue command lines', () => {
  it('lists worker and batch in the usage', async () => {
    const help = await cli(['--help']);
    expect(help.stdout).toMatch(/^ {2}worker +run queued batch jobs/m);
    expect(help.stdout).toMatch(/^ {2}batch +show a queued batch's progress/m);
  });

  it.each([
    [['worker'], '--queue needs a Redis URL, e.g. redis://127.0.0.1:6379'],
    [['worker', '--queue', 'http://host:6379'], 'expected a redis:// or rediss:// URL, got http://'],
    [['worker', '--queue', 'redis://h:1', '--device', 'gpu'], "--device must be auto, cpu or webgpu, got 'gpu'"],
    [
      ['worker', '--queue', 'redis://h:1', '--concurrency', '0'],
      "--concurrency must be a whole number of at least 1, got '0'",
    ],
    [['run', graph, '--queue', 'redis://h:1'], '--queue only goes with --batch <folder>'],
    [['run', graph, '--batch', 'x', '--no-wait'], '--no-wait only goes with --queue <url>'],
    [['batch'], 'batch needs a subcommand: status'],
    [['batch', 'list'], "unknown batch subcommand 'list' (known: status)"],
  ])('%j is a usage error', async (args, message) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('fails clearly when Redis is not there', async () => {
    const url = `redis://127.0.0.1:${await closedPort()}`;
    const status = await cli(['batch', 'status', '--queue', url]);
    expect(status).toMatchObject({ code: 1, stderr: expect.stringContaining(`cannot reach Redis at ${url}`) });
    mkdirSync(join(work, 'faces'));
    writeFileSync(join(work, 'faces/a.png'), 'x');
    const run = await cli(['run', graph, '--batch', 'faces', '--queue', url]);
    expect(run).toMatchObject({ code: 1, stderr: expect.stringContaining(`cannot reach Redis at ${url}`) });
  });

  it('refuses --device webgpu where the Node runtime has none', async () => {
    const result = await cli(['worker', '--queue', 'redis://127.0.0.1:1', '--device', 'webgpu']);
    expect(result).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(
        '--device webgpu: models here run on onnxruntime-node (CPU), which has no WebGPU',
      ),
    });
  });
});
