// The Node side of the model cache: one file per URL in a folder, written atomically so an
// interrupted download never leaves a truncated model behind.

import type { BundleCache } from './cache.js';

// Specifiers in variables keep the browser bundler from following Node built-ins.
const FS = 'node:fs/promises';
const PATH = 'node:path';
const OS = 'node:os';
const CRYPTO = 'node:crypto';

export async function folderCache(dir?: string): Promise<BundleCache> {
  const fs = (await import(/* @vite-ignore */ FS)) as typeof import('node:fs/promises');
  const path = (await import(/* @vite-ignore */ PATH)) as typeof import('node:path');
  const os = (await import(/* @vite-ignore */ OS)) as typeof import('node:os');
  const crypto = (await import(/* @vite-ignore */ CRYPTO)) as typeof import('node:crypto');
  const root = dir ?? path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'rete-clip-pae');
  const fileFor = (key: string) => {
    const hash = crypto.createHash('sha256').update(key).digest('hex').slice(0, 32);
    const tail = (key.split(/[?#]/)[0]!.split('/').pop() || 'file').replace(/[^\w.-]/g, '_').slice(-60);
    return path.join(root, `${hash}-${tail}`);
  };
  return {
    description: root,
    async get(key) {
      try {
        return new Uint8Array(await fs.readFile(fileFor(key)));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new Error(`model cache ${root}: cannot read the entry for ${key}: ${(e as Error).message}`);
      }
    },
    async put(key, bytes) {
      await fs.mkdir(root, { recursive: true });
      const file = fileFor(key);
      const partial = `${file}.${process.pid}.${Date.now()}.partial`;
      await fs.writeFile(partial, bytes);
      await fs.rename(partial, file);
    },
  };
}
