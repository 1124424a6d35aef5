// What a style edit needs of its start face, computed once per latent: a slider change then costs
// one synthesis forward, not the styles model, the generator and CLIP again. Keyed by the latent's
// array, which the engine's result cache keeps alive as long as the upstream result stands.
import type { ModelBundle } from '../../engine/models/bundle.js';
import { styleSpaceOf } from '../../engine/stylespace/index.js';

interface FaceStyles {
  styles: Float32Array;
  /** Unit CLIP embedding of G(w). */
  embedding: Float32Array;
}

const faces = new WeakMap<Float32Array, Map<string, Promise<FaceStyles>>>();
const texts = new Map<string, Promise<Float32Array>>();
const TEXTS_KEPT = 64;

export function faceStyles(bundle: ModelBundle, latent: Float32Array, what: string, signal?: AbortSignal) {
  let perBundle = faces.get(latent);
  if (!perBundle) {
    perBundle = new Map();
    faces.set(latent, perBundle);
  }
  let found = perBundle.get(bundle.id);
  if (!found) {
    const space = styleSpaceOf(bundle, what);
    found = (async () => {
      const styles = await space.styles(latent, signal);
      const embedding = await bundle.encodeImage((await bundle.generate(latent, signal)).image, signal);
      return { styles, embedding };
    })();
    const pending = found;
    // A failed or cancelled computation is not kept: the next run tries again.
    const kept = perBundle;
    pending.catch(() => kept.delete(bundle.id));
    perBundle.set(bundle.id, pending);
  }
  return found;
}

export function textEmbedding(bundle: ModelBundle, prompt: string, signal?: AbortSignal): Promise<Float32Array> {
  const key = `${bundle.id}\u0000${prompt}`;
  let found = texts.get(key);
  if (!found) {
    found = bundle.encodeText([prompt], signal).then(([e]) => e!);
    found.catch(() => texts.delete(key));
    if (texts.size >= TEXTS_KEPT) texts.delete(texts.keys().next().value!);
    texts.set(key, found);
  }
  return found;
}
