// The true attributes of a demo face, and how to read classes and captions from them.
// The generator draws from these values, the data builder captions with the phrases, and the
// evaluation reads classes with the prototype rule: the class whose prototype is nearest, each
// attribute measured in units of its range.

/** Which W+ layers drive an attribute: coarse (shape), middle (expression, eyes, mouth), fine (colours). */
export type LayerGroup = 'coarse' | 'middle' | 'fine';

export interface AttributeSpec {
  name: string;
  min: number;
  max: number;
  /** What part of the face it describes (the manifest's "group"). */
  group: string;
  layers: LayerGroup;
  description: string;
}

export const ATTRIBUTES: readonly AttributeSpec[] = [
  { name: 'face_width', min: 0, max: 1, group: 'face', layers: 'coarse', description: 'narrow (0) to wide (1) head' },
  {
    name: 'hair_length',
    min: 0,
    max: 1,
    group: 'hair',
    layers: 'coarse',
    description: 'bald (0), short (~0.35), long to the shoulders (1)',
  },
  {
    name: 'hair_curl',
    min: 0,
    max: 1,
    group: 'hair',
    layers: 'coarse',
    description: 'straight (0) to curly (1) hair: wavy outline and ringlet texture',
  },
  { name: 'beard', min: 0, max: 1, group: 'beard', layers: 'coarse', description: 'no beard (0) to full beard (1)' },
  { name: 'glasses', min: 0, max: 1, group: 'glasses', layers: 'coarse', description: 'no glasses (0) to glasses (1)' },
  {
    name: 'mouth_curve',
    min: -1,
    max: 1,
    group: 'expression',
    layers: 'middle',
    description: 'frown (-1) to smile (+1); a smile also raises the cheeks',
  },
  {
    name: 'mouth_open',
    min: 0,
    max: 1,
    group: 'expression',
    layers: 'middle',
    description: 'closed (0) to wide open (1); an open mouth gets rounder',
  },
  {
    name: 'brow_tilt',
    min: -1,
    max: 1,
    group: 'expression',
    layers: 'middle',
    description: 'inner brow ends up, worried (-1) to inner ends down, angry (+1)',
  },
  {
    name: 'brow_height',
    min: -1,
    max: 1,
    group: 'expression',
    layers: 'middle',
    description: 'lowered (-1) to raised (+1) eyebrows',
  },
  {
    name: 'eye_open',
    min: 0,
    max: 1,
    group: 'expression',
    layers: 'middle',
    description: 'closed (0) to wide open (1) eyes',
  },
  {
    name: 'sneer',
    min: 0,
    max: 1,
    group: 'expression',
    layers: 'middle',
    description: 'one-sided raised upper lip and wrinkled nose (disgust)',
  },
  { name: 'eye_size', min: 0, max: 1, group: 'eyes', layers: 'middle', description: 'small (0) to large (1) eyes' },
  {
    name: 'mouth_width',
    min: 0,
    max: 1,
    group: 'mouth',
    layers: 'middle',
    description: 'narrow (0) to wide (1) mouth',
  },
  { name: 'skin_tone', min: 0, max: 1, group: 'skin', layers: 'fine', description: 'light (0) to dark (1) skin' },
  {
    name: 'hair_lightness',
    min: 0,
    max: 1,
    group: 'hair colour',
    layers: 'fine',
    description: 'black (0) through brown to blond (1)',
  },
  {
    name: 'hair_redness',
    min: 0,
    max: 1,
    group: 'hair colour',
    layers: 'fine',
    description: 'brown/golden (0) to red/ginger (1) pigment',
  },
  {
    name: 'hair_greyness',
    min: 0,
    max: 1,
    group: 'hair colour',
    layers: 'fine',
    description: 'natural colour (0) to grey (1)',
  },
  {
    name: 'background_red',
    min: 0,
    max: 1,
    group: 'background',
    layers: 'fine',
    description: 'red channel of the backdrop',
  },
  {
    name: 'background_green',
    min: 0,
    max: 1,
    group: 'background',
    layers: 'fine',
    description: 'green channel of the backdrop',
  },
  {
    name: 'background_blue',
    min: 0,
    max: 1,
    group: 'background',
    layers: 'fine',
    description: 'blue channel of the backdrop',
  },
];

export const ATTRIBUTE_NAMES: readonly string[] = ATTRIBUTES.map((a) => a.name);

export function attributeIndex(name: string): number {
  const i = ATTRIBUTE_NAMES.indexOf(name);
  if (i < 0) throw new Error(`unknown face attribute '${name}' (known: ${ATTRIBUTE_NAMES.join(', ')})`);
  return i;
}

/**
 * Words for one class, by where they go in a caption:
 * - adj: before the subject ("a {adj} face / person"),
 * - with: after "with" ("a person with {with}"),
 * - hair: before the word hair ("{hair} hair"),
 * - scene: after the subject ("a face {scene}").
 * A class may leave slots empty (e.g. "no glasses" is usually not said at all).
 */
export interface Phrases {
  adj?: string[];
  with?: string[];
  hair?: string[];
  scene?: string[];
}

export interface ClassSpec {
  name: string;
  /** Attribute values, in the order of the group's `attributes`. */
  prototype: number[];
  /** The zero-shot prompt written into the manifest. */
  prompt: string;
  phrases: Phrases;
}

export interface ClassGroup {
  name: string;
  attributes: string[];
  classes: ClassSpec[];
  /** The class is only visible when this attribute is at least `min` (hair colour on a bald head is not). */
  when?: { attribute: string; min: number };
}

export const CLASS_GROUPS: readonly ClassGroup[] = [
  {
    name: 'expression',
    attributes: ['mouth_curve', 'mouth_open', 'brow_tilt', 'brow_height', 'eye_open', 'sneer'],
    classes: [
      {
        name: 'happy',
        prototype: [0.85, 0.35, 0, 0.15, 0.45, 0],
        prompt: 'a happy face',
        phrases: {
          adj: ['happy', 'smiling', 'cheerful', 'joyful', 'grinning', 'delighted'],
          with: ['a big smile', 'a smile', 'a happy expression', 'a grin'],
        },
      },
      {
        name: 'sad',
        prototype: [-0.8, 0.05, -0.85, -0.05, 0.4, 0],
        prompt: 'a sad face',
        phrases: {
          adj: ['sad', 'unhappy', 'sorrowful', 'gloomy', 'miserable', 'downcast'],
          with: ['a sad expression', 'a frown', 'a sorrowful look'],
        },
      },
      {
        name: 'angry',
        prototype: [-0.3, 0.08, 0.95, -0.6, 0.7, 0],
        prompt: 'an angry face',
        phrases: {
          adj: ['angry', 'furious', 'mad', 'annoyed', 'irritated', 'enraged'],
          with: ['an angry expression', 'a scowl', 'a furious look'],
        },
      },
      {
        name: 'surprised',
        prototype: [0, 0.9, 0, 0.95, 1, 0],
        prompt: 'a surprised face',
        phrases: {
          adj: ['surprised', 'astonished', 'amazed', 'shocked', 'startled', 'stunned'],
          with: ['a surprised expression', 'an astonished look', 'an open mouth'],
        },
      },
      {
        name: 'fearful',
        prototype: [-0.5, 0.4, -0.85, 0.75, 0.95, 0],
        prompt: 'a fearful face',
        phrases: {
          adj: ['fearful', 'scared', 'afraid', 'frightened', 'terrified', 'anxious'],
          with: ['a fearful expression', 'a frightened look', 'a scared look'],
        },
      },
      {
        name: 'disgusted',
        prototype: [-0.45, 0.15, 0.45, -0.4, 0.3, 0.95],
        prompt: 'a disgusted face',
        phrases: {
          adj: ['disgusted', 'revolted', 'repulsed', 'grossed out', 'sneering', 'contemptuous'],
          with: ['a disgusted expression', 'a sneer', 'a look of disgust'],
        },
      },
      {
        name: 'neutral',
        prototype: [0, 0.05, 0, 0, 0.6, 0],
        prompt: 'a neutral face',
        phrases: {
          adj: ['neutral', 'calm', 'expressionless', 'serious', 'blank', 'composed'],
          with: ['a neutral expression', 'a straight face', 'a calm look'],
        },
      },
    ],
  },
  {
    name: 'hair colour',
    attributes: ['hair_lightness', 'hair_redness', 'hair_greyness'],
    when: { attribute: 'hair_length', min: 0.2 },
    classes: [
      {
        name: 'black',
        prototype: [0.05, 0.2, 0.05],
        prompt: 'a person with black hair',
        phrases: { hair: ['black', 'jet black', 'dark'], adj: ['black-haired', 'dark-haired'] },
      },
      {
        name: 'brown',
        prototype: [0.42, 0.15, 0.05],
        prompt: 'a person with brown hair',
        phrases: { hair: ['brown', 'brunette', 'chestnut'], adj: ['brown-haired', 'brunette'] },
      },
      {
        name: 'blond',
        prototype: [0.95, 0.15, 0.05],
        prompt: 'a person with blond hair',
        phrases: { hair: ['blond', 'blonde', 'golden', 'fair'], adj: ['blond', 'blonde', 'fair-haired'] },
      },
      {
        name: 'red',
        prototype: [0.55, 0.95, 0.05],
        prompt: 'a person with red hair',
        phrases: { hair: ['red', 'ginger', 'auburn', 'copper'], adj: ['red-haired', 'ginger', 'redheaded'] },
      },
      {
        name: 'grey',
        prototype: [0.6, 0.2, 0.95],
        prompt: 'a person with grey hair',
        phrases: { hair: ['grey', 'gray', 'silver', 'white'], adj: ['grey-haired', 'gray-haired', 'silver-haired'] },
      },
    ],
  },
  {
    name: 'hair length',
    attributes: ['hair_length'],
    classes: [
      {
        name: 'bald',
        prototype: [0],
        prompt: 'a bald person',
        phrases: {
          adj: ['bald', 'hairless', 'bald-headed', 'shaven-headed'],
          with: ['a bald head', 'a shaved head', 'no hair'],
        },
      },
      {
        name: 'short',
        prototype: [0.38],
        prompt: 'a person with short hair',
        phrases: { hair: ['short', 'cropped', 'short-cut'], adj: ['short-haired'] },
      },
      {
        name: 'long',
        prototype: [0.9],
        prompt: 'a person with long hair',
        phrases: { hair: ['long', 'shoulder-length', 'flowing'], adj: ['long-haired'] },
      },
    ],
  },
  {
    name: 'hair texture',
    attributes: ['hair_curl'],
    when: { attribute: 'hair_length', min: 0.2 },
    classes: [
      {
        name: 'straight',
        prototype: [0],
        prompt: 'a person with straight hair',
        phrases: { hair: ['straight', 'sleek', 'smooth'], adj: ['straight-haired'] },
      },
      {
        name: 'curly',
        prototype: [1],
        prompt: 'a person with curly hair',
        phrases: { hair: ['curly', 'frizzy', 'wavy', 'curled'], adj: ['curly-haired'] },
      },
    ],
  },
  {
    name: 'glasses',
    attributes: ['glasses'],
    classes: [
      {
        name: 'no glasses',
        prototype: [0],
        prompt: 'a person without glasses',
        phrases: { with: ['no glasses', 'bare eyes'] },
      },
      {
        name: 'glasses',
        prototype: [1],
        prompt: 'a person wearing glasses',
        phrases: { with: ['glasses', 'eyeglasses', 'spectacles', 'round glasses'], adj: ['bespectacled'] },
      },
    ],
  },
  {
    name: 'beard',
    attributes: ['beard'],
    classes: [
      {
        name: 'no beard',
        prototype: [0],
        prompt: 'a clean-shaven person',
        phrases: { adj: ['clean-shaven', 'beardless', 'shaved'], with: ['no beard', 'a smooth chin'] },
      },
      {
        name: 'beard',
        prototype: [1],
        prompt: 'a person with a beard',
        phrases: { adj: ['bearded'], with: ['a beard', 'a full beard', 'a moustache and beard', 'facial hair'] },
      },
    ],
  },
  {
    name: 'eye size',
    attributes: ['eye_size'],
    classes: [
      {
        name: 'small eyes',
        prototype: [0.1],
        prompt: 'a person with small eyes',
        phrases: { with: ['small eyes', 'narrow eyes', 'tiny eyes', 'little eyes'] },
      },
      {
        name: 'large eyes',
        prototype: [0.9],
        prompt: 'a person with large eyes',
        phrases: { with: ['large eyes', 'big eyes', 'huge eyes', 'wide eyes'], adj: ['big-eyed', 'wide-eyed'] },
      },
    ],
  },
  {
    name: 'mouth width',
    attributes: ['mouth_width'],
    classes: [
      {
        name: 'small mouth',
        prototype: [0.1],
        prompt: 'a person with a small mouth',
        phrases: { with: ['a small mouth', 'a narrow mouth', 'a tiny mouth', 'small lips'] },
      },
      {
        name: 'wide mouth',
        prototype: [0.9],
        prompt: 'a person with a wide mouth',
        phrases: { with: ['a wide mouth', 'a large mouth', 'a big mouth', 'full lips'] },
      },
    ],
  },
  {
    name: 'skin tone',
    attributes: ['skin_tone'],
    classes: [
      {
        name: 'light',
        prototype: [0.08],
        prompt: 'a person with light skin',
        phrases: { adj: ['pale', 'fair-skinned', 'light-skinned'], with: ['light skin', 'pale skin', 'fair skin'] },
      },
      {
        name: 'medium',
        prototype: [0.5],
        prompt: 'a person with tan skin',
        phrases: {
          adj: ['tanned', 'olive-skinned', 'tan'],
          with: ['tan skin', 'olive skin', 'medium skin', 'brown skin'],
        },
      },
      {
        name: 'dark',
        prototype: [0.92],
        prompt: 'a person with dark skin',
        phrases: { adj: ['dark-skinned'], with: ['dark skin', 'deep brown skin', 'dark complexion'] },
      },
    ],
  },
  {
    name: 'background',
    attributes: ['background_red', 'background_green', 'background_blue'],
    classes: [
      {
        name: 'red',
        prototype: [1, 0, 0],
        prompt: 'a face on a red background',
        phrases: { scene: ['on a red background', 'against a red wall', 'in front of a red backdrop'] },
      },
      {
        name: 'green',
        prototype: [0, 1, 0],
        prompt: 'a face on a green background',
        phrases: { scene: ['on a green background', 'against a green wall', 'in front of a green backdrop'] },
      },
      {
        name: 'blue',
        prototype: [0, 0, 1],
        prompt: 'a face on a blue background',
        phrases: { scene: ['on a blue background', 'against a blue wall', 'in front of a blue backdrop'] },
      },
      {
        name: 'yellow',
        prototype: [1, 1, 0],
        prompt: 'a face on a yellow background',
        phrases: { scene: ['on a yellow background', 'against a yellow wall', 'in front of a yellow backdrop'] },
      },
      {
        name: 'purple',
        prototype: [1, 0, 1],
        prompt: 'a face on a purple background',
        phrases: { scene: ['on a purple background', 'on a magenta background', 'in front of a pink backdrop'] },
      },
      {
        name: 'cyan',
        prototype: [0, 1, 1],
        prompt: 'a face on a cyan background',
        phrases: { scene: ['on a cyan background', 'on a turquoise background', 'in front of a teal backdrop'] },
      },
      {
        name: 'white',
        prototype: [1, 1, 1],
        prompt: 'a face on a white background',
        phrases: { scene: ['on a white background', 'against a white wall', 'in front of a bright backdrop'] },
      },
      {
        name: 'black',
        prototype: [0, 0, 0],
        prompt: 'a face on a black background',
        phrases: { scene: ['on a black background', 'against a dark wall', 'in front of a dark backdrop'] },
      },
    ],
  },
];

export function classGroup(name: string): ClassGroup {
  const g = CLASS_GROUPS.find((c) => c.name === name);
  if (!g) throw new Error(`unknown class group '${name}' (known: ${CLASS_GROUPS.map((c) => c.name).join(', ')})`);
  return g;
}

function checkAttributes(values: ArrayLike<number>, where: string): void {
  if (values.length !== ATTRIBUTES.length) {
    throw new Error(
      `${where}: expected ${ATTRIBUTES.length} attribute values (${ATTRIBUTE_NAMES.join(', ')}), got ${values.length}`,
    );
  }
}

/** Squared distance from a face to one class prototype, each attribute in units of its range. */
export function prototypeDistance(group: ClassGroup, cls: ClassSpec, values: ArrayLike<number>): number {
  let d = 0;
  group.attributes.forEach((name, j) => {
    const spec = ATTRIBUTES[attributeIndex(name)]!;
    const diff = (values[attributeIndex(name)]! - cls.prototype[j]!) / (spec.max - spec.min);
    d += diff * diff;
  });
  return d;
}

export interface ClassReading {
  /** The nearest class. */
  name: string;
  /** Distance to the runner-up minus distance to the winner (range units): how clear-cut it is. */
  margin: number;
  /** False when the group's `when` condition fails (e.g. hair colour of a bald head). */
  visible: boolean;
}

/** The class of one group for a face's true attributes (K values, in ATTRIBUTES order). */
export function classify(groupName: string, values: ArrayLike<number>): ClassReading {
  checkAttributes(values, `classify('${groupName}')`);
  const group = classGroup(groupName);
  const d = group.classes.map((c) => Math.sqrt(prototypeDistance(group, c, values)));
  const order = d.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const visible = !group.when || values[attributeIndex(group.when.attribute)]! >= group.when.min;
  return { name: group.classes[order[0]![1]]!.name, margin: order[1]![0] - order[0]![0], visible };
}

/** Every group's class for one face. */
export function classifyAll(values: ArrayLike<number>): Record<string, ClassReading> {
  return Object.fromEntries(CLASS_GROUPS.map((g) => [g.name, classify(g.name, values)]));
}

/** The attribute values of one class prototype, as a name → value map (for building targets). */
export function prototypeAttributes(groupName: string, className: string): Record<string, number> {
  const group = classGroup(groupName);
  const cls = group.classes.find((c) => c.name === className);
  if (!cls)
    throw new Error(
      `class group '${groupName}' has no class '${className}' (classes: ${group.classes.map((c) => c.name).join(', ')})`,
    );
  return Object.fromEntries(group.attributes.map((a, j) => [a, cls.prototype[j]!]));
}
