// `bundle check`: loads a bundle the way the app does (manifest schema, every model against its
// contract, tokenizer, mean latent), runs each model once on real inputs — the mean-latent face
// feeds CLIP, the encoder and the identity network; the StyleSpace pair runs on the mean latent and
// must give the generator's image — and reports a table.
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ImageValue } from '../engine/graph/definition.js';
import { loadBundle, type ModelBundle, type ModelRole } from '../engine/models/index.js';
import { imageToInput } from '../engine/models/preprocess.js';
import { gaussian } from '../engine/random.js';
import { type HostTensor, hostTensor, readModel } from '../engine/onnx/model.js';
import { createNodeServices } from '../engine/run/services-node.js';
import { createRuntime } from '../engine/tensor/runtime.js';
import { METADATA_KEY } from './bundle-init.js';

export interface CheckRow {
  role: ModelRole;
  file: string;
  mb: number;
  io: string;
  ms: number;
  /** The L2 norm of an embedding output, before the app normalizes it. */
  norm?: number;
  problem?: string;
}

const dimsText = (t: HostTensor) => `[${t.dims.join(', ')}]`;

function stats(t: HostTensor): { finite: boolean; norm: number } {
  let s = 0;
  let finite = true;
  for (const v of t.data as Float32Array) {
    if (!Number.isFinite(v)) finite = false;
    s += v * v;
  }
  return { finite, norm: Math.sqrt(s) };
}

async function runRole(
  bundle: ModelBundle,
  role: ModelRole,
  feeds: Record<string, HostTensor>,
  output: string,
  embedding: boolean,
  keep?: (out: HostTensor) => void,
): Promise<Omit<CheckRow, 'role' | 'file' | 'mb'>> {
  const session = await bundle.session(role);
  const started = performance.now();
  const out = await session.runToHost(feeds);
  const ms = performance.now() - started;
  if (out[output]) keep?.(out[output]);
  const io = `${Object.entries(feeds)
    .map(([k, v]) => `${k} ${dimsText(v)}`)
    .join(', ')} → ${Object.entries(out)
    .map(([k, v]) => `${k} ${dimsText(v)}`)
    .join(', ')}`;
  const result = out[output];
  if (!result) return { io, ms, problem: `no output "${output}"` };
  const { finite, norm } = stats(result);
  if (!finite) return { io, ms, problem: `"${output}" has NaN or infinite values` };
  if (embedding && !(norm > 0)) return { io, ms, norm, problem: `"${output}" is all zeros` };
  return { io, ms, ...(embedding ? { norm } : {}) };
}

export async function checkBundle(manifestPath: string, signal?: AbortSignal): Promise<CheckRow[]> {
  const where = resolve(manifestPath);
  const services = createNodeServices({ baseDir: dirname(where) });
  const bundle = await loadBundle(where, { loadBytes: services.loadBytes, runtime: await createRuntime(), signal });
  const m = bundle.manifest;
  const base = dirname(where);
  const rows: CheckRow[] = [];
  const add = async (role: ModelRole, file: string, run: () => Promise<Omit<CheckRow, 'role' | 'file' | 'mb'>>) => {
    const mb = statSync(resolve(base, file)).size / 1e6;
    try {
      rows.push({ role, file, mb, ...(await run()) });
    } catch (e) {
      rows.push({ role, file, mb, io: '', ms: 0, problem: (e as Error).message });
    }
  };
  try {
    const [, layers, width] = bundle.latentShape;
    const g = m.generator;
    let face: ImageValue | undefined;
    let generated: HostTensor | undefined;
    await add('generator', g.file, async () => {
      const r = await runRole(
        bundle,
        'generator',
        { [g.input]: hostTensor('float32', [1, layers, width], bundle.meanLatent) },
        g.output,
        false,
        (t) => {
          generated = t;
        },
      );
      face = (await bundle.generate(bundle.meanLatent, signal)).image;
      return r;
    });
    if (g.mapping) {
      const map = g.mapping;
      await add('mapping', map.file, () =>
        runRole(
          bundle,
          'mapping',
          { [map.input]: hostTensor('float32', [1, map.zDim], gaussian(1, map.zDim)) },
          map.output,
          false,
        ),
      );
    }
    const c = m.clip;
    const picture = () => {
      if (!face) throw new Error('no face to feed: the generator failed');
      return face;
    };
    await add('clipImage', c.image.file, () =>
      runRole(
        bundle,
        'clipImage',
        {
          [c.image.input]: hostTensor(
            'float32',
            [1, 3, c.imageSize, c.imageSize],
            imageToInput(picture(), c.imageSize, (v, ch) => (v - c.mean[ch]!) / c.std[ch]!),
          ),
        },
        c.image.output,
        true,
      ),
    );
    await add('clipText', c.text.file, () => {
      const [t] = bundle.tokenize(['a happy face']);
      const ids = bundle.modelIo('clipText').inputs.find((v) => v.name === c.text.input)!;
      const dtype = ids.dtype as 'int64' | 'int32';
      const feeds: Record<string, HostTensor> = {
        [c.text.input]: hostTensor(dtype, [1, c.text.contextLength], t!.ids),
      };
      if (c.text.attentionMask) feeds[c.text.attentionMask] = hostTensor(dtype, [1, c.text.contextLength], t!.mask);
      return runRole(bundle, 'clipText', feeds, c.text.output, true);
    });
    if (m.encoder) {
      const e = m.encoder;
      const [lo, hi] = e.inputRange;
      await add('encoder', e.file, () =>
        runRole(
          bundle,
          'encoder',
          {
            [e.input]: hostTensor(
              'float32',
              [1, 3, e.inputSize, e.inputSize],
              imageToInput(picture(), e.inputSize, (v) => lo + v * (hi - lo)),
            ),
          },
          e.output,
          false,
        ),
      );
    }
    if (m.identity) {
      const id = m.identity;
      const size = id.imageSize ?? 256;
      const [lo, hi] = id.inputRange ?? [-1, 1];
      await add('identity', id.file, () =>
        runRole(
          bundle,
          'identity',
          {
            [id.input]: hostTensor(
              'float32',
              [1, 3, size, size],
              imageToInput(picture(), size, (v) => lo + v * (hi - lo)),
            ),
          },
          id.output,
          true,
        ),
      );
    }
    if (m.styleSpace) await checkStyleSpace(bundle, base, generated, add);
  } finally {
    await bundle.release();
  }
  return rows;
}

/** How far two images may differ, relative to the larger |value|, and still be the same generator. */
const SAME_IMAGE = 1e-3;

/**
 * The StyleSpace pair on the mean latent: styles.onnx's s, then synthesis_styles.onnx's image,
 * which must be the generator's image of the same latent; and the layer list the exporter stored
 * in styles.onnx, when it has one, must be the manifest's.
 */
async function checkStyleSpace(
  bundle: ModelBundle,
  base: string,
  generated: HostTensor | undefined,
  add: (role: ModelRole, file: string, run: () => Promise<Omit<CheckRow, 'role' | 'file' | 'mb'>>) => Promise<void>,
): Promise<void> {
  const st = bundle.manifest.styleSpace!;
  const size = st.layers.reduce((n, l) => n + l.size, 0);
  const [, layers, width] = bundle.latentShape;
  let styles: HostTensor | undefined;
  await add('styles', st.styles.file, async () => {
    const r = await runRole(
      bundle,
      'styles',
      { [st.styles.input]: hostTensor('float32', [1, layers, width], bundle.meanLatent) },
      st.styles.output,
      false,
      (t) => {
        styles = t;
      },
    );
    const claim = layerClaim(resolve(base, st.styles.file), st.layers);
    return claim ? { ...r, problem: claim } : r;
  });
  await add('styleSynthesis', st.synthesis.file, async () => {
    if (!styles) throw new Error(`no style vector to feed: ${st.styles.file} failed`);
    let image: HostTensor | undefined;
    const r = await runRole(
      bundle,
      'styleSynthesis',
      { [st.synthesis.input]: hostTensor('float32', [1, size], styles.data as Float32Array) },
      st.synthesis.output,
      false,
      (t) => {
        image = t;
      },
    );
    if (r.problem || !image || !generated) return r;
    const a = image.data as Float32Array;
    const b = generated.data as Float32Array;
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < b.length; i++) {
      diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
      scale = Math.max(scale, Math.abs(b[i]!));
    }
    if (diff > SAME_IMAGE * (scale || 1))
      return {
        ...r,
        problem: `its image of ${st.styles.file}'s style vector differs from ${bundle.manifest.generator.file}'s image of the same latent by up to ${diff.toPrecision(3)} (the values reach ${scale.toPrecision(3)}): styleSpace.styles and styleSpace.synthesis are not the generator split at its styles`,
      };
    return r;
  });
}

/** A problem when the styles model's metadata lists other layers than styleSpace.layers. */
function layerClaim(path: string, claimed: readonly { name: string; size: number }[]): string | undefined {
  const model = readModel(new Uint8Array(readFileSync(path)), path);
  const entry = model.metadataProps.find((p) => p.key === METADATA_KEY);
  let stored: unknown;
  try {
    stored = entry ? (JSON.parse(entry.value) as { layers?: unknown }).layers : undefined;
  } catch {
    return undefined;
  }
  if (!Array.isArray(stored)) return undefined;
  const listed = stored as { name?: unknown; size?: unknown }[];
  if (listed.length !== claimed.length)
    return `styleSpace.layers has ${claimed.length} layers; the file lists ${listed.length} in its metadata`;
  for (const [i, l] of claimed.entries()) {
    const f = listed[i]!;
    if (f.name !== l.name || f.size !== l.size)
      return `styleSpace.layers[${i}] is "${l.name}" of ${l.size} channels; the file lists "${String(f.name)}" of ${String(f.size)} at that place in its metadata`;
  }
  return undefined;
}

export function formatCheck(rows: readonly CheckRow[]): string {
  const table = [
    ['', 'model', 'file', 'MB', 'inputs → outputs', 'ms', 'norm'],
    ...rows.map((r) => [
      r.problem ? 'FAIL' : 'ok',
      r.role,
      r.file,
      r.mb.toFixed(2),
      r.io,
      r.ms.toFixed(0),
      r.norm === undefined ? '' : r.norm.toPrecision(4),
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const lines = table.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
  for (const r of rows) if (r.problem) lines.push(`${r.role} (${r.file}): ${r.problem}`);
  return `${lines.join('\n')}\n`;
}
