// Trains a demo network: one ONNX model computes the loss and, through the project's autodiff
// (gradientModel), the gradient of the loss with respect to every weight. Weights are graph inputs,
// so each step feeds the current weights with the batch, reads back loss and gradients, and Adam
// (src/engine/optimize/adam.ts) updates the weights on the host.
import * as ort from 'onnxruntime-node';
import type { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { gradientModel, gradName } from '../../src/engine/onnx/gradient.js';
import { writeModel } from '../../src/engine/onnx/model.js';
import { Adam } from '../../src/engine/optimize/adam.js';
import type { ParamStore } from './params.js';
import { Progress } from './progress.js';

export interface TrainOptions {
  label: string;
  /** Builder of the loss graph; its weights are initializers named as in `params`. */
  graph: GraphBuilder;
  params: ParamStore;
  /** Name of the scalar loss output (default 'loss'). */
  loss?: string;
  steps: number;
  /** Peak learning rate: linear warm-up over the first 5 % of steps, then cosine decay to 2 %. */
  lr: number;
  /** Decoupled weight decay (AdamW style) on weights of rank ≥ 2. */
  weightDecay?: number;
  /** Inputs of the loss graph for one step (weights excluded). */
  feed: (step: number) => Record<string, ort.Tensor>;
  threads?: number;
  quiet?: boolean;
  /** Called every `every` steps with the running mean loss. */
  onLog?: (step: number, loss: number) => void;
}

export interface TrainResult {
  losses: number[];
  seconds: number;
}

export function learningRate(step: number, steps: number, peak: number): number {
  const warm = Math.max(1, Math.round(steps * 0.05));
  if (step < warm) return (peak * (step + 1)) / warm;
  const t = (step - warm) / Math.max(1, steps - warm);
  return peak * (0.02 + 0.98 * 0.5 * (1 + Math.cos(Math.PI * t)));
}

/** Moves the named weights of a builder from initializers to graph inputs. */
export function weightsAsInputs(g: GraphBuilder, names: readonly string[]): void {
  for (const name of names) {
    const t = g.initializers.get(name);
    if (!t) throw new Error(`weightsAsInputs: ${name} is not an initializer of graph ${g.name}`);
    g.initializers.delete(name);
    g.input(name, t.dtype, t.dims);
  }
}

export async function sessionOptions(threads = 2): Promise<ort.InferenceSession.SessionOptions> {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  };
}

export async function train(o: TrainOptions): Promise<TrainResult> {
  const lossName = o.loss ?? 'loss';
  const names = o.params.names().filter((n) => o.graph.initializers.has(n));
  if (names.length === 0) throw new Error(`train(${o.label}): the graph uses none of the weights in the store`);
  weightsAsInputs(o.graph, names);
  const model = gradientModel(o.graph.model(), { of: lossName, wrt: names });
  const session = await ort.InferenceSession.create(writeModel(model), await sessionOptions(o.threads));
  const adams = names.map((n) => new Adam(o.params.values.get(n)!.length));
  const decays = names.map((n) => (o.params.shapes.get(n)!.length >= 2 ? (o.weightDecay ?? 0) : 0));
  const seed = new ort.Tensor('float32', Float32Array.from([1]), []);
  const progress = new Progress(o.label, o.steps, o.quiet);
  const losses: number[] = [];
  const start = Date.now();
  let running = 0;
  for (let step = 0; step < o.steps; step++) {
    const feeds: Record<string, ort.Tensor> = { ...o.feed(step), [gradName(lossName)]: seed };
    for (const n of names) feeds[n] = new ort.Tensor('float32', o.params.values.get(n)!, o.params.shapes.get(n)!);
    const out = await session.run(feeds);
    const loss = (out[lossName]!.data as Float32Array)[0]!;
    if (!Number.isFinite(loss)) throw new Error(`train(${o.label}): the loss is ${loss} at step ${step}`);
    losses.push(loss);
    running = step === 0 ? loss : 0.98 * running + 0.02 * loss;
    const lr = learningRate(step, o.steps, o.lr);
    names.forEach((n, i) => {
      const w = o.params.values.get(n)!;
      if (decays[i]! > 0) {
        const f = 1 - lr * decays[i]!;
        for (let k = 0; k < w.length; k++) w[k]! *= f;
      }
      adams[i]!.step(w, out[gradName(n)]!.data as Float32Array, lr);
    });
    if (step % 10 === 9 || step === o.steps - 1) {
      progress.update(step + 1, `loss ${running.toFixed(4)}`);
      o.onLog?.(step + 1, running);
    }
  }
  await session.release();
  return { losses, seconds: (Date.now() - start) / 1000 };
}
