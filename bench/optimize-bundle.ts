// Which bundle the optimize bench measures (its own module: the bench entry and its browser part
// both need it, and the entry cannot be imported back while its top-level await runs).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeOptimizeBundle } from '../test/optimize/fixture.js';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DEMO = join(ROOT, 'public/models/demo');

/** The bundle to measure: the demo bundle once it has its manifest (and CLIP), else the test bundle. */
export async function benchBundleDir(): Promise<{ dir: string; label: string }> {
  if (existsSync(join(DEMO, 'manifest.json')) && existsSync(join(DEMO, 'clip_image.onnx')))
    return { dir: DEMO, label: 'demo' };
  return { dir: await writeOptimizeBundle({ name: 'bench' }), label: 'demo generator + test CLIP (32 px, 16-d)' };
}
