// `npm test`'s pretest: finds what the suite needs beyond `npm install` (test-env.ts says where it
// looks) and, on a machine that allows it (root with apt-get), installs what is missing from Debian.
// Anywhere else it stops at once with one line naming what to install, instead of letting the
// browser, fixture and queue tests fail one by one. `--no-install` only checks.
import { execFileSync } from 'node:child_process';
import { findChromium, findRedisServer, findTorchPython, onPath } from './test-env.js';

interface Need {
  /** What the suite uses it for, as the message names it. */
  what: string;
  find(): string | undefined;
  /** Debian packages that provide it. */
  packages: string[];
}

const NEEDS: Need[] = [
  { what: 'a Chromium or Chrome (browser tests; or set CHROME_PATH)', find: chromium, packages: ['chromium'] },
  {
    what: 'Python 3 with torch and onnx (fixture and exporter tests; or set PYTHON)',
    find: () => findTorchPython(),
    packages: ['python3-torch', 'python3-onnx', 'python3-torchvision'],
  },
  {
    what: 'redis-server (queue tests; or set REDIS_SERVER)',
    find: () => findRedisServer(),
    packages: ['redis-server'],
  },
];

/** findChromium, but an explicit CHROME_PATH that is not a program counts as missing. */
function chromium(): string | undefined {
  const found = findChromium();
  return found && onPath(found) ? found : undefined;
}

function missing(): Need[] {
  return NEEDS.filter((n) => !n.find());
}

function fail(needs: Need[], why: string): never {
  const packages = needs.flatMap((n) => n.packages).join(' ');
  console.error(
    `npm test needs ${needs.map((n) => n.what).join(', ')}; ${why}: install them with \`apt-get install -y ${packages}\``,
  );
  process.exit(1);
}

function install(needs: Need[]): void {
  const packages = needs.flatMap((n) => n.packages);
  console.error(`pretest: installing ${packages.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: ['ignore', 'ignore', 'inherit'], env });
}

let lacking = missing();
if (lacking.length > 0) {
  // A wrong CHROME_PATH is not fixed by installing chromium: the explicit path would still win.
  if (process.env.CHROME_PATH || process.env.CHROMIUM_PATH) {
    const path = process.env.CHROME_PATH || process.env.CHROMIUM_PATH;
    if (lacking.some((n) => n.packages.includes('chromium'))) {
      console.error(`npm test: CHROME_PATH is '${path}', which is not an executable program: fix it or unset it`);
      process.exit(1);
    }
  }
  const root = process.getuid?.() === 0;
  if (process.argv.includes('--no-install')) fail(lacking, 'not installing (--no-install)');
  if (!root || !onPath('apt-get')) fail(lacking, root ? 'apt-get is not on PATH' : 'not root, so nothing is installed');
  try {
    install(lacking);
  } catch (e) {
    fail(lacking, `apt-get failed (${(e as Error).message.split('\n')[0]})`);
  }
  lacking = missing();
  if (lacking.length > 0) fail(lacking, 'still missing after apt-get');
}
console.log(
  `test env: chromium ${chromium()}, python ${findTorchPython()} (torch, onnx), redis-server ${findRedisServer()}`,
);
