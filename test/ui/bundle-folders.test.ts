// Gathering a bundle folder's files from a drop (DataTransferItem entries, read in batches) and from
// a directory handle, and the checks openBundleFolder makes before anything is copied. The copy into
// OPFS itself is exercised in headless chromium (test/browser/folders.test.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  entriesFromDrop,
  entriesFromHandle,
  entriesFromFileList,
  openBundleFolder,
} from '../../src/plugin/bundle-folders.js';

const demoDir = new URL('../../public/models/demo/', import.meta.url);

/** A FileSystemEntry tree as a drop gives it; folders hand out their entries `batch` at a time. */
function fileEntry(name: string, text = name) {
  return { name, isFile: true, isDirectory: false, file: (ok: (f: File) => void) => ok(new File([text], name)) };
}
function dirEntry(name: string, children: unknown[], batch = 2) {
  return {
    name,
    isFile: false,
    isDirectory: true,
    createReader() {
      let at = 0;
      return {
        readEntries(ok: (entries: unknown[]) => void) {
          const next = children.slice(at, at + batch);
          at += next.length;
          ok(next);
        },
      };
    },
  };
}
function drop(...entries: unknown[]): DataTransfer {
  return { items: entries.map((e) => ({ kind: 'file', webkitGetAsEntry: () => e })) } as unknown as DataTransfer;
}

describe('a dropped folder', () => {
  it('gives every file with its path from the folder, nested folders and batches included', async () => {
    const entries = await entriesFromDrop(
      drop(
        dirEntry('mydemo', [
          fileEntry('manifest.json'),
          fileEntry('a.onnx'),
          fileEntry('b.onnx'),
          dirEntry('sub', [fileEntry('c.bin', 'ccc')]),
        ]),
      ),
    )!;
    expect(entries.map((e) => e.path)).toEqual([
      'mydemo/manifest.json',
      'mydemo/a.onnx',
      'mydemo/b.onnx',
      'mydemo/sub/c.bin',
    ]);
    expect(await entries[3]!.file.text()).toBe('ccc');
  });

  it('is not taken when the drop holds only files (a graph, an image), and refused when it holds more than one thing', async () => {
    expect(entriesFromDrop(drop(fileEntry('graph.json')))).toBeUndefined();
    await expect(entriesFromDrop(drop(dirEntry('a', []), dirEntry('b', [])))!).rejects.toThrow(
      'drop one bundle folder (got a, b)',
    );
  });
});

describe('a directory handle', () => {
  it('gives its files under its own name', async () => {
    const handle = (name: string, children: Record<string, unknown>) => ({
      name,
      kind: 'directory',
      async *entries() {
        yield* Object.entries(children);
      },
    });
    const file = (text: string) => ({ kind: 'file', getFile: async () => new File([text], 'x') });
    const root = handle('mydemo', { 'manifest.json': file('{}'), sub: handle('sub', { 'g.onnx': file('g') }) });
    const entries = await entriesFromHandle(root as unknown as FileSystemDirectoryHandle);
    expect(entries.map((e) => e.path)).toEqual(['mydemo/manifest.json', 'mydemo/sub/g.onnx']);
  });
});

describe('opening a bundle folder', () => {
  const demoEntries = (skip: string[] = []) =>
    entriesFromFileList(
      readdirSync(demoDir)
        .filter((name) => !skip.includes(name))
        .map((name) => {
          const file = new File([readFileSync(new URL(name, demoDir))], name);
          Object.defineProperty(file, 'webkitRelativePath', { value: `mydemo/${name}` });
          return file;
        }),
    );

  it('refuses a folder without manifest.json, naming it, before copying anything', async () => {
    await expect(openBundleFolder(demoEntries(['manifest.json']))).rejects.toThrow(
      'the folder mydemo has no manifest.json, so it is not a model bundle',
    );
  });

  it('refuses a folder missing a file its manifest lists, before copying anything', async () => {
    await expect(openBundleFolder(demoEntries(['clip_text.onnx']))).rejects.toThrow(
      'the folder mydemo lacks a file its manifest lists: clip_text.onnx',
    );
  });

  it('copies a complete folder only where the browser can keep it (Node has no OPFS: a clear message)', async () => {
    await expect(openBundleFolder(demoEntries())).rejects.toThrow(/no origin private file system/);
  });
});
