// onnxruntime-node behind the Runtime interface (CPU execution provider).
import { createOrtSession, type OrtModule } from './runtime-ort.js';
import type { Runtime, Session, SessionOptions } from './runtime.js';

// A specifier in a variable keeps bundlers from following it: this package has native binaries
// and must never reach the browser bundle.
const NODE_PACKAGE = 'onnxruntime-node';

export async function createNodeRuntime(): Promise<Runtime> {
  const ort = (await import(/* @vite-ignore */ NODE_PACKAGE)) as OrtModule & { default?: OrtModule };
  const module: OrtModule = ort.InferenceSession ? ort : ort.default!;
  return {
    backend: 'cpu',
    description: 'onnxruntime-node (CPU)',
    externalData: false,
    async createSession(model: Uint8Array, options: SessionOptions): Promise<Session> {
      if (options.externalData)
        throw new Error(
          `${options.name}: onnxruntime-node reads external data only from files; pass the model with its weights inside`,
        );
      return createOrtSession(module, model, options, 'cpu', ['cpu']);
    },
  };
}
