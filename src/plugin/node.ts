// A node in the editor: the Rete view of one document node. Its params are the document's
// params; `run` holds what the last run showed on it (progress, previews, errors, files).
import { ClassicPreset, type NodeEditor } from 'rete';
import type { ImageValue, NodeDefinition, OutputSummary } from '../engine/graph/definition.js';
import { defaultParam } from '../engine/graph/params.js';
import { socketFor, type TypedSocket } from './sockets.js';
import type { ClipPaeSchemes, NodeCatalogue } from './types.js';

export type RunState = 'idle' | 'queued' | 'running' | 'done' | 'cached' | 'error' | 'skipped' | 'cancelled';

/** What a run reported about one output (or a sink's display), ready to draw. */
export type OutputView = OutputSummary;

export interface DownloadView {
  name: string;
  mime: string;
  /** An object URL the node links to; revoked when the node's run view is reset. */
  url: string;
  size: number;
}

export interface NodeRunView {
  state: RunState;
  /** In [0, 1] while running. */
  fraction?: number;
  message?: string;
  error?: string;
  /** Why the node was skipped (an upstream error, a cancel). */
  because?: string;
  ms?: number;
  preview?: ImageValue;
  outputs: Record<string, OutputView>;
  files: DownloadView[];
  /** The result's signature from the engine's done event: what a viewer asks the worker for full-size images by. */
  key?: string;
}

export function idleRunView(): NodeRunView {
  return { state: 'idle', outputs: {}, files: [] };
}

export class ClipPaeNode extends ClassicPreset.Node<
  Record<string, TypedSocket>,
  Record<string, TypedSocket>,
  Record<string, never>
> {
  readonly type: string;
  readonly definition: NodeDefinition;
  params: Record<string, unknown>;
  run: NodeRunView = idleRunView();
  width?: number;
  height?: number;
  /** Params that may be fed by a connection instead (an optional input keyed by the param's name). */
  readonly paramInputs: ReadonlySet<string>;
  /** Params whose input is connected now: their stored value is not used, the control shows it. */
  fedParams: ReadonlySet<string> = new Set();

  constructor(
    definition: NodeDefinition,
    registry: NodeCatalogue,
    init: { id?: string; params?: Record<string, unknown>; label?: string } = {},
  ) {
    super(init.label ?? definition.title);
    if (init.id !== undefined) this.id = init.id;
    this.type = definition.type;
    this.definition = definition;
    this.params = { ...defaultParams(definition), ...(init.params ?? {}) };
    for (const [name, port] of Object.entries(definition.inputs)) {
      this.addInput(name, new ClassicPreset.Input(socketFor(registry, port.type), port.label ?? name, false));
    }
    const paramInputs = new Set<string>();
    for (const [name, param] of Object.entries(definition.params)) {
      const type = registry.paramSocket(definition.type, name);
      if (type === undefined) continue;
      this.addInput(name, new ClassicPreset.Input(socketFor(registry, type), param.label ?? name, false));
      paramInputs.add(name);
    }
    this.paramInputs = paramInputs;
    for (const [name, port] of Object.entries(definition.outputs)) {
      this.addOutput(name, new ClassicPreset.Output(socketFor(registry, port.type), port.label ?? name, true));
    }
  }

  /** The label a user gave it, or undefined when it still shows the definition's title. */
  get customLabel(): string | undefined {
    return this.label === this.definition.title ? undefined : this.label;
  }

  inputType(name: string): string | undefined {
    return this.inputs[name]?.socket.type;
  }

  outputType(name: string): string | undefined {
    return this.outputs[name]?.socket.type;
  }
}

export function defaultParams(definition: NodeDefinition): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(definition.params)) params[name] = defaultParam(def);
  return params;
}

/** The plugin's nodes in an editor: a host may keep nodes of its own in the same one. */
export function clipPaeNodes(editor: NodeEditor<ClipPaeSchemes>): ClipPaeNode[] {
  return editor.getNodes().filter((n): n is ClipPaeNode => n instanceof ClipPaeNode);
}

/** One of the plugin's nodes by id, or undefined (also for a host's own node). */
export function clipPaeNode(editor: NodeEditor<ClipPaeSchemes>, id: string): ClipPaeNode | undefined {
  const node = editor.getNode(id);
  return node instanceof ClipPaeNode ? node : undefined;
}
