// Where queued jobs put their files: a folder (local, or shared between machines) or an
// S3-compatible bucket. A job may run more than once (a worker killed after writing but before
// telling the queue), so every write is "put if absent": the second completion finds the file
// there and leaves it alone, and each output is written exactly once.
import { randomBytes } from 'node:crypto';
import { link, mkdir, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';

export interface OutputStore {
  /** The folder or s3://bucket/prefix, as the user wrote it (absolute for folders). */
  readonly location: string;
  /** Writes `bytes` at `key` ('<image folder>/<file name>') unless something is there already; true when it wrote. */
  putIfAbsent(key: string, bytes: Uint8Array, contentType?: string): Promise<boolean>;
  /** The image folders directly under the location that hold at least one output. */
  foldersWithOutputs(): Promise<Set<string>>;
  /** A key as the user would name it: a path, or an s3:// URL. */
  shown(key: string): string;
}

/** Opens `--out`: s3://bucket/prefix, or a folder (resolved against `cwd`). */
export async function openOutputStore(target: string, cwd: string): Promise<OutputStore> {
  if (/^s3:\/\//i.test(target)) {
    const { openS3Store } = await import('./s3-store.js');
    return openS3Store(target);
  }
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(target))
    throw new Error(`--out ${target}: only folders and s3://bucket/prefix are supported`);
  return new FolderStore(resolve(cwd, target));
}

export class FolderStore implements OutputStore {
  readonly location: string;

  constructor(root: string) {
    if (!isAbsolute(root)) throw new Error(`an output folder must be an absolute path, got '${root}'`);
    this.location = root;
  }

  shown(key: string): string {
    return this.path(key);
  }

  async putIfAbsent(key: string, bytes: Uint8Array): Promise<boolean> {
    const target = this.path(key);
    const dir = dirname(target);
    await mkdir(dir, { recursive: true });
    // The file appears under its own name only once complete: written to a hidden temporary name in
    // the same folder first. A hard link is the no-clobber form of rename (rename(2) replaces an
    // existing file silently; Node has no renameat2 RENAME_NOREPLACE), so of two completions racing
    // for the same name exactly one wins and the other sees EEXIST.
    const temporary = join(
      dir,
      `.${target.slice(dir.length + 1)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
    );
    await writeFile(temporary, bytes);
    try {
      await link(temporary, target);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      // Filesystems without hard links (some network and FAT mounts): check, then rename. Two
      // completions finishing within the same instant could then both write, with the same bytes.
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EOPNOTSUPP') {
        if (await exists(target)) return false;
        await rename(temporary, target);
        return true;
      }
      throw new Error(`cannot write ${target}: ${(e as Error).message}`);
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
  }

  async foldersWithOutputs(): Promise<Set<string>> {
    const found = new Set<string>();
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(this.location, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return found;
      throw e;
    }
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const inside = await readdir(join(this.location, entry.name));
      if (inside.some((name) => !name.startsWith('.'))) found.add(entry.name);
    }
    return found;
  }

  private path(key: string): string {
    const path = resolve(this.location, key);
    if (!path.startsWith(this.location + sep)) throw new Error(`output name '${key}' leaves the output folder`);
    return path;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
