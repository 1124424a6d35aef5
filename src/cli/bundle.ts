// `rete-clip-pae bundle init|check`: make a manifest.json for a folder of exported models, and load
// and run every model of a bundle once.
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatCheck } from './bundle-check.js';
import { DEFAULT_FILES, type FileFlag, type InitOptions, initBundle } from './bundle-init.js';
import { type CliIo, UsageError } from './io.js';

export const BUNDLE_USAGE = `usage:
  rete-clip-pae bundle init <dir> [model files] [facts] [--name N] [--force]
  rete-clip-pae bundle check <manifest.json | dir>

init writes <dir>/manifest.json from the models' declared inputs and outputs and the facts the
exporters (npm run export) store in each ONNX file. Model files default to the exporters' names
in <dir>; paths are stored relative to <dir>.
  model files: ${Object.entries(DEFAULT_FILES)
    .map(([flag, file]) => `--${flag} F (${file})`)
    .join(', ')}
  --clip-hf <folder> [--clip-variant quantized|fp16|…]   a Hugging Face / transformers.js CLIP folder
                     (onnx/vision_model.onnx, onnx/text_model.onnx, tokenizer.json, preprocessor_config.json)
  facts the files may not carry (a value starting with '-' needs '=': --output-range=-1,1):
                     --output-range lo,hi  --latent-shape L,D  --clip-mean r,g,b  --clip-std r,g,b
                     --clip-image-size S  --pad-id N  --context-length N  --encoder-range lo,hi
                     --encoder-adds-mean yes|no  --identity-range lo,hi  --description T  --license T
                     --style-layers name:size,…   StyleSpace layers, when styles.onnx does not list them
  StyleSpace: styles.onnx (W+ → s) and synthesis_styles.onnx (s → image) fill the styleSpace section

check loads every model, checks it against the manifest, runs it once (the mean-latent face feeds
CLIP, the encoder and the identity network; the StyleSpace models run on the mean latent and their
image is compared with the generator's) and prints file, MB, inputs → outputs, ms of the run
and embedding norms. Exit 0 only when every model passes.
`;

function numbers(value: string | undefined, flag: string, count: number): number[] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((s) => Number(s.trim()));
  if (parts.length !== count || parts.some((v) => !Number.isFinite(v)))
    throw new UsageError(`--${flag} needs ${count} comma-separated numbers, got "${value}"`);
  return parts;
}

function styleLayers(value: string | undefined): { name: string; size: number }[] | undefined {
  if (value === undefined) return undefined;
  return value.split(',').map((part) => {
    const at = part.lastIndexOf(':');
    const name = part.slice(0, at).trim();
    const size = Number(part.slice(at + 1));
    if (at < 1 || !name || !Number.isInteger(size) || size < 1)
      throw new UsageError(`--style-layers needs name:size pairs separated by commas, got "${part}" in "${value}"`);
    return { name, size };
  });
}

function integer(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${flag} needs a whole number, got "${value}"`);
  return n;
}

async function init(argv: string[], io: CliIo): Promise<number> {
  const fileFlags = Object.keys(DEFAULT_FILES) as FileFlag[];
  const strings = [
    ...fileFlags,
    'clip-hf',
    'clip-variant',
    'name',
    'description',
    'license',
    'output-range',
    'latent-shape',
    'clip-mean',
    'clip-std',
    'clip-image-size',
    'pad-id',
    'context-length',
    'encoder-range',
    'encoder-adds-mean',
    'identity-range',
    'style-layers',
  ];
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...Object.fromEntries(strings.map((s) => [s, { type: 'string' as const }])),
        force: { type: 'boolean' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const s = (k: string) => v[k] as string | undefined;
  const [dir, ...extra] = parsed.positionals;
  if (!dir || extra.length) throw new UsageError('bundle init takes one folder');
  const adds = s('encoder-adds-mean');
  if (adds !== undefined && !['yes', 'no', 'true', 'false'].includes(adds))
    throw new UsageError(`--encoder-adds-mean needs yes or no, got "${adds}"`);
  const options: InitOptions = {
    files: Object.fromEntries(fileFlags.filter((f) => s(f)).map((f) => [f, s(f)])),
    clipHf: s('clip-hf'),
    clipVariant: s('clip-variant'),
    name: s('name'),
    description: s('description'),
    license: s('license'),
    outputRange: numbers(s('output-range'), 'output-range', 2) as [number, number] | undefined,
    latentShape: numbers(s('latent-shape'), 'latent-shape', 2) as [number, number] | undefined,
    clipMean: numbers(s('clip-mean'), 'clip-mean', 3) as [number, number, number] | undefined,
    clipStd: numbers(s('clip-std'), 'clip-std', 3) as [number, number, number] | undefined,
    clipImageSize: integer(s('clip-image-size'), 'clip-image-size'),
    padId: integer(s('pad-id'), 'pad-id'),
    contextLength: integer(s('context-length'), 'context-length'),
    encoderRange: numbers(s('encoder-range'), 'encoder-range', 2) as [number, number] | undefined,
    encoderAddsMean: adds === undefined ? undefined : adds === 'yes' || adds === 'true',
    identityRange: numbers(s('identity-range'), 'identity-range', 2) as [number, number] | undefined,
    styleLayers: styleLayers(s('style-layers')),
  };
  const target = join(resolve(io.cwd, dir), 'manifest.json');
  if (existsSync(target) && !v.force) {
    io.stderr.write(`${target} exists; pass --force to replace it\n`);
    return 1;
  }
  const result = initBundle(dir, io.cwd, options);
  for (const n of result.notes) io.stdout.write(`${n}\n`);
  if (!result.manifest) {
    io.stderr.write(`cannot write ${target}:\n${result.problems.map((p) => `  ${p}`).join('\n')}\n`);
    return 1;
  }
  writeFileSync(target, `${JSON.stringify(result.manifest, null, 2)}\n`);
  io.stdout.write(`wrote ${target}\n`);
  return 0;
}

async function check(argv: string[], io: CliIo): Promise<number> {
  const [path, ...extra] = argv;
  if (!path || extra.length) throw new UsageError('bundle check takes one manifest.json or bundle folder');
  const full = resolve(io.cwd, path);
  const manifest = full.endsWith('.json') ? full : join(full, 'manifest.json');
  const { checkBundle } = await import('./bundle-check.js');
  const rows = await checkBundle(manifest, io.signal);
  io.stdout.write(formatCheck(rows));
  const failed = rows.filter((r) => r.problem).length;
  io.stdout.write(failed ? `${failed} of ${rows.length} models failed\n` : `all ${rows.length} models pass\n`);
  return failed ? 1 : 0;
}

export async function bundleCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    (sub === undefined ? io.stderr : io.stdout).write(BUNDLE_USAGE);
    return sub === undefined ? 2 : 0;
  }
  if (rest.includes('--help')) {
    io.stdout.write(BUNDLE_USAGE);
    return 0;
  }
  if (sub === 'init') return init(rest, io);
  if (sub === 'check') return check(rest, io);
  throw new UsageError(`unknown bundle command '${sub}' (init or check)`);
}
