// What the manifest promises about each model's inputs and outputs, as contracts io.ts checks.
import type { ModelContract } from './io.js';
import type { Manifest } from './manifest.js';

export type ModelRole =
  | 'generator'
  | 'mapping'
  | 'clipImage'
  | 'clipText'
  | 'encoder'
  | 'identity'
  | 'styles'
  | 'styleSynthesis';

const FLOAT = ['float32'] as const;
const IDS = ['int64', 'int32'] as const;

/** Model roles present in this bundle, with the file and contract of each. */
export function modelContracts(m: Manifest): Map<ModelRole, { file: string; contract: ModelContract }> {
  const [, layers, width] = m.generator.latentShape;
  const [height, imageWidth] = m.generator.imageSize;
  const out = new Map<ModelRole, { file: string; contract: ModelContract }>();
  const g = m.generator;
  const generatorOutputs = [
    {
      name: g.output,
      dtypes: FLOAT,
      dims: [1, 3, height, imageWidth],
      source: 'generator.output is [1, 3, H, W] with [H, W] = generator.imageSize',
    },
  ];
  if (g.attributes) {
    generatorOutputs.push({
      name: g.attributes.output,
      dtypes: FLOAT,
      dims: [1, g.attributes.names.length],
      source: 'generator.attributes.output is [1, K], K = number of generator.attributes.names',
    });
  }
  out.set('generator', {
    file: g.file,
    contract: {
      inputs: [{ name: g.input, dtypes: FLOAT, dims: [1, layers, width], source: 'generator.latentShape' }],
      outputs: generatorOutputs,
    },
  });
  if (g.mapping) {
    const shape = g.mapping.outputShape ?? [1, width];
    out.set('mapping', {
      file: g.mapping.file,
      contract: {
        inputs: [{ name: g.mapping.input, dtypes: FLOAT, dims: [1, g.mapping.zDim], source: 'generator.mapping.zDim' }],
        outputs: [
          {
            name: g.mapping.output,
            dtypes: FLOAT,
            dims: shape,
            source: g.mapping.outputShape
              ? 'generator.mapping.outputShape'
              : '[1, D] with D from generator.latentShape',
          },
        ],
      },
    });
  }
  const c = m.clip;
  out.set('clipImage', {
    file: c.image.file,
    contract: {
      inputs: [
        { name: c.image.input, dtypes: FLOAT, dims: [1, 3, c.imageSize, c.imageSize], source: 'clip.imageSize' },
      ],
      outputs: [{ name: c.image.output, dtypes: FLOAT, dims: [1, c.embedDim], source: 'clip.embedDim' }],
    },
  });
  // The batch dim of the text tower may be symbolic: then prompts go through in one run.
  const textInputs = [
    { name: c.text.input, dtypes: IDS, dims: [null, c.text.contextLength], source: 'clip.text.contextLength' },
  ];
  if (c.text.attentionMask)
    textInputs.push({
      name: c.text.attentionMask,
      dtypes: IDS,
      dims: [null, c.text.contextLength],
      source: 'clip.text.contextLength',
    });
  out.set('clipText', {
    file: c.text.file,
    contract: {
      inputs: textInputs,
      outputs: [{ name: c.text.output, dtypes: FLOAT, dims: [null, c.embedDim], source: 'clip.embedDim' }],
    },
  });
  if (m.encoder) {
    const e = m.encoder;
    out.set('encoder', {
      file: e.file,
      contract: {
        inputs: [{ name: e.input, dtypes: FLOAT, dims: [1, 3, e.inputSize, e.inputSize], source: 'encoder.inputSize' }],
        outputs: [{ name: e.output, dtypes: FLOAT, dims: [1, layers, width], source: 'generator.latentShape' }],
      },
    });
  }
  if (m.identity) {
    const id = m.identity;
    const size = id.imageSize ?? null;
    out.set('identity', {
      file: id.file,
      contract: {
        inputs: [{ name: id.input, dtypes: FLOAT, dims: [1, 3, size, size], source: 'identity.imageSize' }],
        outputs: [{ name: id.output, dtypes: FLOAT, dims: [1, null], source: 'identity.output is [1, E]' }],
      },
    });
  }
  if (m.styleSpace) {
    const st = m.styleSpace;
    const size = st.layers.reduce((n, l) => n + l.size, 0);
    const sSource = 'styleSpace.layers (S = the sum of their sizes)';
    out.set('styles', {
      file: st.styles.file,
      contract: {
        inputs: [{ name: st.styles.input, dtypes: FLOAT, dims: [1, layers, width], source: 'generator.latentShape' }],
        outputs: [{ name: st.styles.output, dtypes: FLOAT, dims: [1, size], source: sSource }],
      },
    });
    const synthesisOutputs = [
      {
        name: st.synthesis.output,
        dtypes: FLOAT,
        dims: [1, 3, height, imageWidth],
        source: 'styleSpace.synthesis.output is [1, 3, H, W] with [H, W] = generator.imageSize',
      },
    ];
    if (st.synthesis.attributes && g.attributes) {
      synthesisOutputs.push({
        name: st.synthesis.attributes,
        dtypes: FLOAT,
        dims: [1, g.attributes.names.length],
        source: 'styleSpace.synthesis.attributes is [1, K], K = number of generator.attributes.names',
      });
    }
    out.set('styleSynthesis', {
      file: st.synthesis.file,
      contract: {
        inputs: [{ name: st.synthesis.input, dtypes: FLOAT, dims: [1, size], source: sSource }],
        outputs: synthesisOutputs,
      },
    });
  }
  return out;
}
