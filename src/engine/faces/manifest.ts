// The face bundle manifest (public/models/faces/manifest.json): which file is which network, the
// names and sizes of their inputs and outputs, and the detector's post-processing settings.
import { z } from 'zod';

export const EXPRESSION_NAMES = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const;
export type ExpressionName = (typeof EXPRESSION_NAMES)[number];

const relativeFile = z
  .string()
  .min(1)
  .refine((p) => !/^[a-z][a-z0-9+.-]*:/i.test(p) && !p.startsWith('/') && !p.startsWith('\\'), {
    message: 'must be a path relative to manifest.json (no leading "/" and no URL scheme)',
  });
const positiveInt = z.number().int().positive();
const name = z.string().min(1);

const detectorSchema = z.strictObject({
  file: relativeFile,
  input: name,
  inputSize: positiveInt,
  boxes: name,
  scores: name,
  anchors: positiveInt,
  iouThreshold: z.number().gt(0).lt(1),
  minScore: z.number().gt(0).lt(1),
});

const landmarksSchema = z.strictObject({
  file: relativeFile,
  input: name,
  inputSize: positiveInt,
  output: name,
  points: z.literal(68),
});

const recognitionSchema = z.strictObject({
  file: relativeFile,
  input: name,
  inputSize: positiveInt,
  output: name,
  dim: positiveInt,
});

const expressionSchema = z.strictObject({
  file: relativeFile,
  input: name,
  inputSize: positiveInt,
  output: name,
  labels: z
    .array(z.enum(EXPRESSION_NAMES))
    .refine((l) => l.length === EXPRESSION_NAMES.length && l.every((n, i) => n === EXPRESSION_NAMES[i]), {
      message: `must be ${EXPRESSION_NAMES.join(', ')} in this order (the net's output order)`,
    }),
});

export const faceManifestSchema = z.strictObject({
  format: z.literal('rete-clip-pae/faces'),
  version: z.literal(1),
  name,
  description: z.string(),
  license: z.string(),
  source: z.string(),
  detector: detectorSchema,
  landmarks: landmarksSchema,
  recognition: recognitionSchema,
  expression: expressionSchema,
});

export type FaceManifest = z.infer<typeof faceManifestSchema>;
export type FaceNetRole = 'detector' | 'landmarks' | 'recognition' | 'expression';
export const FACE_NET_ROLES: readonly FaceNetRole[] = ['detector', 'landmarks', 'recognition', 'expression'];

/** Parses manifest bytes; every problem is listed with its JSON path. */
export function parseFaceManifest(bytes: Uint8Array, where: string): FaceManifest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new Error(`${where} is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = faceManifestSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${where} is not a face bundle manifest:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
