// The lock the shared realshape bundle is built under: callers take turns, a lock whose owner
// died or that never got an owner is taken over, a live one makes a waiter give up with a message.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OWNERLESS_LOCK_MS, withFolderLock } from './folder-lock.js';
import { tempDir } from './helpers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('withFolderLock', () => {
  it('lets one caller in at a time and removes the lock after each', async () => {
    const lock = join(tempDir('lock'), 'lock');
    const events: string[] = [];
    const results = await Promise.all(
      [0, 1, 2].map((i) =>
        withFolderLock(lock, 10_000, async () => {
          events.push(`in ${i}`);
          expect(existsSync(join(lock, 'owner'))).toBe(true);
          await sleep(300);
          events.push(`out ${i}`);
          return i;
        }),
      ),
    );
    expect(results).toEqual([0, 1, 2]);
    for (let k = 0; k < events.length; k += 2) expect(events[k + 1]).toBe(events[k]!.replace('in', 'out'));
    expect(existsSync(lock)).toBe(false);
  });

  it('releases the lock when the work throws', async () => {
    const lock = join(tempDir('lock'), 'lock');
    await expect(
      withFolderLock(lock, 1000, async () => {
        throw new Error('build failed');
      }),
    ).rejects.toThrow('build failed');
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a lock whose owner has died, and one that never got an owner', async () => {
    const dir = tempDir('lock');
    const dead = join(dir, 'dead');
    mkdirSync(dead);
    writeFileSync(join(dead, 'owner'), String(deadPid()));
    await expect(withFolderLock(dead, 1000, async () => 'ran')).resolves.toBe('ran');

    const ownerless = join(dir, 'ownerless');
    mkdirSync(ownerless);
    const old = (Date.now() - OWNERLESS_LOCK_MS - 1000) / 1000;
    utimesSync(ownerless, old, old);
    await expect(withFolderLock(ownerless, 1000, async () => 'ran')).resolves.toBe('ran');
  });

  it('waits for a live owner and gives up after the wait, naming the lock', async () => {
    const lock = join(tempDir('lock'), 'lock');
    mkdirSync(lock);
    writeFileSync(join(lock, 'owner'), String(process.pid));
    let ran = false;
    await expect(
      withFolderLock(lock, 500, async () => {
        ran = true;
      }),
    ).rejects.toThrow(`${lock} is still held after 1 s; remove it if no process holds it`);
    expect(ran).toBe(false);
    expect(existsSync(join(lock, 'owner'))).toBe(true);
  });
});
