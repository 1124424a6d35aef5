// Bundle folders kept in the browser's origin private file system (OPFS): copied there when the
// user opens a folder (page), read from there by the engine's worker, listed and removed by the
// models panel. OPFS is the browser's own storage for files: it keeps hundreds of MB per origin,
// survives reloads and is readable from workers, which Cache Storage and IndexedDB copies of a
// folder would also be, but without a file tree. Files kept here are not put into Cache Storage.
import type { ByteProgress } from '../io/read.js';
import { KEPT_BUNDLES_DIR, missingFolderMessage, parseFolderUrl } from './folders.js';

/** One file to keep: its path inside the bundle folder and a Blob (a File from a pick or a drop). */
export interface FolderFile {
  path: string;
  file: Blob;
}

/** A kept folder as the models panel lists it. */
export interface KeptFolder {
  name: string;
  files: { path: string; bytes: number }[];
  bytes: number;
  /** The manifest's text; undefined when the copy is incomplete (manifest.json is written last). */
  manifest: string | undefined;
}

type DirectoryEntries = { entries(): AsyncIterable<[string, FileSystemHandle]> };

async function opfsRoot(): Promise<FileSystemDirectoryHandle> {
  const storage = (
    globalThis as { navigator?: { storage?: { getDirectory?: () => Promise<FileSystemDirectoryHandle> } } }
  ).navigator?.storage;
  if (!storage?.getDirectory)
    throw new Error(
      "this browser has no origin private file system (navigator.storage.getDirectory), so it cannot keep bundle folders; serve the bundle and enter its manifest's URL instead",
    );
  return storage.getDirectory();
}

async function bundlesDir(create: boolean): Promise<FileSystemDirectoryHandle | undefined> {
  try {
    return await (await opfsRoot()).getDirectoryHandle(KEPT_BUNDLES_DIR, { create });
  } catch (e) {
    if ((e as DOMException).name === 'NotFoundError') return undefined;
    throw e;
  }
}

async function child(dir: FileSystemDirectoryHandle, name: string): Promise<FileSystemDirectoryHandle | undefined> {
  try {
    return await dir.getDirectoryHandle(name);
  } catch (e) {
    const n = (e as DOMException).name;
    if (n === 'NotFoundError' || n === 'TypeMismatchError') return undefined;
    throw e;
  }
}

/** The File at a `folder:` URL, with a message naming the folder or the file when it is not there. */
async function keptFile(url: string): Promise<File> {
  const { folder, path } = parseFolderUrl(url);
  const root = await bundlesDir(false);
  let dir = root ? await child(root, folder) : undefined;
  if (!dir) throw new Error(missingFolderMessage(folder));
  for (const part of path.slice(0, -1)) {
    dir = await child(dir, part);
    if (!dir) break;
  }
  const name = path[path.length - 1]!;
  try {
    if (dir) return await (await dir.getFileHandle(name)).getFile();
  } catch (e) {
    const n = (e as DOMException).name;
    if (n !== 'NotFoundError' && n !== 'TypeMismatchError') throw e;
  }
  throw new Error(
    `${path.join('/')} is not in the kept bundle folder '${folder}' (open the folder again if it changed)`,
  );
}

/** Reads a kept file, streaming it to report progress (model files are hundreds of MB). */
export async function readKeptFile(url: string, signal: AbortSignal, onProgress?: ByteProgress): Promise<Uint8Array> {
  signal.throwIfAborted();
  const file = await keptFile(url);
  const bytes = new Uint8Array(file.size);
  let offset = 0;
  const reader = file.stream().getReader();
  for (;;) {
    signal.throwIfAborted();
    const { done, value } = await reader.read();
    if (done) break;
    bytes.set(value, offset);
    offset += value.byteLength;
    onProgress?.(offset, file.size);
  }
  onProgress?.(offset, file.size);
  return offset === bytes.byteLength ? bytes : bytes.slice(0, offset);
}

/** Changes when the kept file is written again (a folder opened again). */
export async function keptFileFingerprint(url: string, signal: AbortSignal): Promise<string> {
  signal.throwIfAborted();
  const file = await keptFile(url);
  return `kept:${file.size}:${file.lastModified}`;
}

/**
 * Copies a folder's files into `bundles/<name>/`, streamed, reporting bytes written over the
 * folder's total. An earlier copy kept under that name is replaced (the user's own folder is only
 * read). manifest.json is written last, so a copy that stops halfway lists as incomplete and fails
 * to load with a message, never as a bundle missing files.
 */
export async function keepFolder(
  name: string,
  files: readonly FolderFile[],
  onProgress?: (written: number, total: number, path: string) => void,
): Promise<void> {
  const root = (await bundlesDir(true))!;
  await root.removeEntry(name, { recursive: true }).catch((e: DOMException) => {
    if (e.name !== 'NotFoundError') throw e;
  });
  const folder = await root.getDirectoryHandle(name, { create: true });
  const ordered = [
    ...files.filter((f) => f.path !== 'manifest.json'),
    ...files.filter((f) => f.path === 'manifest.json'),
  ];
  const total = files.reduce((sum, f) => sum + f.file.size, 0);
  let written = 0;
  for (const { path, file } of ordered) {
    const parts = path.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.length === 0 || parts.includes('..'))
      throw new Error(`cannot keep '${path}': not a path inside the folder`);
    let dir = folder;
    for (const part of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(part, { create: true });
    const handle = await dir.getFileHandle(parts[parts.length - 1]!, { create: true });
    if (typeof handle.createWritable !== 'function')
      throw new Error('this browser cannot write files into its private file system here (createWritable)');
    const writable = await handle.createWritable();
    const before = written;
    const counter = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        written += chunk.byteLength;
        onProgress?.(written, total, path);
        controller.enqueue(chunk);
      },
    });
    try {
      await file.stream().pipeThrough(counter).pipeTo(writable);
    } catch (e) {
      throw new Error(
        `could not keep ${name}/${path} (${written - before} of ${file.size} bytes written): ${(e as Error).message}`,
      );
    }
    onProgress?.(written, total, path);
  }
}

async function walk(
  dir: FileSystemDirectoryHandle,
  prefix: string,
  out: { path: string; file: FileSystemFileHandle }[],
) {
  for await (const [name, handle] of (dir as unknown as DirectoryEntries).entries()) {
    if (handle.kind === 'file') out.push({ path: prefix + name, file: handle as FileSystemFileHandle });
    else await walk(handle as FileSystemDirectoryHandle, `${prefix}${name}/`, out);
  }
}

/** One kept folder's files and manifest. */
async function readKeptFolder(name: string, dir: FileSystemDirectoryHandle): Promise<KeptFolder> {
  const found: { path: string; file: FileSystemFileHandle }[] = [];
  await walk(dir, '', found);
  const files: KeptFolder['files'] = [];
  let manifest: string | undefined;
  for (const f of found) {
    const file = await f.file.getFile();
    files.push({ path: f.path, bytes: file.size });
    if (f.path === 'manifest.json') manifest = await file.text();
  }
  files.sort((a, b) => a.path.localeCompare(b.path));
  return { name, files, bytes: files.reduce((s, f) => s + f.bytes, 0), manifest };
}

/**
 * Every kept folder, by name, with its files and manifest. A folder that goes away while it is
 * read (a copy under its name replaces it, or it is removed) is left out: the listing after that
 * copy or removal shows what is there then.
 */
export async function listKeptFolders(): Promise<KeptFolder[]> {
  const root = await bundlesDir(false);
  if (!root) return [];
  const folders: KeptFolder[] = [];
  for await (const [name, handle] of (root as unknown as DirectoryEntries).entries()) {
    if (handle.kind !== 'directory') continue;
    try {
      folders.push(await readKeptFolder(name, handle as FileSystemDirectoryHandle));
    } catch (e) {
      if ((e as DOMException).name !== 'NotFoundError') throw e;
    }
  }
  return folders.sort((a, b) => a.name.localeCompare(b.name));
}

/** Deletes a kept folder; false when there was none by that name. */
export async function removeKeptFolder(name: string): Promise<boolean> {
  const root = await bundlesDir(false);
  if (!root) return false;
  try {
    await root.removeEntry(name, { recursive: true });
    return true;
  } catch (e) {
    if ((e as DOMException).name === 'NotFoundError') return false;
    throw e;
  }
}
