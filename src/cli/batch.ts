// `run --batch <folder>`: one graph applied to every image in a folder. The folder's images replace
// the source of one Load Image node (the one feeding an Invert, when there are several); each
// image's files go to a folder of its own under --out. One engine serves the whole batch, so the
// models load once and everything upstream of the image (corpus, subspace, …) is computed once.
import { open, readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import type { GraphDocument } from '../engine/graph/document.js';
import type { Engine } from '../engine/run/engine.js';
import type { NodeRegistry } from '../engine/graph/registry.js';
import { sniffImageFormat } from '../engine/tensor/image-file.js';
import type { CliIo } from './io.js';
import { relativeOrAbsolute, runGraph, writeOutputs } from './run.js';

const LOAD_IMAGE = 'image/load';
const INVERT = 'latent/invert';
/** The photo formats a batch takes. */
const IMAGES = new Set(['.jpg', '.jpeg', '.png', '.webp']);
/** Other image formats: listed as skipped rather than silently ignored. */
const OTHER_IMAGES = new Set(['.gif', '.bmp', '.avif', '.heic', '.tif', '.tiff']);

/** The Load Image node the folder's images go into, or an error that says how to choose one. */
export function batchSourceNode(doc: GraphDocument, registry: NodeRegistry, chosen?: string): string {
  const loads = doc.nodes.filter((n) => n.type === LOAD_IMAGE);
  const title = registry.get(LOAD_IMAGE)?.title ?? 'Load Image';
  if (chosen !== undefined) {
    const node = doc.nodes.find((n) => n.id === chosen);
    if (!node)
      throw new Error(
        `--batch-node: the graph has no node '${chosen}' (its nodes: ${doc.nodes.map((n) => n.id).join(', ')})`,
      );
    if (node.type !== LOAD_IMAGE)
      throw new Error(
        `--batch-node: '${chosen}' is a ${registry.get(node.type)?.title ?? node.type} node, not a ${title} node`,
      );
    return chosen;
  }
  if (loads.length === 0)
    throw new Error(`--batch needs a ${title} node to feed the folder's images into; this graph has none`);
  if (loads.length === 1) return loads[0]!.id;
  const inverts = new Set(doc.nodes.filter((n) => n.type === INVERT).map((n) => n.id));
  const feeding = loads.filter((l) => doc.connections.some((c) => c.from.node === l.id && inverts.has(c.to.node)));
  if (feeding.length === 1) return feeding[0]!.id;
  throw new Error(
    `the graph has ${loads.length} ${title} nodes (${loads.map((l) => l.id).join(', ')}); choose the one that takes the folder's images with --batch-node <id>`,
  );
}

/** The JPEG, PNG and WebP files in `dir` (sorted by name) and the other image files that will be skipped. */
export async function batchImages(dir: string, shown = dir): Promise<{ images: string[]; skipped: string[] }> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort((a, b) => a.localeCompare(b));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(
      `--batch ${shown}: ${code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : (e as Error).message}`,
    );
  }
  const images: string[] = [];
  const skipped: string[] = [];
  for (const name of names) {
    const ext = extname(name).toLowerCase();
    if (!IMAGES.has(ext) && !OTHER_IMAGES.has(ext)) continue;
    if (!(await stat(join(dir, name))).isFile()) continue;
    (IMAGES.has(ext) ? images : skipped).push(name);
  }
  return { images, skipped };
}

/**
 * Why the file is not a JPEG, PNG or WebP by its first bytes, or undefined when it looks like one:
 * a text file named .jpg is named here instead of failing somewhere inside the graph.
 */
async function notAnImage(path: string): Promise<string | undefined> {
  const file = await open(path, 'r');
  try {
    const head = new Uint8Array(16);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    const format = sniffImageFormat(head.subarray(0, bytesRead));
    if (format === 'jpeg' || format === 'png' || format === 'webp') return undefined;
    return format === 'unknown'
      ? 'its bytes are not a JPEG, PNG or WebP file'
      : `it is a ${format.toUpperCase()} file; a batch reads JPEG, PNG and WebP images only`;
  } finally {
    await file.close();
  }
}

/** A folder name for an image's outputs: its name without the extension, made safe. */
export function outputFolder(name: string, taken: Set<string>): string {
  const stem =
    name
      .slice(0, name.length - extname(name).length)
      .replace(/[^\w.-]/g, '_')
      .replace(/^\.+/, '') || 'image';
  let candidate = stem;
  for (let i = 2; taken.has(candidate.toLowerCase()); i++) candidate = `${stem}-${i}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

export interface BatchOptions {
  engine: Engine;
  doc: GraphDocument;
  registry: NodeRegistry;
  folder: string;
  outDir: string;
  node?: string;
  io: CliIo;
}

/** Runs the batch, printing each written path; returns them with the exit code (0 all ok, 1 some failed, 130 cancelled). */
export async function runBatch(options: BatchOptions): Promise<{ code: number; written: string[] }> {
  const { engine, doc, registry, io } = options;
  const source = batchSourceNode(doc, registry, options.node);
  const folder = resolve(io.cwd, options.folder);
  const { images, skipped } = await batchImages(folder, options.folder);
  for (const name of skipped) io.stderr.write(`batch: skipped ${name}: a batch reads JPEG, PNG and WebP images only\n`);
  if (images.length === 0) throw new Error(`--batch ${options.folder}: the folder has no JPEG, PNG or WebP images`);

  const written: string[] = [];
  const failed: string[] = [];
  const folders = new Set<string>();
  for (const [i, name] of images.entries()) {
    io.stderr.write(`batch: [${i + 1}/${images.length}] ${name}\n`);
    const notImage = await notAnImage(join(folder, name));
    if (notImage) {
      io.stderr.write(`batch: ${name} is not an image: ${notImage}\n`);
      failed.push(name);
      continue;
    }
    const one = structuredClone(doc);
    one.nodes.find((n) => n.id === source)!.params.source = join(folder, name);
    const summary = await runGraph(engine, one, io);
    const files = await writeOutputs(join(options.outDir, outputFolder(name, folders)), summary.files);
    for (const path of files) io.stdout.write(`${relativeOrAbsolute(io.cwd, path)}\n`);
    written.push(...files);
    if (summary.status === 'cancelled') return { code: 130, written };
    if (summary.status === 'failed') failed.push(name);
  }
  const ok = images.length - failed.length;
  io.stderr.write(
    `batch: ${images.length} ${images.length === 1 ? 'image' : 'images'}, ${ok} ok${failed.length ? `, ${failed.length} failed (${failed.join(', ')})` : ''}\n`,
  );
  return { code: failed.length ? 1 : 0, written };
}
