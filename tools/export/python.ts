// Which Python runs the exporters: $PYTHON when set, else Debian's /usr/bin/python3 (where
// python3-torch installs), else whatever python3 is on the PATH.
import { existsSync } from 'node:fs';

export function pythonCommand(): string {
  if (process.env.PYTHON) return process.env.PYTHON;
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}
