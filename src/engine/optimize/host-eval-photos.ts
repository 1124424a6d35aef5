// `eval-photos --hosts`: the host table of `eval --hosts` (host-eval.ts), with the faces taken from
// photos: every face found is FFHQ-aligned and inverted with the bundle's encoder (photo-faces.ts),
// and that inversion is where every host starts. The true attributes are the generator's, read at a
// latent: before an edit those of the inversion, after it those of the edited latent, so success,
// toward, drift, identity and image distance compare the edit with the inversion, not with the photo.
import type { FaceNets } from '../faces/detect.js';
import type { ModelBundle } from '../models/index.js';
import {
  checkHostSettings,
  editWithHosts,
  formatHostTable,
  type HostEvalHooks,
  type HostReport,
  type HostSettings,
} from './host-eval.js';
import { checkEncoder, invertPhotoFaces, type PhotoInput, type PhotoSummary } from './photo-faces.js';

export interface PhotoHostReport extends HostReport {
  photos: PhotoSummary[];
}

/** Said under the table's legend: what the measures of an inverted photo are. */
export const INVERSION_NOTE =
  "a photo's true attributes are those the generator gives its inversion (read from the encoder's latent), not the photo's own: every measure compares the edited face with the inverted one";

export async function runPhotoHostEval(
  bundle: ModelBundle,
  nets: FaceNets,
  photos: readonly PhotoInput[],
  settings: HostSettings,
  hooks: HostEvalHooks = {},
): Promise<PhotoHostReport> {
  // Every setting and the bundle's sections are checked before the first photo is read.
  checkEncoder(bundle, 'eval-photos');
  checkHostSettings(bundle, settings, 'eval-photos');
  const inverted = await invertPhotoFaces(bundle, nets, photos, 'eval-photos', hooks.signal);
  if (inverted.faces.length === 0)
    throw new Error(`eval-photos: no face found in ${inverted.photos.map((p) => p.name).join(', ')}`);
  const faces = inverted.faces.map((f) => ({ label: `${f.photo.name} face ${f.index + 1}`, latent0: f.latent0 }));
  const { cases, rows } = await editWithHosts(bundle, settings, faces, 'eval-photos', hooks);
  return { settings, photos: inverted.photos, cases, rows };
}

/** The table, headed by the photos the faces came from and the note on what the measures mean. */
export function formatPhotoHostTable(report: PhotoHostReport): string {
  const faces = report.photos.reduce((n, p) => n + p.faces, 0);
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  return formatHostTable(report.rows, report.settings, {
    command: 'eval-photos',
    faces: `${count(faces, 'face')} of ${count(report.photos.length, 'photo')}, inverted with the bundle's encoder`,
    notes: [INVERSION_NOTE],
  });
}
