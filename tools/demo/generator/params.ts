// Everything the face renderer reads from the latent: the named attributes (tools/demo/attributes.ts)
// plus hidden details (shirt colour, nose, iris …) that vary between faces but have no name, so that
// the latent carries more than the attribute vector, as a real generator's does.
// `centre` and `spread` shape the distribution of random faces: a parameter is
// min + (max - min) · sigmoid(pre) with pre ≈ centre + spread · N(0, 1) over random latents.
import { ATTRIBUTES, type LayerGroup } from '../attributes.js';

export interface FaceParam {
  name: string;
  min: number;
  max: number;
  layers: LayerGroup;
  /** Part of the 'attributes' output. */
  visible: boolean;
  centre: number;
  spread: number;
}

const SHAPING: Record<string, [centre: number, spread: number]> = {
  face_width: [0, 1.5],
  hair_length: [0.6, 2.0],
  hair_curl: [-0.5, 2.5],
  beard: [-2.0, 4.0],
  glasses: [-1.6, 4.0],
  // Tuned so that every expression class holds at least ~8 % of random faces while the mean face
  // stays neutral (classes are read by nearest prototype, see attributes.ts).
  mouth_curve: [-0.3, 1.5],
  mouth_open: [-1.0, 2.2],
  brow_tilt: [-0.3, 2.0],
  brow_height: [0.2, 1.5],
  eye_open: [0.5, 1.9],
  sneer: [-1.4, 2.2],
  eye_size: [0, 1.8],
  mouth_width: [0, 1.8],
  skin_tone: [0, 1.6],
  hair_lightness: [0, 1.8],
  hair_redness: [-1.2, 2.0],
  hair_greyness: [-1.6, 2.2],
  background_red: [0, 2.5],
  background_green: [0, 2.5],
  background_blue: [0, 2.5],
};

const HIDDEN: FaceParam[] = [
  { name: 'face_length', min: 0, max: 1, layers: 'coarse', visible: false, centre: 0, spread: 1.2 },
  { name: 'nose_size', min: 0, max: 1, layers: 'coarse', visible: false, centre: 0, spread: 1.2 },
  { name: 'brow_weight', min: 0, max: 1, layers: 'middle', visible: false, centre: 0, spread: 1.2 },
  { name: 'iris_tone', min: 0, max: 1, layers: 'fine', visible: false, centre: 0, spread: 2.0 },
  { name: 'lip_tint', min: 0, max: 1, layers: 'fine', visible: false, centre: 0, spread: 1.2 },
  { name: 'shirt_red', min: 0, max: 1, layers: 'fine', visible: false, centre: 0, spread: 1.5 },
  { name: 'shirt_green', min: 0, max: 1, layers: 'fine', visible: false, centre: 0, spread: 1.5 },
  { name: 'shirt_blue', min: 0, max: 1, layers: 'fine', visible: false, centre: 0, spread: 1.5 },
];

export const FACE_PARAMS: readonly FaceParam[] = [
  ...ATTRIBUTES.map((a) => {
    const shaping = SHAPING[a.name];
    if (!shaping) throw new Error(`internal: attribute ${a.name} has no shaping in generator/params.ts`);
    return {
      name: a.name,
      min: a.min,
      max: a.max,
      layers: a.layers,
      visible: true,
      centre: shaping[0],
      spread: shaping[1],
    };
  }),
  ...HIDDEN,
];

export const LAYER_GROUPS: readonly LayerGroup[] = ['coarse', 'middle', 'fine'];

/** The W+ layers of each group: the first, middle and last third of L layers. */
export function layersOf(group: LayerGroup, L: number): number[] {
  if (!Number.isInteger(L) || L < 3)
    throw new Error(`the generator needs at least 3 W+ layers (coarse, middle, fine), got ${L}`);
  const a = Math.floor(L / 3);
  const b = Math.floor((2 * L) / 3);
  const [lo, hi] = group === 'coarse' ? [0, a] : group === 'middle' ? [a, b] : [b, L];
  return Array.from({ length: hi - lo }, (_, i) => lo + i);
}
