// The dependency rules bite: an upward import (the engine reaching into the node catalogue) and a
// cycle of static imports are reported, while the repository itself has no violation.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { dependencyViolations } from '../../tools/deps/lint.mjs';

const lint = dependencyViolations as (paths?: string[], baseDir?: string) => Promise<string[]>;

/** A throwaway tree laid out like the repository's src/. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'rcp-deps-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('dependency rules', () => {
  it('refuse an engine module that imports the node catalogue, even for a type only', async () => {
    const dir = tree({
      'src/nodes/registry.ts': 'export const catalogue = 1;\n',
      'src/engine/run/engine.ts': "import { catalogue } from '../../nodes/registry.js';\nexport const x = catalogue;\n",
      'src/engine/graph/validate.ts':
        "import type { catalogue } from '../../nodes/registry.js';\nexport type X = typeof catalogue;\n",
    });
    const found = await lint(['src'], dir);
    expect(found).toEqual(
      expect.arrayContaining([
        'engine-is-generic: src/engine/run/engine.ts → src/nodes/registry.ts',
        'engine-is-generic: src/engine/graph/validate.ts → src/nodes/registry.ts',
      ]),
    );
  });

  it('refuse nodes importing the plugin and the plugin importing the app', async () => {
    const dir = tree({
      'src/plugin/setup.ts': "import { app } from '../ui/app.js';\nexport const s = app;\n",
      'src/ui/app.ts': 'export const app = 1;\n',
      'src/nodes/basic/load.ts': "import { s } from '../../plugin/setup.js';\nexport const l = s;\n",
    });
    expect(await lint(['src'], dir)).toEqual(
      expect.arrayContaining([
        'nodes-know-no-editor: src/nodes/basic/load.ts → src/plugin/setup.ts',
        'plugin-knows-no-app: src/plugin/setup.ts → src/ui/app.ts',
      ]),
    );
  });

  it('refuse a cycle of static imports but allow a lazy import() back', async () => {
    const dir = tree({
      'src/engine/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
      'src/engine/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
      'src/engine/lazy.ts': "export const load = () => import('./part.js');\n",
      'src/engine/part.ts': "import { load } from './lazy.js';\nexport const p = load;\n",
    });
    const found = await lint(['src'], dir);
    const cycles = found.filter((v) => v.startsWith('no-circular'));
    // One report for the static cycle (from whichever end is met first), none for the lazy one.
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toMatch(/^no-circular: src\/engine\/[ab]\.ts → src\/engine\/[ab]\.ts/);
  });

  it('hold in the repository', async () => {
    expect(await lint()).toEqual([]);
  }, 60_000);
});
