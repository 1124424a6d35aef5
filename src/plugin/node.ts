// A node in the editor: the Rete view of one document node. Its params are the document's
// params; `run` holds what the last run showed on it (progress, previews, errors, files).
import { ClassicPreset } from 'rete';
import type { ImageValue, NodeDefinition, OutputSummary } from '../engine/graph/definition.js';
import { defaultParam } from '../engine/graph/params.js';
import { socketFor, type TypedSocket } from './sockets.js';

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

  constructor(
    definition: NodeDefinition,
    init: { id?: string; params?: Record<string, unknown>; label?: string } = {},
  ) {
    super(init.label ?? definition.title);
    if (init.id !== undefined) this.id = init.id;
    this.type = definition.type;
    this.definition = definition;
    this.params = { ...defaultParams(definition), ...(init.params ?? {}) };
    for (const [name, port] of Object.entries(definition.inputs)) {
      this.addInput(name, new ClassicPreset.Input(socketFor(port.type), port.label ?? name, false));
    }
    for (const [name, port] of Object.entries(definition.outputs)) {
      this.addOutput(name, new ClassicPreset.Output(socketFor(port.type), port.label ?? name, true));
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
