// The nodes that read a file named by their `source` param (Load Image, Load Latent, Load Direction)
// treat it alike: surrounding blanks are ignored, the bytes' fingerprint decides whether a cached
// output still holds, and messages name the file by its path or URL, or as "the chosen …" for a
// data: URL, whose text is the whole file.
import type { EngineServices } from '../engine/graph/definition.js';

/** A fingerprint() for a node whose `source` param names a file: none while no file is chosen. */
export async function sourceFingerprint(ctx: {
  params: { source: string };
  signal: AbortSignal;
  services: EngineServices;
}): Promise<string | undefined> {
  const source = ctx.params.source.trim();
  return source === '' ? undefined : ctx.services.fingerprint(source, ctx.signal);
}

/**
 * The chosen source, trimmed, and the name messages give it (`chosen` for a data: URL, e.g.
 * 'the chosen image'); with none chosen, an error saying `missing`.
 */
export function chosenSource(param: string, chosen: string, missing: string): { source: string; name: string } {
  const source = param.trim();
  if (source === '') throw new Error(missing);
  return { source, name: source.startsWith('data:') ? chosen : `'${source}'` };
}
