// The scheduler: evaluates a graph document from the nodes that are wanted (its sinks, or chosen
// targets) back through what they need, one node at a time in dependency order, reusing cached
// results by signature. Why this and not rete-engine's DataflowEngine: see README.md here.
import type {
  EngineServices,
  ImageValue,
  NodeDefinition,
  OutputFile,
  OutputSummary,
  RunContext,
} from '../graph/definition.js';
import { serializeDocument, type GraphDocument } from '../graph/document.js';
import { paramProblem } from '../graph/params.js';
import type { NodeRegistry } from '../graph/registry.js';
import { topologicalOrder, validateDocument } from '../graph/validate.js';
import { ByteLruCache } from './cache.js';
import { DocumentInvalidError, type EngineEvent, type NodeOutcome, type RunSummary } from './events.js';
import { nodeSignature } from './signature.js';
import { downscaleForPreview, isImageValue } from '../tensor/image.js';
import { boundSummary, PREVIEW_MAX_SIDE, summarizeOutput } from './summarize.js';

export interface EngineOptions {
  registry: NodeRegistry;
  services: EngineServices;
  /** Bound on the bytes of cached results (default 512 MiB). */
  cacheBytes?: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  onEvent?: (event: EngineEvent) => void;
  /** Node ids to evaluate (with what they need); by default every sink. */
  targets?: string[];
}

/** What the cache keeps per signature: a node's outputs, the files it made and what the editor shows for it. */
interface NodeResult {
  outputs: Record<string, unknown>;
  files: OutputFile[];
  /** Per output (and per key the node showed): made once, so a cache hit does not redo previews. */
  summaries: Record<string, OutputSummary>;
  /** Images the node showed, at full size (the summaries hold them bounded), for a viewer to ask for. */
  shownImages: Record<string, ImageValue>;
}

const DEFAULT_CACHE_BYTES = 512 * 1024 * 1024;

class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

export class Engine {
  readonly stats = { hits: 0, misses: 0 };
  private readonly registry: NodeRegistry;
  private readonly services: EngineServices;
  private readonly cache: ByteLruCache<NodeResult>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: EngineOptions) {
    this.registry = options.registry;
    this.services = options.services;
    this.cache = new ByteLruCache(options.cacheBytes ?? DEFAULT_CACHE_BYTES);
  }

  /** Bytes held by cached results now. */
  get cachedBytes(): number {
    return this.cache.bytes;
  }

  clearCache(): void {
    this.cache.clear();
  }

  /**
   * An image a node made, at full size: what it showed under `name`, else its output `name`. `key`
   * is the signature a `done` event reported; undefined once the result has left the cache (or
   * when it holds no image under that name).
   */
  fullImage(key: string, name: string): ImageValue | undefined {
    const result = this.cache.get(key);
    if (!result) return undefined;
    const image = result.shownImages[name] ?? result.outputs[name];
    return isImageValue(image) ? image : undefined;
  }

  /**
   * Runs the document. Resolves with a summary, also when nodes fail or the run is cancelled;
   * rejects only when the document is invalid (DocumentInvalidError, nothing was run) or a target
   * does not exist. Runs on one engine take turns, so the cache never sees two writers.
   */
  run(doc: GraphDocument, options: RunOptions = {}): Promise<RunSummary> {
    const result = this.queue.then(() => this.execute(doc, options));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async execute(input: GraphDocument, options: RunOptions): Promise<RunSummary> {
    const started = performance.now();
    const validated = validateDocument(input, this.registry);
    if (!validated.ok) throw new DocumentInvalidError(validated.errors);
    const doc = validated.document;
    const signal = options.signal ?? new AbortController().signal;
    const emit = (event: EngineEvent) => {
      try {
        options.onEvent?.(event);
      } catch (e) {
        // A failing listener must not take the run down with it.
        console.error('engine event listener failed:', e);
      }
    };

    const nodes = new Map(doc.nodes.map((n) => [n.id, n]));
    const feeding = new Map<string, Map<string, { node: string; output: string }>>();
    for (const c of doc.connections) {
      if (!feeding.has(c.to.node)) feeding.set(c.to.node, new Map());
      feeding.get(c.to.node)!.set(c.to.input, c.from);
    }

    const wanted = options.targets ?? doc.nodes.filter((n) => this.registry.get(n.type)!.sink).map((n) => n.id);
    for (const id of wanted)
      if (!nodes.has(id)) throw new Error(`cannot run node '${id}': the graph has no node with that id`);
    const needed = new Set<string>();
    const stack = [...wanted];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (needed.has(id)) continue;
      needed.add(id);
      for (const from of feeding.get(id)?.values() ?? []) stack.push(from.node);
    }
    const order = topologicalOrder(doc.nodes, doc.connections)!.filter((id) => needed.has(id));

    const outcomes: Record<string, NodeOutcome> = {};
    const results = new Map<string, NodeResult>();
    const keys = new Map<string, string>();
    const files: RunSummary['files'] = [];
    let failed = false;
    const fail = (id: string, message: string) => {
      failed = true;
      outcomes[id] = { status: 'error', message };
      emit({ type: 'error', node: id, message });
    };

    for (const id of order) {
      if (signal.aborted) break;
      const node = nodes.get(id)!;
      const def = this.registry.get(node.type)!;

      const blocked = this.blockedBy(def, id, feeding, outcomes);
      if (blocked) {
        if (blocked.outcome.status === 'error') {
          fail(id, blocked.outcome.message);
        } else {
          outcomes[id] = blocked.outcome;
          if (blocked.outcome.status === 'skipped')
            emit({ type: 'skipped', node: id, because: blocked.outcome.because });
        }
        continue;
      }

      // Values arriving on inputs, and on params fed by an input (they replace the stored value);
      // both are checked here, once, so run() can trust what it is given.
      const inputs: Record<string, unknown> = {};
      const params: Record<string, unknown> = structuredClone(node.params);
      const fedParams: Record<string, unknown> = {};
      const inputKeys: Record<string, { key: string; output: string }> = {};
      let problem: string | undefined;
      for (const [name, from] of feeding.get(id) ?? []) {
        const value = results.get(from.node)!.outputs[from.output];
        inputKeys[name] = { key: keys.get(from.node)!, output: from.output };
        if (Object.hasOwn(def.inputs, name)) inputs[name] = value;
        else fedParams[name] = value;
        problem ??= this.inputProblem(def, id, name, value);
      }
      if (problem) {
        fail(id, problem);
        continue;
      }
      Object.assign(params, fedParams);

      let fingerprint: string | undefined;
      try {
        fingerprint = def.fingerprint
          ? await def.fingerprint({ params: params as never, signal, services: this.services })
          : undefined;
      } catch (e) {
        if (signal.aborted) break;
        fail(id, e instanceof Error ? e.message : String(e));
        continue;
      }
      const storedParams = { ...node.params };
      for (const name of Object.keys(fedParams)) delete storedParams[name];
      const key = await nodeSignature({
        type: node.type,
        // A fed param's stored value plays no part: the input's key stands for it.
        params: storedParams,
        inputs: inputKeys,
        document: def.dependsOnDocument ? serializeDocument(doc) : undefined,
        fingerprint,
      });
      keys.set(id, key);
      if (signal.aborted) break;

      const cached = this.cache.get(key);
      if (cached) {
        this.stats.hits++;
        results.set(id, cached);
        outcomes[id] = { status: 'done', ms: 0, cached: true };
        for (const file of cached.files) {
          files.push({ node: id, file });
          emit({ type: 'file', node: id, file });
        }
        emit({ type: 'done', node: id, ms: 0, cached: true, outputs: cached.summaries, key });
        continue;
      }

      this.stats.misses++;
      emit({ type: 'started', node: id });
      const t0 = performance.now();
      let result: NodeResult;
      try {
        result = await this.evaluate(def, id, params, inputs, fingerprint, doc, signal, emit);
      } catch (e) {
        if (e instanceof Cancelled || signal.aborted) {
          outcomes[id] = { status: 'cancelled' };
          break;
        }
        fail(id, e instanceof Error ? e.message : String(e));
        continue;
      }
      const ms = performance.now() - t0;
      // A result that finished is correct even if the run was cancelled meanwhile: keep it.
      this.cache.set(key, result);
      results.set(id, result);
      outcomes[id] = { status: 'done', ms, cached: false };
      for (const file of result.files) {
        files.push({ node: id, file });
        emit({ type: 'file', node: id, file });
      }
      emit({ type: 'done', node: id, ms, cached: false, outputs: result.summaries, key });
    }

    let status: RunSummary['status'] = failed ? 'failed' : 'ok';
    if (signal.aborted) {
      status = 'cancelled';
      for (const id of order) outcomes[id] ??= { status: 'cancelled' };
      emit({ type: 'cancelled' });
    }
    const ordered: Record<string, NodeOutcome> = {};
    for (const id of order) ordered[id] = outcomes[id]!;
    return { status, ms: performance.now() - started, nodes: ordered, files };
  }

  /**
   * What is wrong with a value arriving on an input or a fed param, naming the node, the input and
   * the socket type: a node whose output breaks its socket type's promise is caught here, before
   * the node downstream trips over it.
   */
  private inputProblem(def: NodeDefinition, id: string, name: string, value: unknown): string | undefined {
    const isInput = Object.hasOwn(def.inputs, name);
    const type = isInput ? def.inputs[name]!.type : this.registry.paramSocket(def.type, name);
    const socket = type === undefined ? undefined : this.registry.socketType(type);
    const where = `${def.title} '${id}': ${isInput ? 'input' : 'param'} '${name}'`;
    const wrong = socket ? socket.check(value) : `has no socket type that may feed it`;
    if (wrong) return `${where} (${type ?? 'no socket type'}) ${wrong}`;
    if (!isInput) {
      const outOfRange = paramProblem(def.params[name]!, value);
      if (outOfRange) return `${where}, fed by its input: ${outOfRange}`;
    }
    return undefined;
  }

  /** Why a node cannot run: an unconnected required input (an error), or a failed input (skipped). */
  private blockedBy(
    def: NodeDefinition,
    id: string,
    feeding: Map<string, Map<string, { node: string; output: string }>>,
    outcomes: Record<string, NodeOutcome>,
  ): { outcome: NodeOutcome } | null {
    // Inputs in definition order, then the params fed by an input.
    const fed = feeding.get(id);
    const ends = [...Object.keys(def.inputs), ...[...(fed?.keys() ?? [])].filter((n) => !Object.hasOwn(def.inputs, n))];
    for (const name of ends) {
      const from = fed?.get(name);
      if (!from) {
        if (def.inputs[name]!.optional) continue;
        return { outcome: { status: 'error', message: `input '${name}' is not connected` } };
      }
      const upstream = outcomes[from.node]!;
      if (upstream.status === 'error')
        return { outcome: { status: 'skipped', because: `input '${name}' needs '${from.node}', which failed` } };
      if (upstream.status === 'skipped')
        return { outcome: { status: 'skipped', because: `input '${name}' needs '${from.node}', which was skipped` } };
    }
    return null;
  }

  private async evaluate(
    def: NodeDefinition,
    id: string,
    params: Record<string, unknown>,
    inputs: Record<string, unknown>,
    fingerprint: string | undefined,
    doc: GraphDocument,
    signal: AbortSignal,
    emit: (event: EngineEvent) => void,
  ): Promise<NodeResult> {
    // Calls that arrive after the node settled (a node that ignores cancellation) are dropped.
    let live = true;
    const shown: Record<string, OutputSummary> = {};
    const shownImages: Record<string, ImageValue> = {};
    const files: OutputFile[] = [];
    const ctx: RunContext = {
      nodeId: id,
      // A copy of the stored params (made by the caller): a node that edits its params must not
      // change what its cache key was made from.
      params,
      inputs,
      fingerprint,
      signal,
      progress: (fraction, message) => {
        if (!live || !Number.isFinite(fraction)) return;
        emit({ type: 'progress', node: id, fraction: Math.min(1, Math.max(0, fraction)), message });
      },
      preview: (image) => {
        if (live) emit({ type: 'preview', node: id, image: downscaleForPreview(image, PREVIEW_MAX_SIDE) });
      },
      emitFile: (file) => {
        if (live) files.push(file);
      },
      show: (key, summary) => {
        if (!live) return;
        shown[key] = boundSummary(summary);
        if (summary.kind === 'image') shownImages[key] = summary.image;
        else delete shownImages[key];
      },
      document: doc,
      services: this.services,
    };
    try {
      const outputs = await untilAborted(
        Promise.resolve().then(() => def.run(ctx as never) as Promise<Record<string, unknown>>),
        signal,
      );
      if (outputs === null || typeof outputs !== 'object') throw new Error(`${def.title} returned no outputs`);
      for (const name of Object.keys(def.outputs)) {
        if (!(name in outputs)) throw new Error(`${def.title} did not produce its output '${name}'`);
      }
      return { outputs, files, summaries: summarize(def, outputs, shown), shownImages };
    } finally {
      live = false;
    }
  }
}

function summarize(
  def: NodeDefinition,
  outputs: Record<string, unknown>,
  shown: Record<string, OutputSummary>,
): Record<string, OutputSummary> {
  const out: Record<string, OutputSummary> = {};
  for (const [name, port] of Object.entries(def.outputs))
    out[name] = shown[name] ?? summarizeOutput(outputs[name], port.type);
  for (const [name, summary] of Object.entries(shown)) out[name] ??= summary;
  return out;
}

/** Settles with the work, or rejects as soon as the signal aborts (the work is left to finish unseen). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Cancelled());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
