// What a lent accelerator machine without Node or node_modules needs to run the project's Node
// scripts: an xz-compressed `node` binary and onnxruntime-node's Linux x64 files, its large shared
// library xz-compressed too (the machine takes at most 64 MiB of upload). `unpack.sh` (sourced
// there) undoes both with Python's lzma module, since the machine may have no `xz`.
//   npx tsx tools/device/carry.ts <dir> [--level 0-9]   → <dir>/node.xz, <dir>/ort/
import { execFileSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const LINUX_X64 = join('bin', 'napi-v6', 'linux', 'x64');
export const ORT_LIBRARY = 'libonnxruntime.so.1';

/** Compresses `source` into `dest` with the xz command (multi-threaded), at preset `level`. */
export function xzFile(source: string, dest: string, level: number): void {
  if (!Number.isInteger(level) || level < 0 || level > 9) throw new Error(`xz level ${level}: expected 0 to 9`);
  mkdirSync(dirname(dest), { recursive: true });
  const fd = openSync(dest, 'w');
  try {
    execFileSync('xz', [`-${level}`, '-T0', '-c', source], { stdio: ['ignore', fd, 'pipe'] });
  } catch (e) {
    throw new Error(`xz ${source} → ${dest} failed (is the xz command installed?): ${(e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** The running node binary as `dest` (xz). */
export function writeNodeXz(dest: string, level = 9): void {
  xzFile(process.execPath, dest, level);
}

/** The folder of an installed package, found the way Node resolves it from this module. */
function packageFolder(name: string, from: string): string {
  // Not resolve(`${name}/package.json`): packages with an "exports" map may not export it.
  const found = (createRequire(from).resolve.paths(name) ?? [])
    .map((dir) => join(dir, name))
    .find((dir) => existsSync(join(dir, 'package.json')));
  if (!found) throw new Error(`${name} is not installed (npm install)`);
  return found;
}

/**
 * onnxruntime-node as a package folder at `dest` (package.json, dist/, the Linux x64 binding,
 * onnxruntime-common in its own node_modules), with libonnxruntime.so.1 replaced by
 * libonnxruntime.so.1.xz at the folder's root. `import('onnxruntime-node')` finds it when `dest`
 * is <somewhere>/node_modules/onnxruntime-node; `require(dest)` works from anywhere.
 */
export function writeOrtPackage(dest: string, level = 9): void {
  const ort = packageFolder('onnxruntime-node', import.meta.url);
  const common = packageFolder('onnxruntime-common', pathToFileURL(join(ort, 'package.json')).href);
  const binary = join(ort, LINUX_X64);
  if (!existsSync(join(binary, ORT_LIBRARY)))
    throw new Error(`${binary}: no ${ORT_LIBRARY}; onnxruntime-node was installed without its Linux x64 files`);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  cpSync(join(ort, 'package.json'), join(dest, 'package.json'));
  cpSync(join(ort, 'dist'), join(dest, 'dist'), { recursive: true });
  cpSync(binary, join(dest, LINUX_X64), {
    recursive: true,
    filter: (src) => !src.endsWith(ORT_LIBRARY),
  });
  cpSync(common, join(dest, 'node_modules', 'onnxruntime-common'), { recursive: true });
  xzFile(join(binary, ORT_LIBRARY), join(dest, `${ORT_LIBRARY}.xz`), level);
}

/** Total size in bytes of the files under `path`. */
export function folderBytes(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((sum, name) => sum + folderBytes(join(path, name)), 0);
}

/** Reads `--level N` from argv (default 9). */
export function levelOption(argv: readonly string[]): number {
  const i = argv.indexOf('--level');
  if (i < 0) return 9;
  const level = Number(argv[i + 1]);
  if (!Number.isInteger(level) || level < 0 || level > 9) throw new Error(`--level ${argv[i + 1]}: expected 0 to 9`);
  return level;
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  const dir = process.argv[2];
  if (!dir || dir.startsWith('--')) {
    process.stderr.write('usage: tsx tools/device/carry.ts <dir> [--level 0-9]\n');
    process.exit(2);
  }
  const level = levelOption(process.argv);
  writeNodeXz(join(dir, 'node.xz'), level);
  writeOrtPackage(join(dir, 'ort'), level);
  process.stdout.write(`${dir}: node.xz, ort/ (${(folderBytes(dir) / 2 ** 20).toFixed(1)} MiB)\n`);
}
