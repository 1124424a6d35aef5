// Bundle folders opened in the app. Their files are copied into the browser's origin private file
// system (OPFS) under `bundles/<folder name>/`, and a graph names them `folder:<name>/manifest.json`.
// This module is the pure part: the names, the path mapping and the checks of a picked folder;
// kept-folders.ts reads and writes OPFS.
import { bundleFiles, parseManifest } from './manifest.js';

/** The scheme of a bundle kept in the browser: `folder:<name>/manifest.json`. */
export const FOLDER_SCHEME = 'folder:';

/** The OPFS folder every kept bundle folder lives under. */
export const KEPT_BUNDLES_DIR = 'bundles';

export function isFolderSource(source: string): boolean {
  return source.trim().toLowerCase().startsWith(FOLDER_SCHEME);
}

/** Why `name` cannot name a kept folder, or null when it can. */
export function folderNameProblem(name: string): string | null {
  if (name.trim() === '') return 'a folder name cannot be empty';
  if (name === '.' || name === '..') return `'${name}' cannot name a folder`;
  if (/[/\\]/.test(name)) return `a folder name cannot contain / or \\ (got '${name}')`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f]/.test(name)) return `the folder name '${name}' holds control characters`;
  return null;
}

/** The bundle param that names a kept folder's manifest. */
export function folderSource(name: string): string {
  const problem = folderNameProblem(name);
  if (problem) throw new Error(problem);
  return `${FOLDER_SCHEME}${encodeURIComponent(name)}/manifest.json`;
}

/** A `folder:` URL split into the kept folder's name and the file's path inside it. */
export interface FolderPath {
  folder: string;
  /** Path segments inside the folder, e.g. ['onnx', 'generator.onnx']. */
  path: string[];
}

/** Reads `folder:<name>/<path>`; a bare `folder:<name>` or `folder:<name>/` means its manifest.json. */
export function parseFolderUrl(url: string): FolderPath {
  const trimmed = url.trim();
  if (!isFolderSource(trimmed)) throw new Error(`'${url}' is not a folder: URL (folder:<name>/manifest.json)`);
  const rest = trimmed.slice(FOLDER_SCHEME.length).replace(/[?#].*$/, '');
  const parts = rest.split('/');
  const folder = decodeSegment(parts[0] ?? '', url);
  const problem = folderNameProblem(folder);
  if (problem) throw new Error(`'${url}' names no kept folder: ${problem}`);
  const path = parts
    .slice(1)
    .filter((p) => p !== '' && p !== '.')
    .map((p) => decodeSegment(p, url));
  if (path.includes('..')) throw new Error(`'${url}' leaves its folder (..)`);
  return { folder, path: path.length === 0 ? ['manifest.json'] : path };
}

function decodeSegment(segment: string, url: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new Error(`'${url}' is not a valid folder: URL (bad % escape in '${segment}')`);
  }
}

/** `file` (relative to the manifest, as manifests name files) resolved against a `folder:` manifest URL. */
export function resolveFolderFile(manifest: string, file: string): string {
  const { folder, path } = parseFolderUrl(manifest);
  // Segments from the kept-bundles root: ../faces/x.onnx names the kept folder 'faces', as it names
  // the sibling bundle folder of a served bundle.
  const out = [folder, ...path.slice(0, -1)];
  for (const part of file.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) throw new Error(`${file} (from ${manifest}) leaves the kept bundle folders`);
      out.pop();
    } else out.push(part);
  }
  if (out.length < 2) throw new Error(`${file} (from ${manifest}) names a folder, not a file`);
  return FOLDER_SCHEME + out.map(encodeURIComponent).join('/');
}

/** What the user gave when opening a folder: each file with its path inside the folder. */
export interface PickedFolder<F> {
  /** The folder's own name (the top of every webkitRelativePath). */
  name: string;
  files: { path: string; file: F }[];
}

/**
 * The bundle folder in a folder pick: `paths` are as `<input webkitdirectory>` gives them
 * (`demo/onnx/generator.onnx`). The folder must hold manifest.json at its top; otherwise the
 * message names the folder.
 */
export function pickedFolder<F>(entries: readonly { path: string; file: F }[]): PickedFolder<F> {
  if (entries.length === 0) throw new Error('the chosen folder is empty, so it is not a model bundle');
  const tops = new Set(entries.map((e) => e.path.split('/')[0] ?? ''));
  if (tops.size !== 1 || entries.some((e) => !e.path.includes('/')))
    throw new Error(
      `choose one bundle folder (got ${[...tops].slice(0, 5).join(', ')}${tops.size > 5 ? ', …' : ''}), the folder that holds manifest.json`,
    );
  const name = [...tops][0]!;
  const problem = folderNameProblem(name);
  if (problem) throw new Error(`the folder cannot be kept: ${problem}`);
  const files = entries.map((e) => ({ path: e.path.slice(name.length + 1), file: e.file }));
  if (!files.some((f) => f.path === 'manifest.json')) {
    const nested = files.filter((f) => f.path.endsWith('/manifest.json')).map((f) => `${name}/${f.path}`);
    throw new Error(
      `the folder ${name} has no manifest.json, so it is not a model bundle` +
        (nested.length ? ` (open the folder of ${nested.slice(0, 3).join(' or ')} instead)` : ''),
    );
  }
  return { name, files };
}

/**
 * Checks a picked bundle before anything is copied: the manifest is valid and every file it lists
 * inside the folder is there. Files it names outside the folder (`../faces/…`) are read from their
 * own kept folder at load time.
 */
export function checkPickedBundle(name: string, manifestText: string, paths: readonly string[]): void {
  const manifest = parseManifest(manifestText, `${name}/manifest.json`);
  const have = new Set(paths);
  const missing = bundleFiles(manifest)
    .map((f) => f.file)
    .filter((file) => !file.startsWith('../'))
    .map((file) => file.replace(/^\.\//, ''))
    .filter((file) => !have.has(file));
  if (missing.length > 0)
    throw new Error(
      `the folder ${name} lacks ${missing.length === 1 ? 'a file' : `${missing.length} files`} its manifest lists: ${missing.join(', ')}`,
    );
}

/** The message for a `folder:` bundle whose kept copy is gone (cleared site data, removed in Models). */
export function missingFolderMessage(folder: string): string {
  return `the bundle folder '${folder}' is no longer kept in this browser (removed, or the site's storage was cleared); open the folder again with Load Models' Open folder…`;
}

/** What a host without the browser's storage (the CLI) says about a `folder:` bundle. */
export function folderOutsideBrowserMessage(url: string): string {
  let name = url;
  try {
    name = parseFolderUrl(url).folder;
  } catch {
    // A malformed folder: URL is still one: the message below holds for it too.
  }
  return `'${url}' names the bundle folder '${name}' opened in the app: folders opened in the app live in the browser; give the path of the folder instead`;
}
