import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBundle } from '../../src/engine/models/bundle.js';
import { parseManifest } from '../../src/engine/models/manifest.js';
import { createRuntime, type Runtime } from '../../src/engine/tensor/runtime.js';
import { tinyManifest, writeTinyBundle } from './tiny-bundle.js';

const loadBytes = async (path: string) => new Uint8Array(await readFile(path));
let runtime: Runtime;
beforeAll(async () => {
  runtime = await createRuntime();
});

async function loadError(dir: string): Promise<string> {
  try {
    await loadBundle(dir, { loadBytes, runtime });
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the bundle loaded, but it should not have');
}

describe('bundle loading errors name the bundle, the file and the mismatch', () => {
  it('a model input the manifest names differently', async () => {
    const dir = await writeTinyBundle({ manifest: (m) => (m.generator.input = 'w_plus') });
    expect(await loadError(dir)).toBe(
      'bundle "tiny": generator.onnx does not match the manifest:\n' +
        '  has no input "w_plus" (generator.latentShape); its inputs are "latent"\n' +
        '  has an input "latent" [1, 2, 4] that the manifest does not describe, so it cannot be fed',
    );
  });

  it('a model input of the wrong rank', async () => {
    const dir = await writeTinyBundle({ flatGeneratorInput: true });
    expect(await loadError(dir)).toBe(
      'bundle "tiny": generator.onnx does not match the manifest:\n' +
        '  input "latent" has rank 2 [1, 8], the manifest needs rank 3 [1, 2, 4] (generator.latentShape)',
    );
  });

  it('a static dim that disagrees, and an output that is missing, in two models at once', async () => {
    const dir = await writeTinyBundle({
      manifest: (m) => {
        m.clip.embedDim = 7;
        m.encoder.output = 'w';
      },
    });
    const message = await loadError(dir);
    expect(message).toContain(
      'bundle "tiny": clip_image.onnx does not match the manifest:\n  output "image_embeds" has dims [1, 6], the manifest needs [1, 7]: dim 1 is 6, not 7 (clip.embedDim)',
    );
    expect(message).toContain(
      'bundle "tiny": clip_text.onnx does not match the manifest:\n  output "text_embeds" has dims ["batch", 6], the manifest needs [*, 7]',
    );
    expect(message).toContain(
      'bundle "tiny": encoder.onnx does not match the manifest:\n  has no output "w" (generator.latentShape); its outputs are "latent"',
    );
  });

  it('a missing file', async () => {
    const dir = await writeTinyBundle();
    await rm(join(dir, 'encoder.onnx'));
    const message = await loadError(dir);
    expect(message).toMatch(/^bundle "tiny" \(.*manifest\.json\): cannot read encoder\.onnx \(the encoder\): /);
    expect(message).toContain('ENOENT');
  });

  it('a missing manifest', async () => {
    const dir = await writeTinyBundle();
    await rm(join(dir, 'manifest.json'));
    expect(await loadError(dir)).toMatch(/^cannot read the bundle manifest .*manifest\.json: ENOENT/);
  });

  it('a file that is not an ONNX model', async () => {
    const dir = await writeTinyBundle();
    await writeFile(join(dir, 'mapping.onnx'), 'not a model');
    expect(await loadError(dir)).toMatch(/^bundle "tiny": mapping\.onnx is not an ONNX model/);
  });

  it('a mean latent of the wrong size', async () => {
    const dir = await writeTinyBundle();
    await writeFile(join(dir, 'mean_latent.bin'), new Uint8Array(12));
    expect(await loadError(dir)).toBe(
      'bundle "tiny": mean_latent.bin: the mean latent must hold 8 float32 values (generator.latentShape [1, 2, 4]), it has 12 bytes',
    );
  });

  it('a manifest that is not JSON', async () => {
    const dir = await writeTinyBundle();
    await writeFile(join(dir, 'manifest.json'), '{ "format": ');
    expect(await loadError(dir)).toMatch(/manifest\.json is not valid JSON: /);
  });

  it('a malformed manifest, every problem with its path', async () => {
    const dir = await writeTinyBundle({
      manifest: (m) => {
        m.generator.latentShape = [1, 6];
        m.clip.std = [0.2, -0.1, 0.3];
        m.clip.text.attentionMsk = 'attention_mask';
        delete m.clip.embedDim;
        m.generator.attributes.classes.expression.prototypes.happy = [1, 0];
      },
    });
    const message = await loadError(dir);
    expect(message).toMatch(/manifest\.json is not a valid bundle manifest:\n/);
    expect(message).toContain('  generator.latentShape: ');
    expect(message).toContain('  clip.std: every std must be > 0');
    expect(message).toContain('  clip.text: Unrecognized key: "attentionMsk"');
    expect(message).toContain('  clip.embedDim: ');
  });
});

describe('manifest cross-checks', () => {
  it('attribute classes refer to declared attributes, with prototypes of the right length', () => {
    const m = tinyManifest();
    m.generator.attributes.classes.expression.attributes = ['smile', 'frown'];
    m.generator.attributes.classes.expression.prompts.angry = 'an angry face';
    m.generator.mapping.outputShape = [1, 5];
    expect(() => parseManifest(JSON.stringify(m), 'demo/manifest.json')).toThrow(
      'demo/manifest.json is not a valid bundle manifest:\n' +
        '  generator.mapping.outputShape: must be [1, 4] or [1, 2, 4] to match generator.latentShape\n' +
        '  generator.attributes.classes.expression.attributes[1]: "frown" is not one of generator.attributes.names\n' +
        '  generator.attributes.classes.expression.prototypes.happy: has 1 values, but the class reads 2 attributes\n' +
        '  generator.attributes.classes.expression.prototypes.sad: has 1 values, but the class reads 2 attributes\n' +
        '  generator.attributes.classes.expression.prompts.angry: "angry" has no prototype',
    );
  });

  it('file paths stay relative to the manifest', () => {
    const m = tinyManifest();
    m.generator.file = 'https://example.com/g.onnx';
    m.clip.tokenizer = '/etc/tokenizer.json';
    expect(() => parseManifest(m, 'm.json')).toThrow(
      'm.json is not a valid bundle manifest:\n' +
        '  generator.file: must be a path relative to manifest.json (no leading "/" and no URL scheme)\n' +
        '  clip.tokenizer: must be a path relative to manifest.json (no leading "/" and no URL scheme)',
    );
  });

  it('accepts the tiny manifest and a bundle without mapping, encoder or attributes', () => {
    expect(parseManifest(tinyManifest(), 'm.json').name).toBe('tiny');
    const m = tinyManifest();
    delete m.generator.mapping;
    delete m.generator.attributes;
    delete m.encoder;
    delete m.identity;
    expect(parseManifest(m, 'm.json').encoder).toBeUndefined();
  });
});
