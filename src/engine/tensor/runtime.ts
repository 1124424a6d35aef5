// One interface over onnxruntime for the engine, whichever host runs it: onnxruntime-node in Node,
// onnxruntime-web (WebGPU, falling back to wasm) in the browser. Callers never import onnxruntime
// themselves, so the Node package never reaches the browser bundle and a GPU-resident output of one
// session can be fed straight into the next.
import type { DType, HostTensor } from '../onnx/model.js';

/** Where a session's kernels actually run. */
export type Backend = 'webgpu' | 'wasm' | 'cpu';

/** A declared input or output of a model. Symbolic dims are strings; unknown shape is []. */
export interface ValueInfo {
  name: string;
  /** Element type as onnxruntime names it ('float32', 'int64', 'float16', …). */
  dtype: string;
  dims: (number | string)[];
}

/** A tensor owned by a runtime: in host memory, or in a GPU buffer when the session was asked to keep it there. */
export interface RuntimeTensor {
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly location: 'cpu' | 'gpu-buffer';
  /** A host copy (downloads from the GPU when the tensor lives there). */
  read(): Promise<HostTensor>;
  /** Frees GPU memory now instead of waiting for the garbage collector; a no-op for host tensors. */
  dispose(): void;
}

export type Feed = HostTensor | RuntimeTensor;

export interface SessionOptions {
  /** Shown in every error and log line about this session, e.g. "demo/generator.onnx". */
  name: string;
  /**
   * Keep outputs on the GPU (all of them, or the named ones) so the next session can read them
   * without a round trip through host memory. Ignored where the session does not run on WebGPU.
   */
  keepOutputsOnGpu?: boolean | readonly string[];
  /** 0 = verbose: onnxruntime then logs where each node was placed. */
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
  /**
   * The file the model's external initializers name, with its bytes (ONNX external data). Only for
   * a runtime whose `externalData` is true.
   */
  externalData?: { path: string; data: Uint8Array };
}

export interface RunOptions {
  /** Checked before and after the run: onnxruntime cannot interrupt a run in flight. */
  signal?: AbortSignal;
  /**
   * The outputs to return (default: all). Others are not copied out, and onnxruntime frees them
   * as soon as nothing else needs them: a step that shows no preview never copies the image.
   */
  outputs?: readonly string[];
}

export interface Session {
  readonly name: string;
  readonly backend: Backend;
  /** Why this session runs on a different backend than the runtime prefers, when it does. */
  readonly fallbackReason?: string;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  run(feeds: Readonly<Record<string, Feed>>, options?: RunOptions): Promise<Record<string, RuntimeTensor>>;
  /** Runs and copies every output to host memory. */
  runToHost(feeds: Readonly<Record<string, Feed>>, options?: RunOptions): Promise<Record<string, HostTensor>>;
  release(): Promise<void>;
}

export interface Runtime {
  /** The backend new sessions try first ('cpu' for onnxruntime-node). */
  readonly backend: Backend;
  /** A line for the UI's indicator, e.g. "WebGPU" or "wasm (no WebGPU adapter)". */
  readonly description: string;
  /**
   * Browser only: the threads onnxruntime-web's wasm backend runs on (every core where the page is
   * cross-origin isolated, 1 where it is not: SharedArrayBuffer needs isolation).
   */
  readonly wasmThreads?: number;
  /**
   * Whether sessions take initializers as external data (SessionOptions.externalData): onnxruntime-web
   * does, and copies each weight straight into its tensor; onnxruntime-node takes them only from files.
   */
  readonly externalData?: boolean;
  createSession(model: Uint8Array, options: SessionOptions): Promise<Session>;
}

export interface RuntimeOptions {
  /** Browser only: skip WebGPU and run on wasm. */
  preferWasm?: boolean;
  /** Browser only: where onnxruntime-web finds its .wasm files (default: next to the bundle). */
  wasmPaths?: string;
}

/** True in Node (including vitest and tsx), false in a page or a Web Worker. */
export function isNodeHost(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string' && typeof (globalThis as { window?: unknown }).window === 'undefined';
}

/** Picks the implementation for the host this code runs in. */
export async function createRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  if (isNodeHost()) {
    const { createNodeRuntime } = await import('./runtime-node.js');
    return createNodeRuntime();
  }
  const { createWebRuntime } = await import('./runtime-web.js');
  return createWebRuntime(options);
}

export function isRuntimeTensor(value: unknown): value is RuntimeTensor {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as RuntimeTensor).read === 'function' &&
    'location' in value
  );
}

/** Formats dims for messages: [1, 3, "height", 64]. */
export function formatDims(dims: readonly (number | string)[]): string {
  return `[${dims.map((d) => (typeof d === 'string' ? `"${d}"` : String(d))).join(', ')}]`;
}
