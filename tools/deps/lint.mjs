// Checks the dependency rules in .dependency-cruiser.cjs through dependency-cruiser's API. The
// `depcruise` command refuses to start on Node 20 (its version check), while the API it wraps
// runs fine there, so `npm run lint:deps` comes through here.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise } from 'dependency-cruiser';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const config = createRequire(import.meta.url)(join(root, '.dependency-cruiser.cjs'));

/** The rule violations among `paths` (relative to `baseDir`, default the repository), as "rule: from → to" lines. */
export async function dependencyViolations(paths = ['src'], baseDir = root) {
  const result = await cruise(paths, {
    ...config.options,
    baseDir,
    validate: true,
    ruleSet: { forbidden: config.forbidden },
  });
  if (typeof result.output === 'string') throw new Error(result.output);
  return result.output.summary.violations.map(
    (v) =>
      `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (cycle: ${v.cycle.map((c) => c.name ?? c).join(' → ')})` : ''}`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const violations = await dependencyViolations(process.argv.slice(2).length ? process.argv.slice(2) : ['src']);
  for (const v of violations) console.error(v);
  console.log(
    violations.length === 0 ? 'dependency rules: no violations' : `dependency rules: ${violations.length} violations`,
  );
  process.exit(violations.length === 0 ? 0 : 1);
}
