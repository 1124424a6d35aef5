// The part of the Runtime that is the same for onnxruntime-node and onnxruntime-web: both expose
// the onnxruntime-common API, so sessions and tensors are wrapped once here. Only types are imported,
// the module object itself is handed in by runtime-node.ts or runtime-web.ts.
import type { InferenceSession, Tensor } from 'onnxruntime-web';
import type { DType, HostTensor, TypedArray } from '../onnx/model.js';
import {
  formatDims,
  isRuntimeTensor,
  type Backend,
  type Feed,
  type RunOptions,
  type RuntimeTensor,
  type Session,
  type SessionOptions,
  type ValueInfo,
} from './runtime.js';

/** What this file needs from an onnxruntime module. */
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
  Tensor: new (type: any, data: any, dims?: readonly number[]) => Tensor;
}

const HOST_DTYPES: readonly DType[] = ['float32', 'float64', 'int64', 'int32', 'bool', 'uint8'];

function hostDtype(type: string, where: string): DType {
  if ((HOST_DTYPES as readonly string[]).includes(type)) return type as DType;
  throw new Error(`${where} has element type ${type}; the engine reads only ${HOST_DTYPES.join(', ')}`);
}

class OrtTensor implements RuntimeTensor {
  readonly dtype: DType;
  readonly dims: readonly number[];
  constructor(
    readonly native: Tensor,
    readonly owner: OrtModule,
    where: string,
  ) {
    this.dtype = hostDtype(native.type, where);
    this.dims = native.dims;
  }

  get location(): 'cpu' | 'gpu-buffer' {
    return this.native.location === 'gpu-buffer' ? 'gpu-buffer' : 'cpu';
  }

  async read(): Promise<HostTensor> {
    const data = (this.native.location === 'cpu' ? this.native.data : await this.native.getData()) as TypedArray;
    return { dtype: this.dtype, dims: [...this.dims], data };
  }

  dispose(): void {
    if (this.native.location !== 'cpu') this.native.dispose();
  }
}

function metadata(list: readonly InferenceSession.ValueMetadata[]): ValueInfo[] {
  return list.map((m) =>
    m.isTensor ? { name: m.name, dtype: m.type, dims: [...m.shape] } : { name: m.name, dtype: 'non-tensor', dims: [] },
  );
}

function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class OrtSession implements Session {
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  private released = false;

  constructor(
    private readonly ort: OrtModule,
    private readonly session: InferenceSession,
    readonly name: string,
    readonly backend: Backend,
    readonly fallbackReason?: string,
  ) {
    this.inputs = metadata(session.inputMetadata);
    this.outputs = metadata(session.outputMetadata);
  }

  private async toNative(inputName: string, feed: Feed): Promise<Tensor> {
    const declared = this.inputs.find((i) => i.name === inputName)!;
    const where = `${this.name}: input "${inputName}"`;
    if (isRuntimeTensor(feed)) {
      // A GPU buffer can only be read by a session on the same device; anything else goes through the host.
      if (
        feed instanceof OrtTensor &&
        feed.owner === this.ort &&
        (feed.location === 'cpu' || this.backend === 'webgpu')
      ) {
        this.checkFeed(where, declared, feed.dtype, feed.dims);
        return feed.native;
      }
      return this.toNative(inputName, await feed.read());
    }
    this.checkFeed(where, declared, feed.dtype, feed.dims);
    const expected = feed.dims.reduce((a, b) => a * b, 1);
    if (feed.data.length !== expected)
      throw new Error(`${where}: dims ${formatDims(feed.dims)} need ${expected} values, got ${feed.data.length}`);
    return new this.ort.Tensor(feed.dtype, feed.data, feed.dims);
  }

  private checkFeed(where: string, declared: ValueInfo, dtype: DType, dims: readonly number[]): void {
    if (declared.dtype !== dtype) throw new Error(`${where} expects ${declared.dtype}, got ${dtype}`);
    if (declared.dims.length === 0) return;
    const fits =
      declared.dims.length === dims.length && declared.dims.every((d, i) => typeof d === 'string' || d === dims[i]);
    if (!fits) throw new Error(`${where} expects dims ${formatDims(declared.dims)}, got ${formatDims(dims)}`);
  }

  async run(feeds: Readonly<Record<string, Feed>>, options: RunOptions = {}): Promise<Record<string, RuntimeTensor>> {
    if (this.released) throw new Error(`${this.name}: the session was released`);
    options.signal?.throwIfAborted();
    const known = new Set(this.inputs.map((i) => i.name));
    for (const name of Object.keys(feeds)) {
      if (!known.has(name))
        throw new Error(`${this.name}: there is no input "${name}" (inputs: ${[...known].join(', ')})`);
    }
    const native: Record<string, Tensor> = {};
    for (const input of this.inputs) {
      const feed = feeds[input.name];
      if (feed === undefined) throw new Error(`${this.name}: input "${input.name}" is missing`);
      native[input.name] = await this.toNative(input.name, feed);
    }
    let results: InferenceSession.ReturnType;
    const wanted = options.outputs;
    if (wanted) {
      const outputs = new Set(this.outputs.map((o) => o.name));
      for (const name of wanted) {
        if (!outputs.has(name))
          throw new Error(`${this.name}: there is no output "${name}" (outputs: ${[...outputs].join(', ')})`);
      }
    }
    try {
      results = wanted ? await this.session.run(native, [...wanted]) : await this.session.run(native);
    } catch (e) {
      throw new Error(`${this.name} failed on ${this.backend}: ${describeError(e)}`);
    }
    const out: Record<string, RuntimeTensor> = {};
    for (const [name, value] of Object.entries(results))
      out[name] = new OrtTensor(value as Tensor, this.ort, `${this.name}: output "${name}"`);
    if (options.signal?.aborted) {
      for (const t of Object.values(out)) t.dispose();
      options.signal.throwIfAborted();
    }
    return out;
  }

  async runToHost(feeds: Readonly<Record<string, Feed>>, options?: RunOptions): Promise<Record<string, HostTensor>> {
    const out = await this.run(feeds, options);
    const host: Record<string, HostTensor> = {};
    for (const [name, t] of Object.entries(out)) {
      host[name] = await t.read();
      t.dispose();
    }
    return host;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }
}

/** Session options onnxruntime understands, from ours. */
/**
 * Models from this size on run without onnxruntime's CPU memory arena: the arena grows by powers of
 * two and keeps what it took, so a 1024 px StyleGAN2 + ViT-B/32 edit step peaked at 7.1 GB of RSS
 * with it and 4.3 GB without, no slower (its large buffers are allocated once per run either way).
 * Small models keep it: it saves them a malloc per value per run.
 */
const NO_ARENA_BYTES = 64 << 20;

export function ortSessionOptions(
  options: SessionOptions,
  executionProviders: string[],
  gpuOutputs: boolean,
  modelBytes = 0,
): InferenceSession.SessionOptions {
  const opts: InferenceSession.SessionOptions = {
    // WebGPU asks for NCHW: onnxruntime 1.30's WebGPU kernels get some grouped Conv/ConvTranspose
    // shapes wrong in NHWC (src/engine/onnx/README.md), which a user's own model may contain.
    executionProviders: executionProviders.map((ep) =>
      ep === 'webgpu' ? { name: 'webgpu', preferredLayout: 'NCHW' as const } : ep,
    ),
    graphOptimizationLevel: 'all',
    logSeverityLevel: options.logSeverityLevel ?? 3,
    logId: options.name,
  };
  if (modelBytes >= NO_ARENA_BYTES && !gpuOutputs) opts.enableCpuMemArena = false;
  // wasm has one 4 GB heap, and weight prepacking keeps packed copies of weights beside the
  // originals: without it a 1024 px edit objective's renderer peak went from 4494 to 4016 MB
  // (its session from 2606 to 2089 MB).
  if (modelBytes >= NO_ARENA_BYTES && executionProviders.includes('wasm'))
    opts.extra = { session: { disable_prepacking: '1' } };
  // On x86 CPUs level 'all' adds the NCHWc layout rewrite (blocked channels, with reorders between
  // layouts), which onnxruntime-node runs with extra copies of every convolution's activations:
  // one step of the 1024 px edit objective took 4393 MB over its session at 'all' and 2766 MB at
  // 'extended' (2 threads, 23.2 s against 19.1 s). wasm keeps 'all': 'extended' left its heap as it was
  // (3834 against 3821 MB after the first step).
  if (modelBytes >= NO_ARENA_BYTES && executionProviders.includes('cpu')) opts.graphOptimizationLevel = 'extended';
  if (options.externalData) opts.externalData = [{ path: options.externalData.path, data: options.externalData.data }];
  const keep = options.keepOutputsOnGpu;
  if (gpuOutputs && keep) {
    opts.preferredOutputLocation =
      keep === true ? 'gpu-buffer' : Object.fromEntries(keep.map((n) => [n, 'gpu-buffer' as const]));
  }
  return opts;
}

export async function createOrtSession(
  ort: OrtModule,
  model: Uint8Array,
  options: SessionOptions,
  backend: Backend,
  executionProviders: string[],
  fallbackReason?: string,
): Promise<OrtSession> {
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(
      model,
      ortSessionOptions(
        options,
        executionProviders,
        backend === 'webgpu',
        model.byteLength + (options.externalData?.data.byteLength ?? 0),
      ),
    );
  } catch (e) {
    throw new Error(`${options.name}: onnxruntime could not load the model on ${backend}: ${describeError(e)}`);
  }
  return new OrtSession(ort, session, options.name, backend, fallbackReason);
}
