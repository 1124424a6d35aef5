// The model bundle manifest (manifest.json): what each model file is, the names and shapes of its
// inputs and outputs, and how to feed it. Any StyleGAN-like generator, CLIP-like pair of towers and
// latent encoder can be described; nothing here names a particular model.
import { z } from 'zod';

const positiveInt = z.number().int().positive();

/** A path relative to the manifest: no scheme, no leading slash. */
const relativeFile = z
  .string()
  .min(1)
  .refine((p) => !/^[a-z][a-z0-9+.-]*:/i.test(p) && !p.startsWith('/') && !p.startsWith('\\'), {
    message: 'must be a path relative to manifest.json (no leading "/" and no URL scheme)',
  });

const range = z
  .tuple([z.number(), z.number()])
  .refine(([lo, hi]) => lo < hi, { message: 'must be [low, high] with low < high' });

const rgb = z.tuple([z.number(), z.number(), z.number()]);

const mappingSchema = z.strictObject({
  file: relativeFile,
  input: z.string().min(1),
  output: z.string().min(1),
  zDim: positiveInt,
  /** [1, D]: one w broadcast to every layer (the default), or [1, L, D]: already W+. */
  outputShape: z
    .union([z.tuple([z.literal(1), positiveInt]), z.tuple([z.literal(1), positiveInt, positiveInt])])
    .optional(),
});

const attributeSchema = z.strictObject({
  name: z.string().min(1),
  min: z.number(),
  max: z.number(),
  group: z.string().optional(),
});

const attributeClassSchema = z.strictObject({
  /** Which true attributes decide the class (by name). */
  attributes: z.array(z.string().min(1)).min(1),
  /** Class name → attribute values of its prototype (same order as `attributes`). */
  prototypes: z.record(z.string(), z.array(z.number())),
  /** Class name → the prompt that asks for it. */
  prompts: z.record(z.string(), z.string().min(1)).optional(),
});

const attributesSchema = z.strictObject({
  output: z.string().min(1),
  names: z.array(attributeSchema).min(1),
  classes: z.record(z.string(), attributeClassSchema).optional(),
});

const generatorSchema = z.strictObject({
  file: relativeFile,
  input: z.string().min(1),
  output: z.string().min(1),
  outputRange: range,
  latentShape: z.tuple([z.literal(1), positiveInt, positiveInt]),
  imageSize: z.tuple([positiveInt, positiveInt]),
  meanLatent: relativeFile,
  mapping: mappingSchema.optional(),
  attributes: attributesSchema.optional(),
});

const clipSchema = z.strictObject({
  image: z.strictObject({ file: relativeFile, input: z.string().min(1), output: z.string().min(1) }),
  text: z.strictObject({
    file: relativeFile,
    input: z.string().min(1),
    attentionMask: z.string().min(1).optional(),
    output: z.string().min(1),
    contextLength: positiveInt,
  }),
  tokenizer: relativeFile,
  /** tokenizer_config.json in the Hugging Face layout, when the tokenizer needs it. */
  tokenizerConfig: relativeFile.optional(),
  padId: z.number().int().nonnegative(),
  imageSize: positiveInt,
  mean: rgb,
  std: rgb.refine((s) => s.every((v) => v > 0), { message: 'every std must be > 0' }),
  embedDim: positiveInt,
});

const encoderSchema = z.strictObject({
  file: relativeFile,
  input: z.string().min(1),
  output: z.string().min(1),
  inputSize: positiveInt,
  inputRange: range,
  addMeanLatent: z.boolean(),
});

/**
 * Where the face is in the generator's image, as [left, top, width, height] fractions of its width and
 * height, for a generator whose faces are FFHQ-aligned: face-api's recognition crop (a square of
 * (eye-to-mouth distance) / 0.45 around the eyes and mouth) averaged over the 22 faces of face-api's
 * sample photos after FFHQ alignment (left 0.16, top 0.28, side 0.67, ± 0.02 / 0.01 / 0.04).
 */
export const FFHQ_IDENTITY_CROP: readonly [number, number, number, number] = [0.165, 0.275, 0.67, 0.67];

const identityCrop = z
  .tuple([z.number(), z.number(), z.number(), z.number()])
  .refine(([x, y, w, h]) => x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= 1 + 1e-9 && y + h <= 1 + 1e-9, {
    message: 'must be [left, top, width, height] as fractions of the image, inside it, with width and height > 0',
  });

const identitySchema = z.strictObject({
  /** The network file; "../faces/face_recognition.onnx" names the face bundle's recognition net. */
  file: relativeFile,
  input: z.string().min(1),
  output: z.string().min(1),
  imageSize: positiveInt.optional(),
  inputRange: range.optional(),
  /** The face's box in the generator's image (default FFHQ_IDENTITY_CROP); square in pixels. */
  crop: identityCrop.optional(),
});

const modelIo = { file: relativeFile, input: z.string().min(1), output: z.string().min(1) };

/**
 * StyleSpace: the generator split at its per-layer style vectors s (StyleGAN's affine outputs), so
 * edits can move single style channels. `styles`: W+ [1, L, D] → s [1, S]; `synthesis`: s [1, S] →
 * image [1, 3, H, W] (+ the true attributes when the generator has them); `layers` lists the style
 * layers in the order s concatenates them, S = the sum of their sizes.
 */
const styleSpaceSchema = z.strictObject({
  styles: z.strictObject(modelIo),
  synthesis: z.strictObject({ ...modelIo, attributes: z.string().min(1).optional() }),
  layers: z.array(z.strictObject({ name: z.string().min(1), size: positiveInt })).min(1),
  /**
   * Global directions (StyleCLIP): per style channel, its σ over random faces and the mean change of
   * the unit CLIP image embedding when the channel moves by ±`step` σ; float32 little-endian,
   * S values of σ then S × clip.embedDim relevance values (row c for channel c).
   */
  directions: z
    .strictObject({ file: relativeFile, faces: positiveInt, step: z.number().positive(), seed: z.number().int() })
    .optional(),
});

export const manifestSchema = z
  .strictObject({
    format: z.literal('rete-clip-pae/bundle'),
    version: z.literal(1),
    name: z.string().min(1),
    description: z.string().optional(),
    license: z.string().optional(),
    generator: generatorSchema,
    clip: clipSchema,
    encoder: encoderSchema.nullable().optional(),
    identity: identitySchema.nullable().optional(),
    styleSpace: styleSpaceSchema.optional(),
  })
  .superRefine((m, ctx) => {
    const [, layers, width] = m.generator.latentShape;
    const mapping = m.generator.mapping;
    if (mapping?.outputShape) {
      const shape = mapping.outputShape;
      const expected = shape.length === 2 ? [1, width] : [1, layers, width];
      if (shape.some((d, i) => d !== expected[i])) {
        ctx.addIssue({
          code: 'custom',
          path: ['generator', 'mapping', 'outputShape'],
          message: `must be [1, ${width}] or [1, ${layers}, ${width}] to match generator.latentShape`,
        });
      }
    }
    if (m.identity) {
      // The identity net reads a square face: the crop must be one in whole pixels (identity-prep.ts).
      const [height, imageWidth] = m.generator.imageSize;
      const [x, y, w, h] = m.identity.crop ?? FFHQ_IDENTITY_CROP;
      const side = Math.round(w * imageWidth);
      const tall = Math.round(h * height);
      if (
        side !== tall ||
        side < 1 ||
        Math.round(x * imageWidth) + side > imageWidth ||
        Math.round(y * height) + tall > height
      )
        ctx.addIssue({
          code: 'custom',
          path: ['identity', 'crop'],
          message: `[${[x, y, w, h].join(', ')}] is ${side}×${tall} pixels of the ${imageWidth}×${height} image (generator.imageSize); it must be a square inside the image`,
        });
    }
    const attributes = m.generator.attributes;
    if (attributes) {
      const names = new Set(attributes.names.map((a) => a.name));
      attributes.names.forEach((a, i) => {
        if (!(a.min < a.max))
          ctx.addIssue({
            code: 'custom',
            path: ['generator', 'attributes', 'names', i],
            message: `"${a.name}": min must be < max`,
          });
      });
      for (const [cls, spec] of Object.entries(attributes.classes ?? {})) {
        const base = ['generator', 'attributes', 'classes', cls];
        spec.attributes.forEach((a, i) => {
          if (!names.has(a))
            ctx.addIssue({
              code: 'custom',
              path: [...base, 'attributes', i],
              message: `"${a}" is not one of generator.attributes.names`,
            });
        });
        for (const [proto, values] of Object.entries(spec.prototypes)) {
          if (values.length !== spec.attributes.length) {
            ctx.addIssue({
              code: 'custom',
              path: [...base, 'prototypes', proto],
              message: `has ${values.length} values, but the class reads ${spec.attributes.length} attributes`,
            });
          }
        }
        for (const prompted of Object.keys(spec.prompts ?? {})) {
          if (!(prompted in spec.prototypes))
            ctx.addIssue({
              code: 'custom',
              path: [...base, 'prompts', prompted],
              message: `"${prompted}" has no prototype`,
            });
        }
      }
    }
  });

export type Manifest = z.infer<typeof manifestSchema>;
export type StyleSpaceInfo = NonNullable<Manifest['styleSpace']>;
export type AttributeInfo = NonNullable<Manifest['generator']['attributes']>;

/** "generator.latentShape[0]" from a zod issue path. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else {
      const key = String(p);
      out += /^[A-Za-z_$][\w$]*$/.test(key) ? (out ? `.${key}` : key) : `[${JSON.stringify(key)}]`;
    }
  }
  return out || '(the manifest itself)';
}

/** Parses and validates manifest.json; `where` names it in errors (its URL or path). */
export function parseManifest(input: string | Uint8Array | unknown, where: string): Manifest {
  let json: unknown = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new Error(`${where} is not valid JSON: ${(e as Error).message}`);
    }
  }
  const result = manifestSchema.safeParse(json);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${formatPath(i.path)}: ${i.message}`);
    throw new Error(`${where} is not a valid bundle manifest:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** Every file the bundle needs, relative to the manifest, with the role each one plays. */
export function bundleFiles(m: Manifest): { role: string; file: string }[] {
  const files = [
    { role: 'generator', file: m.generator.file },
    { role: 'meanLatent', file: m.generator.meanLatent },
    { role: 'clipImage', file: m.clip.image.file },
    { role: 'clipText', file: m.clip.text.file },
    { role: 'tokenizer', file: m.clip.tokenizer },
  ];
  if (m.generator.mapping) files.push({ role: 'mapping', file: m.generator.mapping.file });
  if (m.clip.tokenizerConfig) files.push({ role: 'tokenizerConfig', file: m.clip.tokenizerConfig });
  if (m.encoder) files.push({ role: 'encoder', file: m.encoder.file });
  if (m.identity) files.push({ role: 'identity', file: m.identity.file });
  if (m.styleSpace) {
    files.push({ role: 'styles', file: m.styleSpace.styles.file });
    files.push({ role: 'styleSynthesis', file: m.styleSpace.synthesis.file });
    if (m.styleSpace.directions) files.push({ role: 'directions', file: m.styleSpace.directions.file });
  }
  return files;
}
