// Writes the folder a lent accelerator machine (Python with PyTorch and onnx, but no Node and no
// node_modules, at most 64 MiB of upload) needs for device-check.sh: the xz-compressed node and
// onnxruntime-node (tools/device/carry.ts), and check.mjs, device-table.ts with check-onnx.ts
// bundled by esbuild into one plain ES module, so the device runs the very check the tests run.
//   npx tsx tools/export/device-kit.ts <dir> [--level 0-9]   (xz preset, default 9)
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { folderBytes, levelOption, writeNodeXz, writeOrtPackage } from '../device/carry.js';

const here = dirname(fileURLToPath(import.meta.url));
export const KIT_LIMIT = 64 * 2 ** 20;

/** Bundles device-table.ts (and check-onnx.ts with the engine code it uses) into `dest`. */
export async function bundleCheck(dest: string): Promise<void> {
  await build({
    entryPoints: [join(here, 'device-table.ts')],
    outfile: dest,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['onnxruntime-node'],
    logLevel: 'error',
  });
}

/** Writes the kit into `dir`; returns its size in bytes (an error above the 64 MiB upload limit). */
export async function writeDeviceKit(dir: string, level = 9): Promise<number> {
  mkdirSync(dir, { recursive: true });
  await bundleCheck(join(dir, 'check.mjs'));
  writeNodeXz(join(dir, 'node.xz'), level);
  writeOrtPackage(join(dir, 'node_modules', 'onnxruntime-node'), level);
  const bytes = folderBytes(dir);
  if (bytes > KIT_LIMIT)
    throw new Error(`${dir}: ${(bytes / 2 ** 20).toFixed(1)} MiB, above the machine's 64 MiB upload (try --level 9)`);
  return bytes;
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  const dir = process.argv[2];
  if (!dir || dir.startsWith('--')) {
    process.stderr.write('usage: tsx tools/export/device-kit.ts <dir> [--level 0-9]\n');
    process.exit(2);
  }
  const bytes = await writeDeviceKit(dir, levelOption(process.argv));
  process.stdout.write(
    `${dir}: check.mjs, node.xz, node_modules/onnxruntime-node (${(bytes / 2 ** 20).toFixed(1)} MiB)\n`,
  );
}
