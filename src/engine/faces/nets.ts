// Loading the face bundle: the manifest, every network checked against it before any session
// exists, and sessions created on first use (a graph that only detects never starts the
// recognition net). Reads go through the same bundle source as the model bundles (URL or path via
// the host's loadBytes, the download cache, or files the user picked).
import { checkModel, type ModelContract } from '../models/io.js';
import type { BundleCache } from '../models/cache.js';
import {
  openBundle,
  ProgressTracker,
  type BundleSource,
  type LoadBytes,
  type ProgressCallback,
} from '../models/source.js';
import type { Runtime, Session } from '../tensor/runtime.js';
import { FACE_NET_ROLES, parseFaceManifest, type FaceManifest, type FaceNetRole } from './manifest.js';
import { releaseSessions } from '../models/sessions.js';

export interface FaceNets {
  /** Identifies this exact bundle (origin + manifest digest). */
  readonly id: string;
  readonly manifest: FaceManifest;
  readonly runtime: Runtime;
  /** The role's session, created on first use. */
  session(role: FaceNetRole): Promise<Session>;
  /** The recognition net's model file, kept so that a loss graph can be composed with it. */
  recognitionModel(): Uint8Array;
  release(): Promise<void>;
}

export interface LoadFaceNetsOptions {
  cache?: BundleCache;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

const DESCRIBE: Record<FaceNetRole, string> = {
  detector: 'face detector',
  landmarks: 'landmark net',
  recognition: 'recognition net',
  expression: 'expression net',
};

function contractOf(m: FaceManifest, role: FaceNetRole): ModelContract {
  const f32 = ['float32'];
  const square = (size: number, source: string) => ({ dims: [1, 3, size, size], dtypes: f32, source });
  switch (role) {
    case 'detector': {
      const d = m.detector;
      return {
        inputs: [{ name: d.input, ...square(d.inputSize, 'detector.inputSize') }],
        outputs: [
          { name: d.boxes, dtypes: f32, dims: [1, d.anchors, 4], source: 'detector.anchors' },
          { name: d.scores, dtypes: f32, dims: [1, d.anchors], source: 'detector.anchors' },
        ],
      };
    }
    case 'landmarks': {
      const l = m.landmarks;
      return {
        inputs: [{ name: l.input, ...square(l.inputSize, 'landmarks.inputSize') }],
        outputs: [{ name: l.output, dtypes: f32, dims: [1, 2 * l.points], source: 'landmarks.points' }],
      };
    }
    case 'recognition': {
      const r = m.recognition;
      return {
        inputs: [{ name: r.input, ...square(r.inputSize, 'recognition.inputSize') }],
        outputs: [{ name: r.output, dtypes: f32, dims: [1, r.dim], source: 'recognition.dim' }],
      };
    }
    case 'expression': {
      const e = m.expression;
      return {
        inputs: [{ name: e.input, ...square(e.inputSize, 'expression.inputSize') }],
        outputs: [{ name: e.output, dtypes: f32, dims: [1, e.labels.length], source: 'expression.labels' }],
      };
    }
  }
}

/**
 * Loads the face bundle at `source` (a manifest URL or path, or picked files). `services.loadBytes`
 * is the host's reader (EngineServices.loadBytes, or fetchBytes).
 */
export async function loadFaceNets(
  runtime: Runtime,
  source: BundleSource,
  services: { loadBytes?: LoadBytes },
  options: LoadFaceNetsOptions = {},
): Promise<FaceNets> {
  const signal = options.signal ?? new AbortController().signal;
  const reader = await openBundle(source, { loadBytes: services.loadBytes, cache: options.cache, signal });
  const manifest = parseFaceManifest(reader.manifestBytes, reader.where);
  const label = `face bundle "${manifest.name}"`;
  const tracker = new ProgressTracker(options.onProgress);
  const bytes = new Map<FaceNetRole, Uint8Array>();
  await Promise.all(
    FACE_NET_ROLES.map(async (role) => {
      const file = manifest[role].file;
      const progress = tracker.track(file);
      try {
        bytes.set(role, await reader.read(file, progress));
      } catch (e) {
        signal.throwIfAborted();
        throw new Error(
          `${label} (${reader.where}): cannot read ${file} (the ${DESCRIBE[role]}): ${(e as Error).message}`,
        );
      }
    }),
  );
  const problems: string[] = [];
  for (const role of FACE_NET_ROLES) {
    try {
      checkModel(bytes.get(role)!, contractOf(manifest, role), `${label}: ${manifest[role].file}`);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (problems.length) throw new Error(problems.join('\n'));

  const recognition = bytes.get('recognition')!;
  const sessions = new Map<FaceNetRole, Promise<Session>>();
  return {
    id: `${manifest.name}@${reader.digest}`,
    manifest,
    runtime,
    session(role) {
      let s = sessions.get(role);
      if (!s) {
        s = runtime.createSession(bytes.get(role)!, { name: `${label}: ${manifest[role].file}` });
        s.then(
          () => {
            if (role !== 'recognition') bytes.delete(role);
          },
          () => sessions.delete(role),
        );
        sessions.set(role, s);
      }
      return s;
    },
    recognitionModel: () => recognition,
    release: () => releaseSessions(sessions),
  };
}
