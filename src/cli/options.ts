// Reading a command line: node:util's parseArgs does the splitting; these turn its strings into the
// numbers, lists and target kinds the eval commands take, and every mistake into a UsageError that
// names the option, so main prints it with the command's usage.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { TARGET_VARIANTS, type TargetVariant } from '../engine/pae/index.js';
import { UsageError } from './io.js';

/** parseArgs, with an unknown or malformed option reported as a UsageError. */
export function parseCommandLine<T extends ParseArgsConfig>(config: T) {
  try {
    return parseArgs(config);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** `--option n`: a number (a whole one when `whole`), or `fallback` when the option is absent. */
export function numberOption(value: string | undefined, option: string, fallback: number, whole = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (whole && !Number.isInteger(n)))
    throw new UsageError(`--${option} needs ${whole ? 'a whole number' : 'a number'}, got '${value}'`);
  return n;
}

/** `--option a,b,c`: the trimmed, non-empty items, or a copy of `fallback` when the option is absent. */
export function listOption(value: string | undefined, option: string, fallback: readonly string[]): string[] {
  if (value === undefined) return fallback.slice();
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError(`--${option} needs at least one item`);
  return items;
}

/** `--targets text,pae`: target kinds, each one of TARGET_VARIANTS. */
export function targetsOption(value: string | undefined, fallback: readonly TargetVariant[]): TargetVariant[] {
  return listOption(value, 'targets', fallback).map((t) => {
    if (!(TARGET_VARIANTS as readonly string[]).includes(t))
      throw new UsageError(`--targets: unknown target kind '${t}' (choose from ${TARGET_VARIANTS.join(', ')})`);
    return t as TargetVariant;
  });
}
