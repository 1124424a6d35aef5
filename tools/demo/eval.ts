// npm run models:eval -- --seed <n> --count <k> [--edit-faces m] [--bundle dir] [--no-encoder]
// Renders k fresh faces from seed n with the bundle's generator and prints how the bundle's small CLIP
// and encoder do on them (zero-shot accuracy per attribute group, retrieval R@1, reconstruction), then
// edits m random faces (seeds n, n + 1, …; default 50, 0 leaves it out) toward "a happy face" with a
// text target through the app's optimizer and prints the edit goal: how often the true expression
// moves toward happy, and how often it ends happy.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_OUT } from './build.js';
import { evaluateBundle, formatReport, loadBundle } from './evaluate.js';

interface EvalArgs {
  seed: number;
  count: number;
  bundle: string;
  encoder: boolean;
  editFaces: number;
}

const OPTIONS = '--seed n, --count k, --edit-faces m, --bundle dir, --no-encoder';

function parseArgs(argv: string[]): EvalArgs {
  const a: EvalArgs = { seed: 2024, count: 500, bundle: DEFAULT_OUT, encoder: true, editFaces: 50 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    if (k === '--no-encoder') {
      a.encoder = false;
      continue;
    }
    const v = argv[++i];
    if (v === undefined) throw new Error(`${k} needs a value`);
    if (k === '--seed' || k === '--count') {
      const n = Number(v);
      if (!Number.isInteger(n) || (k === '--count' && n < 2))
        throw new Error(`${k} must be an integer${k === '--count' ? ' ≥ 2' : ''}, got '${v}'`);
      a[k === '--seed' ? 'seed' : 'count'] = n;
    } else if (k === '--edit-faces') {
      const n = Number(v);
      if (v.trim() === '' || !Number.isInteger(n) || n < 0)
        throw new Error(`--edit-faces must be a whole number ≥ 0 (0 leaves the edit out), got '${v}'`);
      a.editFaces = n;
    } else if (k === '--bundle') a.bundle = v;
    else throw new Error(`unknown option '${k}' (options: ${OPTIONS})`);
  }
  return a;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const a = parseArgs(process.argv.slice(2));
    const report = await evaluateBundle(loadBundle(resolve(a.bundle)), a.seed, a.count, {
      encoder: a.encoder,
      edit: { faces: a.editFaces },
    });
    process.stdout.write(`${formatReport(report)}\n`);
  } catch (e) {
    process.stderr.write(`models:eval failed: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
