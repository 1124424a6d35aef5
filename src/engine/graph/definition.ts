// What a node is, as data: the contract between the document validator, the engine, the node
// catalogue and the editor. A node definition never touches the DOM or Rete. The engine knows no
// socket type by name: families register theirs (registry.ts) and say what value each carries by
// adding to SocketValues, so that `ctx.inputs` and `ctx.params` are typed inside `run`.

/** A parameter the user sets on a node; the editor draws a control for each kind. */
export type ParamDef =
  | {
      kind: 'number';
      default: number;
      min?: number;
      max?: number;
      step?: number;
      /** Whole numbers only (steps, seeds, sizes). */
      integer?: boolean;
      label?: string;
      help: string;
    }
  | { kind: 'text'; default: string; multiline?: boolean; label?: string; help: string }
  /** A list of prompts, edited as a textarea with one prompt per line. */
  | {
      kind: 'prompts';
      default: readonly string[];
      presets?: Readonly<Record<string, readonly string[]>>;
      label?: string;
      help: string;
    }
  | { kind: 'select'; options: readonly string[]; default: string; label?: string; help: string }
  | { kind: 'boolean'; default: boolean; label?: string; help: string }
  /** An image source: a URL, a data: URL (what a file picker or a drop stores), or '' for none. */
  | { kind: 'image'; default: string; label?: string; help: string }
  /**
   * A model bundle: a manifest URL or path, or `folder:<name>/manifest.json` for a folder opened in
   * the app (the editor draws a text field, an Open folder button and takes a dropped folder).
   */
  | { kind: 'bundle'; default: string; label?: string; help: string };

export type ParamKind = ParamDef['kind'];

/**
 * The value each socket type carries, by socket type name. Empty here: every node family adds its
 * own types by declaration merging (`declare module '…/engine/graph/definition.js' { interface
 * SocketValues { Image: ImageValue } }`). A socket type missing here carries `unknown`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by the node families through declaration merging
export interface SocketValues {}

/** The value a socket of type S carries. */
export type SocketValue<S> = S extends keyof SocketValues ? SocketValues[S] : unknown;

export interface PortDef<S extends string = string> {
  /** A socket type name, registered by a node family. */
  type: S;
  label?: string;
  /** An optional input may stay unconnected; run() then sees it as undefined. */
  optional?: boolean;
}

export type Ports = Readonly<Record<string, PortDef>>;
export type ParamDefs = Readonly<Record<string, ParamDef>>;

/** The value of one param as run() sees it. */
export type ParamValue<D> = D extends { kind: 'number' }
  ? number
  : D extends { kind: 'text' | 'image' | 'bundle' }
    ? string
    : D extends { kind: 'prompts' }
      ? string[]
      : D extends { kind: 'select'; options: readonly (infer O)[] }
        ? O
        : D extends { kind: 'boolean' }
          ? boolean
          : unknown;

export type ParamValues<P> = { -readonly [K in keyof P]: ParamValue<P[K]> };

/** What run() sees on its inputs: an optional input may be undefined. */
export type InputValues<I> = {
  -readonly [K in keyof I]: I[K] extends { optional: true }
    ? SocketValue<I[K] extends PortDef<infer S> ? S : never> | undefined
    : SocketValue<I[K] extends PortDef<infer S> ? S : never>;
};

/** What run() returns: one value per declared output. */
export type OutputValues<O> = { -readonly [K in keyof O]: SocketValue<O[K] extends PortDef<infer S> ? S : never> };

/** An RGB image: float values in [0, 1], planar (CHW), width × height × 3 values. */
export interface ImageValue {
  kind: 'image';
  width: number;
  height: number;
  data: Float32Array;
  /**
   * Where the pixels came from, for messages ('photo.jpg', 'the chosen image'): set by Load Image,
   * dropped by anything that computes new pixels, so a node far downstream of a file can still name it.
   */
  name?: string;
}

/** A file a node hands to its host: the browser offers it as a download, the CLI writes it. */
export interface OutputFile {
  name: string;
  mime: string;
  bytes: Uint8Array;
}

/**
 * A part of a shown image that the user can click to set params of the node that shows it (a face
 * box that chooses that face). The box is in fractions of the image's width and height, so it
 * stays right when the editor gets the image scaled down.
 */
export interface ImageRegion {
  /** [x, y, width, height], each in [0, 1] of the image's width or height; origin top-left. */
  box: [number, number, number, number];
  /** What the region is, shown when pointing at it ('face 1, score 0.99'). */
  label: string;
  /** Param name → value: what one click sets on the node, as one undoable edit. */
  params: Record<string, unknown>;
}

/**
 * What the editor shows on a node for one of its outputs (or for a sink's input, e.g. Preview):
 * a small image (optionally with clickable regions), a one-line value, or labelled bars
 * (subspace coefficients before/after an edit).
 */
export type OutputSummary =
  | { kind: 'image'; image: ImageValue; regions?: ImageRegion[] }
  | { kind: 'value'; text: string }
  | { kind: 'bars'; labels: string[]; before: number[]; after?: number[] };

/** What a host lends to the nodes it runs (the browser worker and the CLI each provide one). */
export interface EngineServices {
  /** Reads bytes from a URL or a path relative to the app's public folder (CLI: the repository's `public/`). */
  loadBytes(
    url: string,
    signal: AbortSignal,
    onProgress?: (loaded: number, total: number | undefined) => void,
  ): Promise<Uint8Array>;
  /**
   * A short text that changes whenever the bytes at `url` change (a file's size and mtime, a
   * server's ETag or Last-Modified, else a hash of the content), without keeping the bytes.
   */
  fingerprint(url: string, signal: AbortSignal): Promise<string>;
  /** Host-specific services by name (model bundles, ONNX runtime, …), set up by the host. */
  [service: string]: unknown;
}

export interface RunContext<P = Record<string, unknown>, I = Record<string, unknown>> {
  nodeId: string;
  /** The params: each one fed by a connected input holds that input's value instead of its stored one. */
  params: P;
  /** Values on the input sockets, by input name, checked against their socket types; an unconnected optional input is undefined. */
  inputs: I;
  /** What the definition's fingerprint() returned for this run, if it has one. */
  fingerprint?: string;
  signal: AbortSignal;
  /** Reports progress on long work: fraction in [0, 1] and a short message. */
  progress(fraction: number, message?: string): void;
  /** Shows an intermediate image on the node (e.g. every few optimization steps). */
  preview(image: ImageValue): void;
  /** Hands a file to the host (Save Image). */
  emitFile(file: OutputFile): void;
  /**
   * Attaches a summary the editor shows on the node under `key` (an output name, or any name for a
   * sink such as Preview). It replaces the summary the engine would derive from the output value,
   * and it is cached with the node's outputs, so a cache hit shows it again.
   */
  show(key: string, summary: OutputSummary): void;
  /** The whole graph document being run, as saved (Save Image embeds it in its PNG). */
  document: unknown;
  services: EngineServices;
}

/** What fingerprint() gets: the params (with fed ones resolved) and the host's services. */
export interface FingerprintContext<P = Record<string, unknown>> {
  params: P;
  signal: AbortSignal;
  services: EngineServices;
}

export interface NodeDefinition<I extends Ports = Ports, O extends Ports = Ports, P extends ParamDefs = ParamDefs> {
  /** Stable type id stored in documents, e.g. "image/load". */
  type: string;
  title: string;
  /** Palette group, e.g. "Image", "Models", "PAE", "Optimize", "Values". */
  category: string;
  /** What the node does, shown in the editor and the CLI. */
  help: string;
  /** Input names and param names never overlap: a connection to a param's name feeds that param. */
  inputs: I;
  outputs: O;
  params: P;
  /**
   * Input names older documents may still use, mapped to today's input or param name (an optional
   * Prompt input that became the `prompt` param's input). Validation rewrites them.
   */
  renamedInputs?: Readonly<Record<string, string>>;
  /** A sink is evaluated when the graph runs even if nothing consumes its outputs (Preview, Save Image, …). */
  sink?: boolean;
  /**
   * The node reads `ctx.document` (Save Image embeds it), so its cache key covers the whole
   * document: a saved file never carries a stale graph.
   */
  dependsOnDocument?: boolean;
  /**
   * For a node that reads something outside the graph (a file, a URL): a short text that changes
   * when what it reads changes. The engine asks for it before every run and adds it to the node's
   * cache key, so an image edited on disk or a rebuilt bundle is read again (ComfyUI's IS_CHANGED).
   * Undefined means there is nothing to read (an empty source), so the params alone are the key.
   */
  fingerprint?(ctx: FingerprintContext<ParamValues<P>>): Promise<string | undefined>;
  run(ctx: RunContext<ParamValues<P>, InputValues<I>>): Promise<OutputValues<O>>;
}

/**
 * Typed helper: the types of `ctx.inputs`, `ctx.params` and the returned outputs follow from the
 * definition's own inputs, params and outputs (no hand-written param types).
 */
export function defineNode<const I extends Ports, const O extends Ports, const P extends ParamDefs>(
  def: NodeDefinition<I, O, P>,
): NodeDefinition<I, O, P> {
  return def;
}
