// MODEL_CARD.md of the demo bundle: what the models are, what they were trained on, and how well they
// do on faces they never saw (the numbers of models:eval).
import type { ClipShape } from './clip/towers.js';
import type { BuildConfig } from './config.js';
import type { EncoderShape } from './encoder/network.js';
import { CARD_EVAL_SEED } from './config.js';
import { SAMPLER_DEFAULTS } from './data/faces.js';
import { EDIT_GOAL, editGoalMet, formatReport, type BuildInfo, type EvalReport } from './evaluate.js';
import { IDENTITY_ATTRIBUTES } from './identity/network.js';
import { IDENTITY_MEASURE } from './identity/measure.js';
import type { IdentityReport } from './identity/report.js';
import { clock } from './progress.js';

/** What the card says about the identity net: its size and, when measured, how well it tells faces apart. */
export interface IdentityCard {
  parameters: number;
  report?: IdentityReport;
}

/** The identity net's entry under "Models". */
export function identityModelEntry(c: BuildConfig, parameters: number): string {
  const s = c.identity.shape;
  const t = c.identity.training;
  return `- **Identity** (\`identity.onnx\`, ${parameters.toLocaleString('en')} weights): image [1, 3, ${s.imageSize}, ${s.imageSize}] in [−1, 1] (the whole 128 px
  render averaged 2×2; the manifest's identity.crop is [0, 0, 1, 1]) → ${s.channels.map((ch) => `conv3×3/2 ${ch}`).join(', ')}, ReLU →
  flatten → dense ${s.hidden} → ReLU → linear ${IDENTITY_ATTRIBUTES.length} = embedding: who the face is, its ${IDENTITY_ATTRIBUTES.length} identity attributes
  (${IDENTITY_ATTRIBUTES.map((a) => a.name).join(', ')}: everything but expression and background) in units of each range,
  centred. Trained by its own build step (\`npm run models:demo:identity\`, tools/demo/identity) on ${c.identity.faces.toLocaleString('en')} faces of the
  corpus sampler (their own random stream), squared error, ${t.steps} steps of ${t.batch}, lr ${t.lr}. The edit objective's identity
  term λ_id (1 − cos) reads it.`;
}

/** The identity measurement, as the card reports it. */
export function identitySection(report: IdentityReport): string {
  const m = (x: IdentityReport['bundleNet']) =>
    `${x.nearer} of ${x.pairs} pairs (mean cosine ${x.sameFace.toFixed(3)} for the same face, ${x.otherFace.toFixed(3)} for another)`;
  return `## Identity
Does a network tell the demo's faces apart? ${IDENTITY_MEASURE.pairs} random faces of the app (seeds ${IDENTITY_MEASURE.seed}, ${IDENTITY_MEASURE.seed + 1}, …,
ψ = ${IDENTITY_MEASURE.truncation}), each with the same face under another expression (only the expression group's layers moved to
another class's prototype, tools/demo/identity/measure.ts) and another random face: the same face should be
nearer (higher cosine).
- face-api's recognition net (public/models/faces) on the FFHQ-aligned face box: nearer in ${m(report.recognitionNet)}.
  It is trained on photos and sees these cartoons as much alike, so the bundle trains its own.
- The bundle's identity net: nearer in ${m(report.bundleNet)}.
`;
}

export function modelCard(
  info: BuildInfo,
  clip: ClipShape,
  enc: EncoderShape,
  c: BuildConfig,
  report: EvalReport,
  identity?: IdentityCard,
): string {
  const ct = c.clip.training;
  const et = c.encoder.training;
  const s = info.seconds;
  const sd = SAMPLER_DEFAULTS;
  const stages = (stem: string, channels: number[]) =>
    `${stem}, then ${channels.map((ch) => `[conv3×3 ${ch} + conv3×3/2 ${ch}]`).join(', ')}`;
  const zsOk = report.zeroShot.every((z) => z.accuracy >= 0.9);
  const encOk = report.reconstruction ? report.reconstruction.attributeError <= 0.1 : false;
  const edit = report.edit;
  const editGoal = `With a text target ("${EDIT_GOAL.prompt}"), ${edit?.steps ?? EDIT_GOAL.steps} optimization steps move the true expression toward happy on ≥ ${EDIT_GOAL.toward * 100} % of random faces`;
  const editCommand = edit ? ` --edit-faces ${edit.faces}` : ' --edit-faces 0';
  return `# Demo model bundle — model card

Built by \`npm run models:demo${info.quick ? ' -- --quick' : ''}\` from seed ${info.seed}${info.quick ? ' (**reduced-size test build: the numbers below are not meaningful**)' : ''}.
Everything here is synthetic: the faces are drawn by a procedural generator, the captions are written
from templates. The bundle exists so that the app edits faces out of the box through exactly the code
path that real StyleGAN2 / CLIP / e4e models use, and so that edits can be scored against the *true*
attributes of every face, which no photo-based setup allows.

## Models
- **Generator** (\`generator.onnx\`, \`mapping.onnx\`, \`mean_latent.bin\`): W+ latent [1, 6, 32] →
  image [1, 3, 128, 128] in [−1, 1] and the true attributes [1, 20] of the face drawn. See
  tools/demo/generator.
- **Small CLIP** (\`clip_image.onnx\`, \`clip_text.onnx\`, \`tokenizer.json\`), shared space of ${clip.embedDim} dims:
  - image tower (${info.parameters.clipImage.toLocaleString('en')} weights): pixel_values [batch, 3, ${clip.imageSize}, ${clip.imageSize}]
    (a 128 px render averaged 2×2, then CLIP's mean/std) → ${stages(`conv3×3/2 ${clip.stem}`, clip.channels)},
    ReLU after every conv → flatten → dense ${clip.imageHidden} → ReLU → linear ${clip.embedDim} = image_embeds.
  - text tower (${info.parameters.clipText.toLocaleString('en')} weights): input_ids + attention_mask [batch, ${clip.contextLength}] (int64) →
    word embeddings (${clip.wordDim}) → masked mean → dense ${clip.textHidden} → ReLU → dense ${clip.textHidden} → ReLU → linear ${clip.embedDim} = text_embeds.
  - tokenizer: ${clip.vocabSize} words in the Hugging Face tokenizers format (a WordPiece model holding whole words
    and [UNK]; lowercase; split on whitespace and punctuation); padding id 0; no special tokens.
  - Outputs are not normalized (as in real CLIP exports); compare with cosine similarity.
- **Encoder** (\`encoder.onnx\`, ${info.parameters.encoder.toLocaleString('en')} weights): image [1, 3, ${enc.imageSize}, ${enc.imageSize}] in [−1, 1] →
  ${enc.pool > 1 ? `${enc.pool}×${enc.pool} average pool → ` : ''}${stages(enc.stem.map((c) => `conv3×3/2 ${c}`).join(', '), enc.channels)}, ReLU → flatten → dense ${enc.hidden} → ReLU →
  linear → latent offsets [1, ${enc.layers}, ${enc.dim}]; add mean_latent.bin to get the W+ latent.
${identity ? `${identityModelEntry(c, identity.parameters)}\n` : ''}
## Training data
${info.corpusFaces.toLocaleString('en')} faces rendered by the generator. Each starts from a random latent (z → mapping →
truncation ψ ∈ [${sd.psi.join(', ')}]); then every attribute group (expression, hair colour, length and texture,
glasses, beard, eye size, mouth width, skin tone, background) is re-drawn near the prototype of a chosen
class (spread ${sd.spread} of each attribute's range; with probability ${sd.blendChance} part-way toward another class
of the group, while still nearest to its own, so that the boundaries between classes are seen) by moving
only that group's W+ layers, so that every class appears often. In ${sd.freeShare * 100} % of the faces each group keeps its random values with probability
${sd.freeGroupChance} instead; a group whose class is not clear-cut (nearest prototype closer than the runner-up
by less than ${sd.minMargin} of the range) is never captioned. Class choices are correlated as in photo
collections: blond hair comes with smiles (P(happy | blond) = 0.5 against 1/7 when the expression is re-drawn), beards with short hair
or baldness, grey hair with glasses; captions say "man" for bearded faces and "woman" for long hair
more often. Captions are written fresh at every step from the face's classes: 1–4 groups mentioned,
with synonyms and several sentence forms ("grey hair", "bald", "a smiling face", "a woman with curly red
hair and glasses", "a photo of a bearded man on a blue background", and each class prompt itself).

## Training
Both networks are trained in TypeScript on onnxruntime-node: one ONNX graph computes the loss, the
project's autodiff (src/engine/onnx, \`gradientModel\`) adds the backward pass, and Adam
(src/engine/optimize/adam.ts) updates the weights on the host; linear warm-up then cosine decay.
- CLIP: symmetric contrastive (InfoNCE) loss with a learned temperature, ${ct.steps} steps of ${ct.batch} faces ×
  ${ct.captionsPerImage} captions each, lr ${ct.lr}, weight decay ${ct.weightDecay}. A caption counts as a positive for every face it is
  true of (not only the face it was written for)${
    ct.softness > 0
      ? `, and a little for a face near the class it claims: with weight
  exp(−(d²(claimed) − d²(nearest)) / ${ct.softness}), d the distance of the true attributes to a class prototype in units of each
  range (tools/demo/clip/targets.ts), so that the score of a class prompt rises steadily as a face approaches the class
  (a slope the edit optimizer can climb from far away)`
      : ''
  }. ${s ? `Took ${clock(s.clip)}.` : ''}
- Encoder: squared error of the W+ offsets (weight ${et.loss.latent}) plus squared error of the attributes those offsets
  give through the generator's own attribute head, in units of each range (weight ${et.loss.attributes}); ${et.steps} steps of ${et.batch}
  faces, lr ${et.lr}. ${s ? `Took ${clock(s.encoder)}.` : ''}
${s ? `\nWhole build (rendering ${clock(s.data)}, both trainings, evaluation): ${clock(s.total)} on the build machine (2 CPU cores).\n` : ''}
## Evaluation
\`npm run models:eval -- --seed ${CARD_EVAL_SEED} --count ${report.count}${editCommand}\`: fresh faces from a random stream the build never
trains on, drawn by the same sampler as the training faces, and plain random faces (no group re-drawn;
a group whose class is not clear-cut there is not scored). Zero-shot: for each group, the class whose
prompt (from tools/demo/attributes.ts, e.g. "a happy face", "a person with grey hair") has the highest
cosine similarity with the image wins; the true class is the nearest prototype of the true attributes.

${
  edit
    ? `Edit: ${edit.faces} random faces of the app (seeds ${report.seed}, ${report.seed + 1}, …, truncation ψ = ${edit.truncation}: the
faces the Random Face node and \`rete-clip-pae eval\` draw) are edited toward "${edit.prompt}" with a ${edit.target} target by
the app's optimizer (src/engine/optimize/eval.ts: ${edit.steps} steps, lr ${edit.lr}, λ_L2 ${edit.lambdaL2}). A face moves toward
happy when happy wins by more (or loses by less) than before: the distance of its true expression
attributes to the nearest other expression's prototype minus their distance to the happy prototype
(each attribute in units of its range) grows; it ends happy when happy is then its nearest prototype.`
    : 'The edit goal was not measured in this evaluation.'
}

${formatReport(report)}

${identity?.report ? `${identitySection(identity.report)}\n` : ''}## Goals
- Zero-shot accuracy ≥ 90 % for every attribute group: **${zsOk ? 'met' : 'not met'}**.
- Encoder mean absolute attribute error ≤ 0.1 of each range: **${encOk ? 'met' : 'not met'}**.
- ${editGoal}: **${edit ? (editGoalMet(edit) ? 'met' : 'not met') : 'not measured'}**${edit ? ` (${(edit.toward * 100).toFixed(1)} % of ${edit.faces} faces; ${(edit.success * 100).toFixed(1)} % end happy)` : ''}.

## Limitations
- The faces are cartoons of one layout (frontal, centred); the small CLIP knows only this world and the
  words of its captions (anything else is [UNK]).
- Text-guided edits entangle attributes on purpose, through the correlations above (e.g. "blonde" also
  pulls toward a smile).
- Zero-shot accuracy is highest near class prototypes; between classes the true class itself is
  ambiguous.
`;
}
