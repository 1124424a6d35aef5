// One process at a time on one machine: the lock is a directory, which mkdir makes for exactly one
// caller, with the owner's pid written inside; a lock whose owner has died is taken over. No
// lock-file package is among the dependencies, and this is all the locking test processes that
// share a temp folder need.
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A lock older than this with no owner written into it was left by a process killed mid-mkdir. */
export const OWNERLESS_LOCK_MS = 30_000;
const POLL_MS = 200;

function held(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'owner'), 'utf8'));
  } catch {
    // Not written yet (a fresh lock being taken) or never (its taker was killed).
    try {
      return Date.now() - statSync(lock).mtimeMs < OWNERLESS_LOCK_MS;
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `work` holding the lock directory `lock` (its parent must exist); waits at most `waitMs` for it. */
export async function withFolderLock<T>(lock: string, waitMs: number, work: () => Promise<T>): Promise<T> {
  const start = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (!held(lock)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() - start > waitMs)
        throw new Error(`${lock} is still held after ${Math.round(waitMs / 1000)} s; remove it if no process holds it`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
  writeFileSync(join(lock, 'owner'), String(process.pid));
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
