// Opening a bundle folder in the browser: the files of a folder pick (<input webkitdirectory>), a
// folder dropped on the page (DataTransferItem entries) or a directory handle (showDirectoryPicker),
// checked as a bundle and copied into the origin private file system. Load Models' bundle control
// and the app's models panel both open folders through `openBundleFolder`, so they agree on what
// a kept folder is and what its bundle param says.
import { checkPickedBundle, folderSource, pickedFolder } from '../engine/models/folders.js';
import { keepFolder } from '../engine/models/kept-folders.js';

/** A file with its path from the top of the opened folder (`demo/generator.onnx`). */
export interface FolderEntry {
  path: string;
  file: File;
}

/** The files of an `<input type=file webkitdirectory>` pick. */
export function entriesFromFileList(files: ArrayLike<File>): FolderEntry[] {
  return Array.from(files, (file) => ({ path: file.webkitRelativePath || file.name, file }));
}

function readAllEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  // readEntries hands out a folder in batches (100 in Chromium) until it returns an empty one.
  return new Promise((resolve, reject) => {
    const all: FileSystemEntry[] = [];
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

async function walkEntry(entry: FileSystemEntry, prefix: string, out: FolderEntry[]): Promise<void> {
  const path = prefix + entry.name;
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ path, file });
  } else if (entry.isDirectory) {
    for (const e of await readAllEntries((entry as FileSystemDirectoryEntry).createReader()))
      await walkEntry(e, `${path}/`, out);
  }
}

/**
 * The files of one folder dropped on the page, or undefined when the drop holds no folder (plain
 * files, a URL). Entries must be taken while the drop event is being handled: the list empties after.
 */
export function entriesFromDrop(data: DataTransfer): Promise<FolderEntry[]> | undefined {
  const entries = Array.from(data.items)
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry?.())
    .filter((e): e is FileSystemEntry => !!e);
  const folders = entries.filter((e) => e.isDirectory);
  if (folders.length === 0) return undefined;
  return (async () => {
    if (folders.length > 1 || entries.length > 1)
      throw new Error(`drop one bundle folder (got ${entries.map((e) => e.name).join(', ')})`);
    const out: FolderEntry[] = [];
    await walkEntry(folders[0]!, '', out);
    return out;
  })();
}

/** The files under a directory handle (showDirectoryPicker), with the folder's name on top. */
export async function entriesFromHandle(folder: FileSystemDirectoryHandle): Promise<FolderEntry[]> {
  const out: FolderEntry[] = [];
  const walk = async (dir: FileSystemDirectoryHandle, prefix: string) => {
    for await (const [name, handle] of (
      dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }
    ).entries()) {
      if (handle.kind === 'file')
        out.push({ path: prefix + name, file: await (handle as FileSystemFileHandle).getFile() });
      else await walk(handle as FileSystemDirectoryHandle, `${prefix}${name}/`);
    }
  };
  await walk(folder, `${folder.name}/`);
  return out;
}

export type CopyProgress = (written: number, total: number, path: string) => void;

/**
 * Checks the opened folder as a bundle (manifest.json at its top, valid, every listed file there),
 * copies it into the browser's storage and returns the bundle param that names it
 * (`folder:<name>/manifest.json`) with the folder's name. Throws with a message naming the folder.
 */
export async function openBundleFolder(
  entries: readonly FolderEntry[],
  onProgress?: CopyProgress,
): Promise<{ name: string; source: string }> {
  const picked = pickedFolder(entries);
  const manifest = picked.files.find((f) => f.path === 'manifest.json')!;
  checkPickedBundle(
    picked.name,
    await manifest.file.text(),
    picked.files.map((f) => f.path),
  );
  await keepFolder(picked.name, picked.files, onProgress);
  return { name: picked.name, source: folderSource(picked.name) };
}
