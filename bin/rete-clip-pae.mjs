#!/usr/bin/env node
// The rete-clip-pae command: runs the TypeScript CLI in place through tsx, with no build step.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import(new URL('../src/cli/main.ts', import.meta.url).href);
process.exitCode = await runCli(process.argv.slice(2));
