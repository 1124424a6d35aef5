// Where things are in the repository, from this file's own place in it: tests and benchmarks never
// resolve paths from the working directory, so they run the same from any folder.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (no trailing slash). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A path under the repository root. */
export function repoPath(...parts: string[]): string {
  return join(REPO_ROOT, ...parts);
}
