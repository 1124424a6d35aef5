// The faces of photos as a generator's starting latents: every face the detector finds, best first,
// FFHQ-aligned at the generator's size and inverted with the bundle's encoder. Both eval-photos
// measurements (face-api's scores on the pasted-back photo, and the host table) start here.
import { type AlignedFace, alignFace } from '../faces/align.js';
import { type DetectedFace, detectFaces, type FaceNets } from '../faces/detect.js';
import type { ImageValue } from '../graph/definition.js';
import type { ModelBundle } from '../models/index.js';

export interface PhotoInput {
  name: string;
  image: ImageValue;
}

/** A photo as the report lists it: its name, size, and how many faces were found in it. */
export interface PhotoSummary {
  name: string;
  width: number;
  height: number;
  faces: number;
}

/** One face of one photo, and the latent the encoder inverted its aligned crop to. */
export interface PhotoFace {
  photo: PhotoInput;
  /** Index of the face in its photo (best detection first). */
  index: number;
  face: DetectedFace;
  aligned: AlignedFace;
  latent0: Float32Array;
}

/** `what` starts the message when the bundle cannot invert faces. */
export function checkEncoder(bundle: ModelBundle, what: string): void {
  if (!bundle.manifest.encoder)
    throw new Error(`${what}: bundle "${bundle.name}" has no encoder to invert the faces with`);
}

/** Detects, aligns and inverts every face of every photo, in order. */
export async function invertPhotoFaces(
  bundle: ModelBundle,
  nets: FaceNets,
  photos: readonly PhotoInput[],
  what: string,
  signal?: AbortSignal,
): Promise<{ photos: PhotoSummary[]; faces: PhotoFace[] }> {
  checkEncoder(bundle, what);
  const [height, width] = bundle.manifest.generator.imageSize;
  const size = Math.min(height, width);
  const seen: PhotoSummary[] = [];
  const faces: PhotoFace[] = [];
  for (const photo of photos) {
    const found = await detectFaces(nets, photo.image, { signal });
    seen.push({ name: photo.name, width: photo.image.width, height: photo.image.height, faces: found.length });
    for (const [index, face] of found.entries()) {
      const aligned = alignFace(photo.image, face, size);
      faces.push({ photo, index, face, aligned, latent0: await bundle.encode(aligned.image, signal) });
    }
  }
  return { photos: seen, faces };
}
