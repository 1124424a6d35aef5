// Which Python runs the exporters: the one the test environment check finds with torch and onnx
// ($PYTHON first), else $PYTHON, Debian's /usr/bin/python3 or python3 as they are (the exporter
// then says what is missing).
import { existsSync } from 'node:fs';
import { findTorchPython } from '../setup/test-env.js';

let chosen: string | undefined;

export function pythonCommand(): string {
  chosen ??=
    findTorchPython() ?? process.env.PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  return chosen;
}
