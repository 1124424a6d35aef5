// Finds the programs the test suite needs beyond `npm install`: a Chromium for the browser tests, a
// Python 3 that has torch and onnx for the fixture and exporter tests, redis-server for the queue
// tests. One place answers "where is it" for the pretest check, the chromium launcher and the tests
// that spawn Python, so they never disagree. Nothing here installs anything (check-test-env.ts does).
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

type Env = Record<string, string | undefined>;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `name` resolved on PATH, or an absolute path as given when it is executable. */
export function onPath(name: string, env: Env = process.env): string | undefined {
  if (isAbsolute(name)) return executable(name) ? name : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Where Debian and Ubuntu put their Chromium, then the names Chrome and Chromium go by on PATH. */
export const CHROMIUM_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  'chromium',
  'chromium-browser',
  'google-chrome',
  'google-chrome-stable',
];

/**
 * The browser to drive: CHROME_PATH (or CHROMIUM_PATH) when set, which is then taken as meant even
 * if it is missing (the launcher says so), else the first executable candidate.
 */
export function findChromium(env: Env = process.env): string | undefined {
  const explicit = env.CHROME_PATH || env.CHROMIUM_PATH;
  if (explicit) return explicit;
  for (const candidate of CHROMIUM_CANDIDATES) {
    const found = onPath(candidate, env);
    if (found) return found;
  }
  return undefined;
}

export interface PythonModules {
  python: string;
  /** Modules of `wanted` this interpreter can import (found by importlib, without importing them). */
  has: Set<string>;
}

/** Interpreters to try: PYTHON when set, the python3 on PATH (a pyenv or venv one), Debian's. */
function pythonCandidates(env: Env): string[] {
  const list = [env.PYTHON, onPath('python3', env), '/usr/bin/python3'].filter((p): p is string => !!p);
  return [...new Set(list)].filter((p) => onPath(p, env));
}

/** Which of `modules` each candidate Python has, in candidate order. */
export function pythonModules(modules: string[], env: Env = process.env): PythonModules[] {
  const probe = `import importlib.util, sys\nprint(' '.join(m for m in sys.argv[1:] if importlib.util.find_spec(m)))`;
  const found: PythonModules[] = [];
  for (const python of pythonCandidates(env)) {
    try {
      const out = execFileSync(python, ['-c', probe, ...modules], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      found.push({ python, has: new Set(out.trim().split(/\s+/).filter(Boolean)) });
    } catch {
      // not a working interpreter: try the next one
    }
  }
  return found;
}

/** What the fixture scripts and the exporter tests import. */
export const TORCH_MODULES = ['torch', 'onnx'];

/** The first Python that has torch and onnx (Debian's python3-torch installs into /usr/bin/python3's). */
export function findTorchPython(env: Env = process.env): string | undefined {
  return pythonModules(TORCH_MODULES, env).find((p) => TORCH_MODULES.every((m) => p.has.has(m)))?.python;
}

/** redis-server: REDIS_SERVER when set, else on PATH or where Debian puts it. */
export function findRedisServer(env: Env = process.env): string | undefined {
  if (env.REDIS_SERVER) return onPath(env.REDIS_SERVER, env);
  return onPath('redis-server', env) ?? onPath('/usr/bin/redis-server', env);
}
