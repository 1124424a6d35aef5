// The rete-clip-pae command line: `run`, `validate`, `onnx` and their help. Each command is imported
// only when used, so `validate` starts without loading the engine.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError, type CliCommand, type CliIo } from './io.js';

const COMMANDS: Record<string, { summary: string; load: () => Promise<CliCommand> }> = {
  run: {
    summary: 'run a graph headless and write its Save Image outputs',
    load: async () => (await import('./run.js')).runCommand,
  },
  validate: {
    summary: 'check graph files and print each error with its path',
    load: async () => (await import('./validate.js')).validateCommand,
  },
  eval: {
    summary: 'edit random demo faces with each target kind and measure success and drift',
    load: async () => (await import('./eval.js')).evalCommand,
  },
  directions: {
    summary: "build a bundle's StyleCLIP global directions (relevance of every style channel)",
    load: async () => (await import('./directions.js')).directionsCommand,
  },
  'eval-photos': {
    summary: 'edit the faces of a folder of photos and score them with the face networks (--hosts: the host table)',
    load: async () => (await import('./eval-photos.js')).evalPhotosCommand,
  },
  faces: {
    summary: 'find the faces in an image: boxes, scores, 68 landmarks',
    load: async () => (await import('./faces.js')).facesCommand,
  },
  bundle: {
    summary: 'write a model bundle manifest (init) or load and run every model of one (check)',
    load: async () => (await import('./bundle.js')).bundleCommand,
  },
  worker: {
    summary: 'run queued batch jobs (run --batch … --queue …) until stopped',
    load: async () => (await import('./worker.js')).workerCommand,
  },
  batch: {
    summary: "show a queued batch's progress and failures (batch status)",
    load: async () => (await import('./queue/status.js')).batchCommand,
  },
  onnx: {
    summary: 'inspect an ONNX model (info) or write its gradient model (grad)',
    load: async () => {
      const { onnxCommand } = await import('./onnx.js');
      // onnx.ts writes through out/err functions and resolves paths from the process's folder.
      return (argv, io) => onnxCommand(argv, { out: (s) => io.stdout.write(s), err: (s) => io.stderr.write(s) });
    },
  },
};

export const USAGE = `usage: rete-clip-pae <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(13)}${c.summary}`)
  .join('\n')}

Run 'rete-clip-pae <command> --help' for a command's options.
`;

/** Runs one command line; returns the exit code. Never exits the process itself. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? io.stderr : io.stdout).write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  try {
    return await (await command.load())(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`${e.message}\n(see 'rete-clip-pae ${name} --help')\n`);
      return 2;
    }
    io.stderr.write(`rete-clip-pae ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

/**
 * Runs the process's command line: Ctrl-C cancels a run cleanly (a second Ctrl-C quits at once).
 * Used by bin/rete-clip-pae.mjs and by `npm run cli`.
 */
export async function runCli(argv = process.argv.slice(2)): Promise<number> {
  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\ncancelling (Ctrl-C again to quit now)\n');
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  try {
    return await main(argv, {
      stdout: process.stdout,
      stderr: process.stderr,
      cwd: process.cwd(),
      signal: controller.signal,
    });
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) process.exitCode = await runCli();
