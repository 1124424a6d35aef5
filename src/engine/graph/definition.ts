// What a node is, as data: the contract between the document validator, the engine, the node
// catalogue and the editor. A node definition never touches the DOM or Rete.
import type { SocketType } from './sockets.js';

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
  | { kind: 'image'; default: string; label?: string; help: string };

export type ParamKind = ParamDef['kind'];

export interface PortDef {
  type: SocketType;
  label?: string;
  /** An optional input may stay unconnected; run() then sees it as undefined. */
  optional?: boolean;
}

/** An RGB image: float values in [0, 1], planar (CHW), width × height × 3 values. */
export interface ImageValue {
  kind: 'image';
  width: number;
  height: number;
  data: Float32Array;
}

/** A file a node hands to its host: the browser offers it as a download, the CLI writes it. */
export interface OutputFile {
  name: string;
  mime: string;
  bytes: Uint8Array;
}

/**
 * What the editor shows on a node for one of its outputs (or for a sink's input, e.g. Preview):
 * a small image, a one-line value, or labelled bars (subspace coefficients before/after an edit).
 */
export type OutputSummary =
  | { kind: 'image'; image: ImageValue }
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
  /** Host-specific services by name (model bundles, ONNX runtime, …), set up by the host. */
  [service: string]: unknown;
}

export interface RunContext<P = Record<string, unknown>> {
  nodeId: string;
  params: P;
  /** Values on the input sockets, by input name; an unconnected optional input is undefined. */
  inputs: Record<string, unknown>;
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

export interface NodeDefinition<P = any> {
  /** Stable type id stored in documents, e.g. "image/load". */
  type: string;
  title: string;
  /** Palette group, e.g. "Image", "Models", "PAE", "Optimize", "Values". */
  category: string;
  /** What the node does, shown in the editor and the CLI. */
  help: string;
  inputs: Readonly<Record<string, PortDef>>;
  outputs: Readonly<Record<string, PortDef>>;
  params: Readonly<Record<string, ParamDef>>;
  /** A sink is evaluated when the graph runs even if nothing consumes its outputs (Preview, Save Image, …). */
  sink?: boolean;
  /**
   * The node reads `ctx.document` (Save Image embeds it), so its cache key covers the whole
   * document: a saved file never carries a stale graph.
   */
  dependsOnDocument?: boolean;
  run(ctx: RunContext<P>): Promise<Record<string, unknown>>;
}

/** Typed helper so definitions stay checked without repeating their parameter types. */
export function defineNode<P>(def: NodeDefinition<P>): NodeDefinition<P> {
  return def;
}
