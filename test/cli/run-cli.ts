// Runs the rete-clip-pae command in this process, as the bin does, and keeps what it printed.
import { main } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `cwd` is the folder relative paths on the command line resolve from. */
export async function runCli(
  args: string[],
  cwd: string,
  options: { signal?: AbortSignal; onStderr?: (soFar: string) => void } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: {
      write: (t) => {
        stdout += t;
      },
    },
    stderr: {
      write: (t) => {
        stderr += t;
        options.onStderr?.(stderr);
      },
    },
    cwd,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { code, stdout, stderr };
}
