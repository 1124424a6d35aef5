// `rete-clip-pae eval`: edits random faces of a bundle whose generator knows its true attributes,
// once per target kind, and prints one table per target kind (engine/optimize/eval.ts measures).
import { DEFAULT_EVAL, formatEvalReport, runEval, type EvalSettings } from '../engine/optimize/eval.js';
import {
  DEFAULT_HOST_EVAL,
  formatHostTable,
  runHostEval,
  type HostEvalSettings,
} from '../engine/optimize/host-eval.js';
import { runWithBundle } from './bundle-run.js';
import { HOST_OPTIONS, HOST_OPTIONS_USAGE, hostCaseLine, hostOptionSettings } from './hosts.js';
import type { CliIo } from './io.js';
import { listOption, numberOption, parseCommandLine, targetsOption } from './options.js';

export const EVAL_USAGE = `usage: rete-clip-pae eval [--seed n] [--count k] [--edits "a happy face,grey hair,…"] [--targets text,pae,…]
                         [--steps n] [--alpha a] [--lr x] [--lambda-l2 x] [--truncation x] [--bundle <url|dir>] [--json]

Edits k random faces (seeds n, n+1, …) with each target kind and prints a table per target kind:
success (the generator's true class after the edit is the asked one), toward (the asked class wins by
more, or loses by less, than before: the nearest other class's prototype minus the asked one's, in the
true attributes of the asked group), drift of the other true attributes, latent distance and image distance. The PAE corpus is the prompts of the edited class's
group (semantic basis). Needs a bundle whose manifest declares generator.attributes.classes.
  --seed n          first face seed (default ${DEFAULT_EVAL.seed})
  --count k         number of faces (default ${DEFAULT_EVAL.count})
  --edits list      comma-separated edit prompts (default "${DEFAULT_EVAL.edits.join(',')}")
  --targets list    comma-separated target kinds: text, pae, pae-reference, naive (default ${DEFAULT_EVAL.targets.join(',')})
  --steps n         optimization steps per edit (default ${DEFAULT_EVAL.steps})
  --alpha a         PAE strength α (default ${DEFAULT_EVAL.alpha})
  --lr x            peak learning rate (default ${DEFAULT_EVAL.lr})
  --lambda-l2 x     weight of ‖w − w0‖² (default ${DEFAULT_EVAL.lambdaL2})
  --truncation x    truncation ψ of the random faces (default ${DEFAULT_EVAL.truncation})
  --bundle where    bundle folder, manifest path or URL (default models/demo, the app's demo bundle)
  --json            print the report (every case) as JSON instead of tables

With --hosts, each host method edits every face once per target kind, and one table has a row per
host × target × edit: success, toward, drift, identity similarity (— without an identity network),
image distance and seconds per edit; --json then prints one JSON object per row (keys host, target,
edit, success, toward, drift, identity, image_dist, seconds_per_edit; fractions).
${HOST_OPTIONS_USAGE}`;

function parse(argv: string[]) {
  return parseCommandLine({
    args: argv,
    allowPositionals: false,
    options: {
      seed: { type: 'string' },
      count: { type: 'string' },
      edits: { type: 'string' },
      targets: { type: 'string' },
      steps: { type: 'string' },
      alpha: { type: 'string' },
      lr: { type: 'string' },
      'lambda-l2': { type: 'string' },
      truncation: { type: 'string' },
      bundle: { type: 'string' },
      json: { type: 'boolean' },
      ...HOST_OPTIONS,
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** The settings a command line asks for (exported for tests). */
export function evalSettings(values: ReturnType<typeof parse>['values']): EvalSettings {
  return {
    seed: numberOption(values.seed, 'seed', DEFAULT_EVAL.seed, true),
    count: numberOption(values.count, 'count', DEFAULT_EVAL.count, true),
    edits: listOption(values.edits, 'edits', DEFAULT_EVAL.edits),
    targets: targetsOption(values.targets, DEFAULT_EVAL.targets),
    steps: numberOption(values.steps, 'steps', DEFAULT_EVAL.steps, true),
    alpha: numberOption(values.alpha, 'alpha', DEFAULT_EVAL.alpha),
    lr: numberOption(values.lr, 'lr', DEFAULT_EVAL.lr),
    lambdaL2: numberOption(values['lambda-l2'], 'lambda-l2', DEFAULT_EVAL.lambdaL2),
    truncation: numberOption(values.truncation, 'truncation', DEFAULT_EVAL.truncation),
  };
}

/** The host comparison a command line with --hosts asks for (exported for tests). */
export function hostEvalSettings(values: ReturnType<typeof parse>['values']): HostEvalSettings {
  const d = DEFAULT_HOST_EVAL;
  const base = evalSettings(values);
  return {
    ...d,
    targets: base.targets,
    edits: base.edits,
    seed: base.seed,
    count: numberOption(values.count, 'count', d.count, true),
    truncation: base.truncation,
    alpha: base.alpha,
    steps: base.steps,
    lr: base.lr,
    lambdaL2: base.lambdaL2,
    ...hostOptionSettings(values),
  };
}

export async function evalCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv);
  if (values.help) {
    io.stdout.write(EVAL_USAGE);
    return 0;
  }
  const hostSettings = values.hosts !== undefined ? hostEvalSettings(values) : undefined;
  const settings = evalSettings(values);
  return runWithBundle(io, 'eval', values.bundle, async (bundle) => {
    const started = performance.now();
    if (hostSettings) {
      const report = await runHostEval(bundle, hostSettings, {
        signal: io.signal,
        onCase: (c, done, total) => io.stderr.write(hostCaseLine(c, done, total)),
      });
      io.stderr.write(`eval took ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
      io.stdout.write(
        values.json
          ? report.rows.map((r) => `${JSON.stringify(r)}\n`).join('')
          : formatHostTable(report.rows, hostSettings, {
              command: 'eval',
              faces: `${hostSettings.count} faces from seed ${hostSettings.seed}`,
            }),
      );
      return 0;
    }
    const report = await runEval(bundle, settings, {
      signal: io.signal,
      onCase: (c, done, total) =>
        io.stderr.write(
          `[${done}/${total}] face ${c.seed} "${c.edit}" ${c.target}: ${c.before} → ${c.after}${c.success ? ' ✓' : ''}${c.toward ? ' (toward)' : ' (not toward)'}, drift ${(100 * c.drift).toFixed(1)}%\n`,
        ),
    });
    io.stderr.write(`eval took ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatEvalReport(report));
    return 0;
  });
}
