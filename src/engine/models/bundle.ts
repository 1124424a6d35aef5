// A loaded model bundle: the manifest, each model checked against it, the tokenizer and the mean
// latent, and the operations the nodes need (encode text and images, generate, sample, invert).
// Sessions are created on first use, so a graph that never inverts never pays for the encoder.
import type { ImageValue } from '../graph/definition.js';
import { hostTensor, type HostTensor } from '../onnx/model.js';
import type { Runtime, Session } from '../tensor/runtime.js';
import type { BundleCache } from './cache.js';
import { modelContracts, type ModelRole } from './contracts.js';
import { checkModel, type DeclaredValue } from './io.js';
import { bundleFiles, parseManifest, type AttributeInfo, type Manifest } from './manifest.js';
import { imageToInput } from './preprocess.js';
import { gaussian } from '../random.js';
import { openBundle, ProgressTracker, type BundleSource, type LoadBytes, type ProgressCallback } from './source.js';
import { PromptTokenizer, type TokenizedPrompt } from './tokenizer.js';
import { releaseSessions } from './sessions.js';

export type { ModelRole } from './contracts.js';

export interface LoadBundleOptions {
  /** Reads a URL or path (the host's EngineServices.loadBytes, or fetchBytes). Not needed for picked files. */
  loadBytes?: LoadBytes;
  runtime: Runtime;
  /** Where downloaded files are kept (defaultCache() picks the host's); only remote URLs are cached. */
  cache?: BundleCache;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
  /**
   * What this version of the bundle's files is (the model service's fingerprint of them): cached
   * files are kept per version, so a model file rebuilt under an unchanged manifest is not served
   * from the cache.
   */
  version?: string;
}

export interface GenerateResult {
  /** RGB in [0, 1], generator.imageSize. */
  image: ImageValue;
  /** The generator's true attributes, when the bundle declares them. */
  attributes?: Float32Array;
}

export interface ModelBundle {
  /** Identifies this exact bundle (origin + manifest digest): for cache keys and signatures. */
  readonly id: string;
  readonly name: string;
  readonly manifest: Manifest;
  readonly runtime: Runtime;
  /** [1, L, D]. */
  readonly latentShape: readonly [1, number, number];
  /** L·D: the length of every latent this bundle takes or returns. */
  readonly latentSize: number;
  /** W+ mean latent, L·D values. */
  readonly meanLatent: Float32Array;
  readonly attributes?: AttributeInfo;
  readonly tokenizer: PromptTokenizer;
  readonly roles: readonly ModelRole[];
  /** The global-directions file (styleSpace.directions) as float32 values, when the bundle has one. */
  readonly directions?: Float32Array;
  /**
   * What went wrong without failing the load, one line each: a model cache that refused a file
   * (that model is used uncached and will be downloaded again next time).
   */
  readonly warnings: readonly string[];
  /**
   * Where models compiled from this bundle (the optimizer's objectives) may be kept between
   * sessions: the cache its files came through, for remote bundles; undefined otherwise.
   */
  readonly cache?: BundleCache;
  /** The model file of a role, as loaded (the optimizer composes its loss graph from the generator, CLIP image and identity models, whose bytes stay in memory). */
  modelBytes(role: ModelRole): Uint8Array;
  /** The checked inputs and outputs of a role's model. */
  modelIo(role: ModelRole): { inputs: DeclaredValue[]; outputs: DeclaredValue[] };
  /** The role's session, created on first use. */
  session(role: ModelRole): Promise<Session>;
  tokenize(prompts: readonly string[]): TokenizedPrompt[];
  /** Unit-length CLIP text embeddings, one per prompt. */
  encodeText(prompts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
  /** Unit-length CLIP image embedding. */
  encodeImage(image: ImageValue, signal?: AbortSignal): Promise<Float32Array>;
  generate(latent: Float32Array, signal?: AbortSignal): Promise<GenerateResult>;
  /** A W+ latent from a seed: z ~ N(0, 1) → mapping → W+ → truncation toward the mean latent (ψ = truncation). */
  sampleLatent(seed: number, truncation?: number, signal?: AbortSignal): Promise<Float32Array>;
  /** Inverts an image with the encoder: its W+ latent. */
  encode(image: ImageValue, signal?: AbortSignal): Promise<Float32Array>;
  release(): Promise<void>;
}

/**
 * Models whose bytes stay in memory after their session exists: the optimizer composes them into
 * its loss-and-gradient graph. The others (a real CLIP text tower is hundreds of MB) are let go.
 */
const COMPOSED_ROLES: ReadonlySet<ModelRole> = new Set(['generator', 'clipImage', 'identity', 'styleSynthesis']);

function describe(role: string): string {
  return (
    (
      {
        generator: 'generator',
        meanLatent: 'mean latent',
        clipImage: 'CLIP image tower',
        clipText: 'CLIP text tower',
        tokenizer: 'tokenizer',
        tokenizerConfig: 'tokenizer config',
        mapping: 'mapping network',
        encoder: 'encoder',
        identity: 'identity network',
        styles: 'StyleSpace styles model',
        styleSynthesis: 'StyleSpace synthesis model',
        directions: 'global directions',
      } as Record<string, string>
    )[role] ?? role
  );
}

function parseJson(bytes: Uint8Array, where: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new Error(`${where} is not valid JSON: ${(e as Error).message}`);
  }
}

function unitVector(data: ArrayLike<number>, offset: number, n: number, where: string): Float32Array {
  let s = 0;
  for (let i = 0; i < n; i++) s += data[offset + i]! ** 2;
  const norm = Math.sqrt(s);
  if (!(norm > 0) || !Number.isFinite(norm))
    throw new Error(`${where} returned an embedding with norm ${norm}; it cannot be normalized`);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = data[offset + i]! / norm;
  return out;
}

/** S σ values then S × embedDim relevance values (see styleSpace.directions in manifest.ts). */
function directionsOf(
  m: Manifest,
  raw: Uint8Array | undefined,
  at: (file: string) => string,
): Float32Array | undefined {
  const d = m.styleSpace?.directions;
  if (!d || !raw) return undefined;
  const size = m.styleSpace!.layers.reduce((n, l) => n + l.size, 0);
  const expected = size * (1 + m.clip.embedDim) * 4;
  if (raw.byteLength !== expected)
    throw new Error(
      `${at(d.file)}: the global directions must hold ${size} σ values and ${size} × ${m.clip.embedDim} relevance values (float32, ${expected} bytes), it has ${raw.byteLength} bytes`,
    );
  return new Float32Array(raw.slice().buffer);
}

export async function loadBundle(source: BundleSource, options: LoadBundleOptions): Promise<ModelBundle> {
  const signal = options.signal ?? new AbortController().signal;
  const reader = await openBundle(source, {
    loadBytes: options.loadBytes,
    cache: options.cache,
    signal,
    version: options.version,
  });
  const manifest = parseManifest(reader.manifestBytes, reader.where);
  const label = `bundle "${manifest.name}"`;
  const at = (file: string) => `${label}: ${file}`;

  const tracker = new ProgressTracker(options.onProgress);
  const files = bundleFiles(manifest);
  const callbacks = files.map(({ file }) => tracker.track(file));
  const bytes = new Map<string, Uint8Array>();
  await Promise.all(
    files.map(async ({ role, file }, i) => {
      try {
        bytes.set(role, await reader.read(file, callbacks[i]!));
      } catch (e) {
        signal.throwIfAborted();
        throw new Error(
          `${label} (${reader.where}): cannot read ${file} (the ${describe(role)}): ${(e as Error).message}`,
        );
      }
    }),
  );
  signal.throwIfAborted();

  const contracts = modelContracts(manifest);
  const io = new Map<ModelRole, { inputs: DeclaredValue[]; outputs: DeclaredValue[] }>();
  const problems: string[] = [];
  for (const [role, { file, contract }] of contracts) {
    try {
      const { inputs, outputs } = checkModel(bytes.get(role)!, contract, at(file));
      io.set(role, { inputs, outputs });
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (problems.length) throw new Error(problems.join('\n'));

  const [, layers, width] = manifest.generator.latentShape;
  const latentSize = layers * width;
  const meanBytes = bytes.get('meanLatent')!;
  if (meanBytes.byteLength !== latentSize * 4) {
    throw new Error(
      `${at(manifest.generator.meanLatent)}: the mean latent must hold ${latentSize} float32 values (generator.latentShape [1, ${layers}, ${width}]), it has ${meanBytes.byteLength} bytes`,
    );
  }
  const meanLatent = new Float32Array(meanBytes.slice().buffer);
  const directions = directionsOf(manifest, bytes.get('directions'), at);
  const tokenizerWhere = at(manifest.clip.tokenizer);
  const tokenizer = new PromptTokenizer(
    parseJson(bytes.get('tokenizer')!, tokenizerWhere),
    manifest.clip.tokenizerConfig
      ? parseJson(bytes.get('tokenizerConfig')!, at(manifest.clip.tokenizerConfig))
      : undefined,
    manifest.clip.text.contextLength,
    manifest.clip.padId,
    tokenizerWhere,
  );

  const sessions = new Map<ModelRole, Promise<Session>>();
  const runtime = options.runtime;
  const session = async (role: ModelRole): Promise<Session> => {
    const entry = contracts.get(role);
    if (!entry) throw new Error(`${label} has no ${describe(role)}`);
    let s = sessions.get(role);
    if (!s) {
      s = runtime.createSession(bytes.get(role)!, { name: at(entry.file) });
      // A failed creation is not cached: the next call tries again.
      s.then(
        () => {
          if (!COMPOSED_ROLES.has(role)) bytes.delete(role);
        },
        () => sessions.delete(role),
      );
      sessions.set(role, s);
    }
    return s;
  };

  const checkLatent = (latent: Float32Array, what: string) => {
    if (!(latent instanceof Float32Array) || latent.length !== latentSize) {
      throw new Error(
        `${label}: ${what} needs a latent of ${latentSize} float32 values ([1, ${layers}, ${width}]), got ${latent?.length ?? typeof latent}`,
      );
    }
  };

  const idsDtype = (name: string) =>
    io.get('clipText')!.inputs.find((v) => v.name === name)!.dtype as 'int64' | 'int32';
  const textBatches =
    typeof io.get('clipText')!.inputs.find((v) => v.name === manifest.clip.text.input)!.dims[0] !== 'number';

  const bundle: ModelBundle = {
    id: `${manifest.name}@${reader.digest}`,
    name: manifest.name,
    manifest,
    runtime,
    latentShape: manifest.generator.latentShape,
    latentSize,
    meanLatent,
    attributes: manifest.generator.attributes,
    tokenizer,
    roles: [...contracts.keys()],
    directions,
    warnings: reader.warnings,
    cache: reader.cache,
    modelBytes(role) {
      if (!contracts.has(role)) throw new Error(`${label} has no ${describe(role)}`);
      const b = bytes.get(role);
      if (!b)
        throw new Error(
          `${label}: the ${describe(role)} file was let go once its session existed; only ${[...COMPOSED_ROLES].join(', ')} stay in memory`,
        );
      return b;
    },
    modelIo(role) {
      const found = io.get(role);
      if (!found) throw new Error(`${label} has no ${describe(role)}`);
      return found;
    },
    session,

    tokenize(prompts) {
      return prompts.map((p) => tokenizer.encode(p));
    },

    async encodeText(prompts, sig) {
      if (prompts.length === 0) return [];
      const text = manifest.clip.text;
      const length = text.contextLength;
      const s = await session('clipText');
      const tokens = prompts.map((p) => tokenizer.encode(p));
      const groups = textBatches ? [tokens] : tokens.map((t) => [t]);
      const out: Float32Array[] = [];
      for (const group of groups) {
        const feeds: Record<string, HostTensor> = {
          [text.input]: hostTensor(
            idsDtype(text.input),
            [group.length, length],
            group.flatMap((t) => t.ids),
          ),
        };
        if (text.attentionMask)
          feeds[text.attentionMask] = hostTensor(
            idsDtype(text.attentionMask),
            [group.length, length],
            group.flatMap((t) => t.mask),
          );
        const result = (await s.runToHost(feeds, { signal: sig }))[text.output]!;
        const embed = manifest.clip.embedDim;
        const data = result.data as Float32Array;
        if (data.length !== group.length * embed)
          throw new Error(
            `${at(text.file)}: output "${text.output}" has ${data.length} values, expected ${group.length}×${embed}`,
          );
        for (let i = 0; i < group.length; i++) out.push(unitVector(data, i * embed, embed, at(text.file)));
      }
      return out;
    },

    async encodeImage(image, sig) {
      const c = manifest.clip;
      const s = await session('clipImage');
      const pixels = imageToInput(image, c.imageSize, (v, ch) => (v - c.mean[ch]!) / c.std[ch]!);
      const result = (
        await s.runToHost(
          { [c.image.input]: hostTensor('float32', [1, 3, c.imageSize, c.imageSize], pixels) },
          { signal: sig },
        )
      )[c.image.output]!;
      return unitVector(result.data as Float32Array, 0, c.embedDim, at(c.image.file));
    },

    async generate(latent, sig) {
      checkLatent(latent, 'generate');
      const g = manifest.generator;
      const s = await session('generator');
      const out = await s.runToHost({ [g.input]: hostTensor('float32', [1, layers, width], latent) }, { signal: sig });
      const [h, w] = g.imageSize;
      const [lo, hi] = g.outputRange;
      const raw = out[g.output]!.data as Float32Array;
      const data = new Float32Array(raw.length);
      for (let i = 0; i < raw.length; i++) data[i] = Math.min(1, Math.max(0, (raw[i]! - lo) / (hi - lo)));
      const result: GenerateResult = { image: { kind: 'image', width: w, height: h, data } };
      if (g.attributes) result.attributes = Float32Array.from(out[g.attributes.output]!.data as Float32Array);
      return result;
    },

    async sampleLatent(seed, truncation = 1, sig) {
      const mapping = manifest.generator.mapping;
      if (!mapping)
        throw new Error(`${label} has no mapping network (generator.mapping), so it cannot sample random faces`);
      if (!Number.isFinite(truncation)) throw new Error(`truncation must be a finite number, got ${truncation}`);
      const s = await session('mapping');
      const z = gaussian(seed, mapping.zDim);
      const w = (await s.runToHost({ [mapping.input]: hostTensor('float32', [1, mapping.zDim], z) }, { signal: sig }))[
        mapping.output
      ]!.data as Float32Array;
      const latent = new Float32Array(latentSize);
      // One w for every layer, unless the mapping already returns W+.
      for (let i = 0; i < latentSize; i++) latent[i] = w.length === latentSize ? w[i]! : w[i % width]!;
      for (let i = 0; i < latentSize; i++) latent[i] = meanLatent[i]! + truncation * (latent[i]! - meanLatent[i]!);
      return latent;
    },

    async encode(image, sig) {
      const e = manifest.encoder;
      if (!e) throw new Error(`${label} has no encoder, so it cannot invert images`);
      const s = await session('encoder');
      const [lo, hi] = e.inputRange;
      const pixels = imageToInput(image, e.inputSize, (v) => lo + v * (hi - lo));
      const out = (
        await s.runToHost(
          { [e.input]: hostTensor('float32', [1, 3, e.inputSize, e.inputSize], pixels) },
          { signal: sig },
        )
      )[e.output]!.data as Float32Array;
      const latent = Float32Array.from(out);
      if (e.addMeanLatent) for (let i = 0; i < latentSize; i++) latent[i]! += meanLatent[i]!;
      return latent;
    },

    release: () => releaseSessions(sessions),
  };
  return bundle;
}
