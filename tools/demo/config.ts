// Sizes and training settings of the demo bundle: the full build (npm run models:demo) and a reduced
// one (--quick) that tests rebuild in seconds.
import type { ClipTraining } from './clip/train.js';
import type { ClipShape } from './clip/towers.js';
import type { EncoderTraining } from './encoder/train.js';
import type { EncoderShape } from './encoder/network.js';
import type { IdentityConfig } from './identity/build.js';

export interface BuildConfig {
  /** Rendered faces both networks train on. */
  corpusFaces: number;
  /** Generator batch while rendering the corpus. */
  renderBatch: number;
  clip: { shape: Omit<ClipShape, 'vocabSize'>; training: ClipTraining };
  encoder: { shape: Omit<EncoderShape, 'layers' | 'dim'>; training: EncoderTraining };
  /** The identity network (its own build step, tools/demo/identity). */
  identity: IdentityConfig;
  /** Fresh faces scored for MODEL_CARD.md at the end of the build. */
  evalFaces: number;
  /** Random faces edited toward "a happy face" (text target) for the edit goal in MODEL_CARD.md; 0 leaves it out. */
  editEvalFaces: number;
}

export const CONTEXT_LENGTH = 16;

/** MODEL_CARD.md's numbers come from faces of this eval seed, a random stream the build never trains on. */
export const CARD_EVAL_SEED = 2024;

export const FULL: BuildConfig = {
  corpusFaces: 8000,
  renderBatch: 16,
  clip: {
    shape: {
      imageSize: 64,
      stem: 24,
      channels: [32, 64, 128],
      imageHidden: 256,
      contextLength: CONTEXT_LENGTH,
      wordDim: 64,
      textHidden: 128,
      embedDim: 64,
    },
    training: { steps: 2200, batch: 64, captionsPerImage: 8, lr: 1e-3, weightDecay: 0.05, softness: 0.15 },
  },
  encoder: {
    shape: { imageSize: 128, pool: 2, stem: [24], channels: [48, 96, 128], hidden: 256 },
    training: { steps: 1000, batch: 32, lr: 1e-3, weightDecay: 0.01, loss: { latent: 1, attributes: 10 } },
  },
  identity: {
    faces: 3000,
    shape: { imageSize: 64, channels: [16, 32, 48, 64], hidden: 128 },
    training: { steps: 1200, batch: 32, lr: 1e-3, weightDecay: 0.01 },
  },
  evalFaces: 500,
  editEvalFaces: 50,
};

export const QUICK: BuildConfig = {
  corpusFaces: 48,
  renderBatch: 16,
  clip: {
    shape: {
      imageSize: 64,
      stem: 4,
      channels: [4, 8, 8],
      imageHidden: 16,
      contextLength: CONTEXT_LENGTH,
      wordDim: 8,
      textHidden: 16,
      embedDim: 64,
    },
    training: { steps: 3, batch: 16, captionsPerImage: 2, lr: 1e-3, weightDecay: 0.05, softness: 0.15 },
  },
  encoder: {
    shape: { imageSize: 128, pool: 2, stem: [4], channels: [4, 8, 8], hidden: 16 },
    training: { steps: 3, batch: 8, lr: 1e-3, weightDecay: 0.01, loss: { latent: 1, attributes: 10 } },
  },
  identity: {
    faces: 16,
    shape: { imageSize: 64, channels: [4, 4, 4, 4], hidden: 8 },
    training: { steps: 3, batch: 8, lr: 1e-3, weightDecay: 0.01 },
  },
  evalFaces: 32,
  editEvalFaces: 2,
};
