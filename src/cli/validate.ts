// `rete-clip-pae validate <file>…`: checks graph files (JSON, or PNGs saved by Save Image) and
// prints each error with its JSON path. Exit 1 when any file has errors or cannot be read.
import { parseArgs } from 'node:util';
import { catalogue } from '../nodes/registry.js';
import { formatErrors, readGraphFile } from './graph-file.js';
import { UsageError, type CliIo } from './io.js';

export const VALIDATE_USAGE = `usage: rete-clip-pae validate <graph.json|graph.png>…

Checks each graph file against the document format and the node catalogue and prints every error
as <file>: <path>: <message>. Exits 1 if any file is invalid or unreadable.
`;

export async function validateCommand(argv: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (parsed.values.help) {
    io.stdout.write(VALIDATE_USAGE);
    return 0;
  }
  if (parsed.positionals.length === 0) throw new UsageError('validate needs at least one graph file');
  let failed = false;
  for (const file of parsed.positionals) {
    const result = await readGraphFile(file, io.cwd, catalogue);
    if (result.ok) {
      const { nodes, connections } = result.document;
      io.stdout.write(`${file}: valid (${count(nodes.length, 'node')}, ${count(connections.length, 'connection')})\n`);
    } else {
      failed = true;
      io.stdout.write(result.unreadable ? `${result.unreadable}\n` : formatErrors(file, result.errors));
    }
  }
  return failed ? 1 : 0;
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
