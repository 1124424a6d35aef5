// Bundle folders opened in the app: the folder: scheme's path mapping, the checks of a picked folder
// before it is copied, the bundle param's kind, and what the CLI says about a folder: bundle.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { paramProblem } from '../../src/engine/graph/params.js';
import {
  checkPickedBundle,
  folderNameProblem,
  folderOutsideBrowserMessage,
  folderSource,
  isFolderSource,
  missingFolderMessage,
  parseFolderUrl,
  pickedFolder,
  resolveFolderFile,
} from '../../src/engine/models/folders.js';
import { manifestUrl, resolveFile } from '../../src/engine/models/source.js';
import { modelService } from '../../src/engine/run/models-service.js';
import { createNodeServices } from '../../src/engine/run/services-node.js';
import { catalogue } from '../../src/nodes/registry.js';
import { loadModels } from '../../src/nodes/pipeline/load-models.js';

const demoDir = new URL('../../public/models/demo/', import.meta.url);
const demoManifest = readFileSync(new URL('manifest.json', demoDir), 'utf8');
const demoFiles = readdirSync(demoDir);

describe('folder: bundle URLs', () => {
  it('name a kept folder and map files inside it', () => {
    expect(folderSource('demo')).toBe('folder:demo/manifest.json');
    expect(isFolderSource('folder:demo/manifest.json')).toBe(true);
    expect(isFolderSource('models/demo/manifest.json')).toBe(false);
    expect(parseFolderUrl('folder:demo/manifest.json')).toEqual({ folder: 'demo', path: ['manifest.json'] });
    expect(parseFolderUrl('folder:demo/onnx/generator.onnx')).toEqual({
      folder: 'demo',
      path: ['onnx', 'generator.onnx'],
    });
    // A bare folder means its manifest, as a served folder does.
    expect(parseFolderUrl('folder:demo')).toEqual({ folder: 'demo', path: ['manifest.json'] });
    expect(manifestUrl('folder:demo')).toBe('folder:demo/manifest.json');
  });

  it('keep names with spaces and other characters readable both ways', () => {
    const source = folderSource('my bundle #2');
    expect(source).toBe('folder:my%20bundle%20%232/manifest.json');
    expect(parseFolderUrl(source).folder).toBe('my bundle #2');
    expect(resolveFile(source, 'generator.onnx')).toBe('folder:my%20bundle%20%232/generator.onnx');
    expect(parseFolderUrl(resolveFile(source, 'generator.onnx'))).toEqual({
      folder: 'my bundle #2',
      path: ['generator.onnx'],
    });
  });

  it('resolve manifest-relative files, ../ naming a sibling kept folder', () => {
    expect(resolveFile('folder:demo/manifest.json', 'generator.onnx')).toBe('folder:demo/generator.onnx');
    expect(resolveFile('folder:demo/manifest.json', './onnx/clip.onnx')).toBe('folder:demo/onnx/clip.onnx');
    expect(resolveFile('folder:demo/manifest.json', '../faces/face_recognition.onnx')).toBe(
      'folder:faces/face_recognition.onnx',
    );
    expect(resolveFolderFile('folder:demo/sub/manifest.json', '../x.bin')).toBe('folder:demo/x.bin');
    expect(() => resolveFolderFile('folder:demo/manifest.json', '../../x.bin')).toThrow(
      /leaves the kept bundle folders/,
    );
    expect(() => resolveFolderFile('folder:demo/manifest.json', '..')).toThrow(/names a folder, not a file/);
  });

  it('refuse names and paths that cannot be a kept folder', () => {
    expect(folderNameProblem('demo')).toBeNull();
    expect(folderNameProblem('')).toMatch(/empty/);
    expect(folderNameProblem('..')).toMatch(/cannot name a folder/);
    expect(folderNameProblem('a/b')).toMatch(/cannot contain/);
    expect(() => folderSource('a/b')).toThrow(/cannot contain/);
    expect(() => parseFolderUrl('folder:/manifest.json')).toThrow(
      /names no kept folder: a folder name cannot be empty/,
    );
    expect(() => parseFolderUrl('folder:demo/../other/manifest.json')).toThrow(/leaves its folder/);
    expect(() => parseFolderUrl('folder:de%ZZmo/manifest.json')).toThrow(/bad % escape/);
    expect(() => parseFolderUrl('models/demo/manifest.json')).toThrow(/is not a folder: URL/);
  });

  it('say what to do when the kept copy is gone', () => {
    const message = missingFolderMessage('demo');
    expect(message).toContain("'demo'");
    expect(message).toMatch(/open the folder again/);
  });
});

describe('a picked bundle folder', () => {
  const entries = (paths: string[]) => paths.map((path) => ({ path, file: path }));

  it('is the folder on top of every path, with paths inside it', () => {
    const picked = pickedFolder(entries(['demo/manifest.json', 'demo/generator.onnx', 'demo/onnx/clip.onnx']));
    expect(picked.name).toBe('demo');
    expect(picked.files.map((f) => f.path)).toEqual(['manifest.json', 'generator.onnx', 'onnx/clip.onnx']);
    expect(picked.files[1]!.file).toBe('demo/generator.onnx');
  });

  it('without manifest.json on top is refused with the folder named', () => {
    expect(() => pickedFolder(entries(['photos/a.jpg', 'photos/b.jpg']))).toThrow(
      'the folder photos has no manifest.json, so it is not a model bundle',
    );
    // A bundle one level down: the message points at it.
    expect(() => pickedFolder(entries(['models/demo/manifest.json', 'models/demo/generator.onnx']))).toThrow(
      /the folder models has no manifest.json.*open the folder of models\/demo\/manifest.json instead/,
    );
    expect(() => pickedFolder([])).toThrow(/the chosen folder is empty/);
    expect(() => pickedFolder(entries(['manifest.json']))).toThrow(/choose one bundle folder/);
  });

  it('passes the check when it holds every file the demo manifest lists', () => {
    expect(() => checkPickedBundle('demo', demoManifest, demoFiles)).not.toThrow();
  });

  it('that lacks a listed file is refused before anything is copied, naming the files', () => {
    const without = demoFiles.filter((f) => f !== 'generator.onnx' && f !== 'tokenizer.json');
    expect(() => checkPickedBundle('demo', demoManifest, without)).toThrow(
      'the folder demo lacks 2 files its manifest lists: generator.onnx, tokenizer.json',
    );
  });

  it('with a broken manifest is refused with the manifest named', () => {
    expect(() => checkPickedBundle('mine', '{ not json', demoFiles)).toThrow(/mine\/manifest.json is not valid JSON/);
    const bad = JSON.stringify({ ...JSON.parse(demoManifest), format: 'something else' });
    expect(() => checkPickedBundle('mine', bad, demoFiles)).toThrow(/mine\/manifest.json/);
  });
});

describe('the bundle param', () => {
  it("is Load Models' bundle, of its own kind, still fed by a Text output", () => {
    expect(loadModels.params.bundle.kind).toBe('bundle');
    expect(paramProblem(loadModels.params.bundle, 'folder:demo/manifest.json')).toBeNull();
    expect(paramProblem(loadModels.params.bundle, 3)).toMatch(/expected text/);
    expect(catalogue.paramSocket('models/load', 'bundle')).toBe('Text');
    expect(loadModels.help).toContain('folder:<name>/manifest.json');
  });
});

describe('a folder: bundle in the CLI', () => {
  it('fails with a message saying to give the folder path instead', async () => {
    const services = createNodeServices();
    const signal = new AbortController().signal;
    await expect(services.loadBytes('folder:demo/manifest.json', signal)).rejects.toThrow(
      "'folder:demo/manifest.json' names the bundle folder 'demo' opened in the app: folders opened in the app live in the browser; give the path of the folder instead",
    );
    await expect(modelService(services).fingerprint('folder:demo/manifest.json', signal)).rejects.toThrow(
      /folders opened in the app live in the browser; give the path of the folder instead/,
    );
    expect(folderOutsideBrowserMessage('folder:my%20models')).toContain("'my models'");
  });
});
