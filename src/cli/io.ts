// What a CLI command gets from its caller: where to write, where it runs, and a signal that aborts
// on Ctrl-C. process.stdout and process.stderr fit as they are; tests pass collectors.

export interface TextSink {
  write(text: string): unknown;
}

export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  /** Relative paths on the command line resolve here. */
  cwd: string;
  /** Aborts a long command (Ctrl-C); commands that finish quickly may ignore it. */
  signal?: AbortSignal;
}

/** A command: its arguments after the command name, and its exit code (0 ok, 1 failed, 2 bad usage). */
export type CliCommand = (argv: string[], io: CliIo) => Promise<number>;

/** Thrown for a wrong command line; main prints the message with the command's usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
