// The value the StyleSpace nodes pass around: a direction in a bundle's style space.
import type { ModelBundle } from '../../engine/models/bundle.js';

/** Δs for α = 1: added to a face's style vector as s + α Δs. */
export interface StyleDirectionValue {
  kind: 'style-direction';
  data: Float32Array;
  /** What it edits toward ("a happy face", a file name). */
  label: string;
  bundleId: string;
}

export function styleDirectionValue(bundle: ModelBundle, data: Float32Array, label: string): StyleDirectionValue {
  return { kind: 'style-direction', data, label, bundleId: bundle.id };
}
