// npm run models:demo:styles [-- --seed n] [-- --out dir]
// Adds StyleSpace to a built demo bundle: the generator split at its style vectors, as
// styles.onnx (W+ → s) and synthesis_styles.onnx (s → image, attributes), and the manifest's
// `styleSpace` section. Every other file of the bundle stays as it is, so this runs on the committed
// bundle without retraining anything; `build.ts` runs it after writing the manifest.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeModel } from '../../src/engine/onnx/model.js';
import { parseManifest } from '../../src/engine/models/manifest.js';
import { buildGenerator, GENERATOR_FILES } from './generator/index.js';

export const STYLE_FILES = { styles: 'styles.onnx', synthesis: 'synthesis_styles.onnx' } as const;

/** The manifest's `styleSpace` entry for the demo generator (directions come later, from `directions build`). */
export function styleSpaceSection(seed: number): object {
  const built = buildGenerator({ seed });
  return {
    styles: { file: STYLE_FILES.styles, input: 'latent', output: 'styles' },
    synthesis: { file: STYLE_FILES.synthesis, input: 'styles', output: 'image', attributes: 'attributes' },
    layers: built.latentModel.groups.map((g) => ({ name: g.group, size: g.params.length })),
  };
}

/**
 * Writes the two StyleSpace models into `dir` and the `styleSpace` section into its manifest.json.
 * The bundle's generator must be this seed's (checked byte for byte), or the split would describe
 * another face generator.
 */
export function writeStyleSpace(dir: string, seed: number): string[] {
  const full = writeModel(buildGenerator({ seed }).generator);
  const generatorPath = join(dir, GENERATOR_FILES.generator);
  const onDisk = readFileSync(generatorPath);
  if (Buffer.compare(Buffer.from(full), onDisk) !== 0)
    throw new Error(
      `${generatorPath} is not the demo generator of seed ${seed}; pass the seed the bundle was built with`,
    );
  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
  const written = [
    [STYLE_FILES.styles, writeModel(buildGenerator({ seed, stage: 'styles' }).generator)],
    [STYLE_FILES.synthesis, writeModel(buildGenerator({ seed, stage: 'synthesis' }).generator)],
  ].map(([name, bytes]) => {
    const path = join(dir, name as string);
    writeFileSync(path, bytes as Uint8Array);
    return path;
  });
  // Directions built for these exact models stay valid: same seed, same bytes.
  const previous = (manifest.styleSpace as { directions?: unknown } | undefined)?.directions;
  manifest.styleSpace = { ...styleSpaceSection(seed), ...(previous ? { directions: previous } : {}) };
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  parseManifest(text, manifestPath);
  writeFileSync(manifestPath, text);
  return [...written, manifestPath];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let seed = 1;
  let out = fileURLToPath(new URL('../../public/models/demo', import.meta.url));
  const argv = process.argv.slice(2);
  try {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      if (a === '--seed') {
        seed = Number(v);
        if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got '${v}'`);
      } else if (a === '--out') out = resolve(v);
      else throw new Error(`unknown option '${a}' (options: --seed n, --out dir)`);
    }
    for (const f of writeStyleSpace(out, seed)) process.stderr.write(`wrote ${f}\n`);
  } catch (e) {
    process.stderr.write(`models:demo:styles failed: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
