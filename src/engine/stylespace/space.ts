// A bundle's StyleSpace (manifest `styleSpace`): W+ latent → style vector s, and s → image, each one
// session run, so an edit in s costs one synthesis forward.
import type { ImageValue } from '../graph/definition.js';
import type { ModelBundle, StyleSpaceInfo } from '../models/index.js';
import { hostTensor } from '../onnx/model.js';

export interface Synthesis {
  /** RGB in [0, 1]. */
  image: ImageValue;
  /** The generator's true attributes, when the synthesis model outputs them. */
  attributes?: Float32Array;
}

export interface StyleSpace {
  readonly info: StyleSpaceInfo;
  /** S: the length of every style vector. */
  readonly size: number;
  styles(latent: Float32Array, signal?: AbortSignal): Promise<Float32Array>;
  synthesize(styles: Float32Array, signal?: AbortSignal): Promise<Synthesis>;
}

export function styleSize(info: StyleSpaceInfo): number {
  return info.layers.reduce((n, l) => n + l.size, 0);
}

/** The bundle's StyleSpace; a clear error when its manifest has none. */
export function styleSpaceOf(bundle: ModelBundle, what: string): StyleSpace {
  const info = bundle.manifest.styleSpace;
  if (!info)
    throw new Error(
      `${what}: bundle "${bundle.name}" has no StyleSpace (no "styleSpace" section in its manifest: the styles and synthesis-from-styles models)`,
    );
  const size = styleSize(info);
  const [, layers, width] = bundle.latentShape;
  const gen = bundle.manifest.generator;
  return {
    info,
    size,
    async styles(latent, signal) {
      if (latent.length !== bundle.latentSize)
        throw new Error(`${what}: a latent of ${bundle.latentSize} values is needed, got ${latent.length}`);
      const s = await bundle.session('styles');
      const out = await s.runToHost(
        { [info.styles.input]: hostTensor('float32', [1, layers, width], latent) },
        { signal },
      );
      return Float32Array.from(out[info.styles.output]!.data as Float32Array);
    },
    async synthesize(styles, signal) {
      if (styles.length !== size)
        throw new Error(
          `${what}: a style vector of ${size} values (styleSpace.layers) is needed, got ${styles.length}`,
        );
      const s = await bundle.session('styleSynthesis');
      const out = await s.runToHost({ [info.synthesis.input]: hostTensor('float32', [1, size], styles) }, { signal });
      const [h, w] = gen.imageSize;
      const [lo, hi] = gen.outputRange;
      const raw = out[info.synthesis.output]!.data as Float32Array;
      const data = new Float32Array(raw.length);
      for (let i = 0; i < raw.length; i++) data[i] = Math.min(1, Math.max(0, (raw[i]! - lo) / (hi - lo)));
      const result: Synthesis = { image: { kind: 'image', width: w, height: h, data } };
      const a = info.synthesis.attributes;
      if (a && out[a]) result.attributes = Float32Array.from(out[a].data as Float32Array);
      return result;
    },
  };
}
