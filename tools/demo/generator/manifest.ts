// The "generator" entry of a bundle's manifest.json for the demo face generator.
import { ATTRIBUTES, CLASS_GROUPS } from '../attributes.js';

export interface GeneratorManifest {
  file: string;
  input: string;
  output: string;
  outputRange: [number, number];
  latentShape: [number, number, number];
  imageSize: [number, number];
  meanLatent: string;
  mapping: { file: string; input: string; output: string; zDim: number; outputShape: number[] };
  attributes: {
    output: string;
    names: { name: string; min: number; max: number; group: string }[];
    classes: Record<
      string,
      { attributes: string[]; prototypes: Record<string, number[]>; prompts: Record<string, string> }
    >;
  };
}

export function generatorManifest(L: number, D: number, S: number, zDim: number): GeneratorManifest {
  return {
    file: 'generator.onnx',
    input: 'latent',
    output: 'image',
    outputRange: [-1, 1],
    latentShape: [1, L, D],
    imageSize: [S, S],
    meanLatent: 'mean_latent.bin',
    mapping: { file: 'mapping.onnx', input: 'z', output: 'w', zDim, outputShape: [1, D] },
    attributes: {
      output: 'attributes',
      names: ATTRIBUTES.map((a) => ({ name: a.name, min: a.min, max: a.max, group: a.group })),
      classes: Object.fromEntries(
        CLASS_GROUPS.map((grp) => [
          grp.name,
          {
            attributes: grp.attributes.slice(),
            prototypes: Object.fromEntries(grp.classes.map((c) => [c.name, c.prototype.slice()])),
            prompts: Object.fromEntries(grp.classes.map((c) => [c.name, c.prompt])),
          },
        ]),
      ),
    },
  };
}
