// Reading local files under Node (the CLI, tests): the bytes, and a fingerprint from the file's
// size and modification time, so an image edited on disk is read again on the next run without
// hashing every model file on every run.
import { readFile, stat } from 'node:fs/promises';
import type { ByteProgress, ReadResult } from './read.js';

/** `url` names the file in messages (what the user wrote). */
export async function readLocalFile(path: string, url: string, onProgress?: ByteProgress): Promise<ReadResult> {
  try {
    const [bytes, info] = await Promise.all([readFile(path), stat(path)]);
    onProgress?.(bytes.byteLength, bytes.byteLength);
    return { bytes: new Uint8Array(bytes), fingerprint: statFingerprint(info) };
  } catch (e) {
    throw new Error(`cannot read '${url}': ${problem(e)}`);
  }
}

export async function localFileFingerprint(path: string, url: string): Promise<string> {
  try {
    return statFingerprint(await stat(path));
  } catch (e) {
    throw new Error(`cannot read '${url}': ${problem(e)}`);
  }
}

export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function statFingerprint(info: { size: number; mtimeMs: number }): string {
  return `file:${info.size}:${info.mtimeMs}`;
}

function problem(e: unknown): string {
  return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
}
