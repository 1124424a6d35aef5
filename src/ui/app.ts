// The editor app: the plugin's first host. It owns the page layout, the toolbar, files,
// autosave and the engine worker; everything about nodes goes through the plugin's public API.
import { NodeEditor } from 'rete';
import { AreaPlugin } from 'rete-area-plugin';
import { emptyDocument, type GraphDocument } from '../engine/graph/document.js';
import { parseDocument, type ValidationResult } from '../engine/graph/validate.js';
import type { EngineEvent } from '../engine/run/events.js';
import { EngineClient } from '../engine/run/worker-client.js';
import { catalogue } from '../nodes/registry.js';
import { createEngineWorker, setupClipPae, type ClipPae, type ClipPaeSchemes } from '../plugin/index.js';
import { readAutosave, writeAutosave } from './autosave.js';
import { exampleNames, exampleText } from './examples.js';
import { downloadDocument, graphFromFile } from './graph-files.js';
import { indexedDbHistory, openHistoryDatabase } from './history-idb.js';
import type { RunOutcome } from './run-queue.js';
import { Runs } from './runs.js';
import type { RunsPanelElement } from './runs-panel.js';
import './runs-panel.js';
import { bindShortcutsSheet } from './shortcuts-sheet.js';
import { imageViewing, type ImageViewing } from './viewer-host.js';
import type { NoticesElement } from './notices.js';
import type { ToolbarAction, ToolbarElement } from './toolbar.js';
import './notices.js';
import './toolbar.js';
import { BUILT_IN_BUNDLES, bundleHistory, bundlesInDocument, rememberBundles } from './bundles.js';
import type { ModelsPanelElement } from './models-panel.js';
import './models-panel.js';

const AUTO_RUN_KEY = 'rete-clip-pae/auto-run';
const LOAD_MODELS = 'models/load';
/**
 * The toolbar's runtime indicator says where models run ('WebGPU', 'wasm'). Page code sets it
 * with this window event; a node in the worker sets it by showing a value under RUNTIME_KEY.
 */
export const RUNTIME_EVENT = 'clip-pae-runtime';
export const RUNTIME_KEY = 'runtime';

export interface AppElements {
  toolbar: ToolbarElement;
  palette: HTMLElement;
  canvas: HTMLElement;
  notices: NoticesElement;
  fileInput: HTMLInputElement;
  runs: RunsPanelElement;
}

export class App {
  readonly editor = new NodeEditor<ClipPaeSchemes>();
  readonly area: AreaPlugin<ClipPaeSchemes, any>;
  readonly clipPae: ClipPae;
  readonly runs: Runs;
  readonly images: ImageViewing;
  private readonly runEventListeners = new Set<(event: EngineEvent) => void>();
  private autoRun: boolean;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private autosaveProblem: string | null = null;

  constructor(private readonly ui: AppElements) {
    this.area = new AreaPlugin<ClipPaeSchemes, any>(ui.canvas);
    this.editor.use(this.area);
    this.clipPae = setupClipPae(this.editor, this.area, {
      registry: catalogue,
      palette: ui.palette,
      onRefused: (reason) => ui.notices.toast(`Not connected: ${reason}`, 'error'),
      onEditFailed: (message) => ui.notices.toast(message, 'error'),
      onClipboardProblem: (message) => ui.notices.toast(message, 'error'),
      onRunTo: (nodeId) => this.runs.run([nodeId]),
    });
    const client = new EngineClient(createEngineWorker());
    this.runs = new Runs(
      client,
      catalogue,
      this.clipPae,
      ui.runs,
      {
        onStart: () => {
          ui.toolbar.running = true;
          this.setStatus('Running…', 'info');
        },
        onEnd: (outcome) => this.reportRun(outcome),
        onQueueChange: (items) => {
          if (items[0]?.state !== 'running') return;
          const waiting = items.length - 1;
          this.setStatus(`Running…${waiting ? ` (${waiting} more queued)` : ''}`, 'info');
        },
        onEvent: (event) => {
          for (const listener of this.runEventListeners) listener(event);
          const runtime = event.type === 'done' ? event.outputs[RUNTIME_KEY] : undefined;
          if (runtime?.kind === 'value') this.setRuntimeLabel(runtime.text);
        },
      },
      indexedDbHistory(openHistoryDatabase()),
    );
    this.images = imageViewing(this.clipPae, client);
    bindShortcutsSheet(document);

    this.autoRun = localStorage.getItem(AUTO_RUN_KEY) === 'on';
    ui.toolbar.autoRun = this.autoRun;
    ui.toolbar.examples = exampleNames();
    ui.toolbar.addEventListener('toolbar-action', (e) => void this.onAction((e as CustomEvent<ToolbarAction>).detail));
    ui.fileInput.addEventListener('change', () => {
      const file = ui.fileInput.files?.[0];
      ui.fileInput.value = '';
      if (file) void this.openFile(file);
    });
    this.acceptDroppedGraphs(ui.canvas);
    this.clipPae.onChange((kind) => {
      this.scheduleAutosave();
      if (kind === 'load') ui.toolbar.graphTitle = this.titleOf(this.clipPae.toDocument());
      if (this.autoRun && kind !== 'layout') this.runs.schedule();
      if (kind === 'load' || kind === 'params') rememberBundles(bundlesInDocument(this.clipPae.toDocument()));
    });
    // A folder opened on a Load Models node is listed by an open models panel at once.
    ui.canvas.addEventListener('bundle-kept', () => void this.modelsPanel?.show(this.knownBundles()));
    window.addEventListener(RUNTIME_EVENT, (e) => this.setRuntimeLabel(String((e as CustomEvent).detail ?? '')));
  }

  /** Opens the autosaved graph, or graphs/default.json when there is none (or it is unreadable). */
  async start(): Promise<void> {
    await this.runs.refreshHistory();
    const saved = readAutosave();
    if (saved !== null) {
      const result = parseDocument(saved, catalogue);
      if (result.ok) {
        await this.clipPae.loadDocument(result.document);
        await this.clipPae.zoomToFit();
        return;
      }
      this.ui.notices.toast('The autosaved graph could not be read; opening the default graph instead.', 'error', 8000);
    }
    await this.openDefault();
  }

  /** Hears every engine event of the running item (what the nodes are shown). */
  onRunEvent(listener: (event: EngineEvent) => void): () => void {
    this.runEventListeners.add(listener);
    return () => this.runEventListeners.delete(listener);
  }

  setRuntimeLabel(text: string): void {
    this.ui.toolbar.runtime = text;
  }

  private async openDefault(): Promise<void> {
    if (exampleNames().includes('default')) {
      await this.openValidated(parseDocument(await exampleText('default'), catalogue), 'graphs/default.json', {
        quiet: true,
      });
    } else {
      await this.clipPae.loadDocument(emptyDocument());
    }
  }

  private async onAction(action: ToolbarAction): Promise<void> {
    switch (action.action) {
      case 'new':
        this.runs.graphReplaced();
        await this.clipPae.loadDocument(emptyDocument());
        this.ui.notices.clearProblems();
        this.setStatus('', 'info');
        await this.clipPae.zoomToFit();
        break;
      case 'open':
        this.ui.fileInput.click();
        break;
      case 'save': {
        const doc = this.clipPae.toDocument();
        downloadDocument(doc);
        break;
      }
      case 'example':
        await this.openValidated(
          parseDocument(await exampleText(action.name), catalogue),
          `graphs/${action.name}.json`,
        );
        break;
      case 'undo':
        await this.clipPae.undo();
        break;
      case 'redo':
        await this.clipPae.redo();
        break;
      case 'run':
        this.runs.run();
        break;
      case 'cancel':
        this.runs.cancelRunning();
        break;
      case 'auto-run':
        this.autoRun = action.enabled;
        this.ui.toolbar.autoRun = action.enabled;
        localStorage.setItem(AUTO_RUN_KEY, action.enabled ? 'on' : 'off');
        if (action.enabled) this.runs.schedule();
        break;
      case 'fit':
        await this.clipPae.zoomToFit();
        break;
      case 'arrange':
        await this.clipPae.arrange();
        break;
      case 'frame':
        if (!this.clipPae.frameSelected('Frame'))
          this.ui.notices.toast('Select the nodes to frame first (Ctrl+click adds to the selection)');
        break;
      case 'comment':
        this.clipPae.addComment('Note');
        break;
      case 'models':
        await this.toggleModels();
        break;
    }
  }

  async openFile(file: File): Promise<void> {
    await this.openValidated(await graphFromFile(file, catalogue), file.name);
  }

  /** Loads a document only when it is valid; otherwise lists its errors and leaves the graph alone. */
  private async openValidated(
    result: ValidationResult,
    name: string,
    options: { quiet?: boolean } = {},
  ): Promise<void> {
    if (!result.ok) {
      const count = result.errors.length;
      this.ui.notices.showProblems(`Could not open ${name}: ${count} problem${count === 1 ? '' : 's'}`, result.errors);
      return;
    }
    this.runs.graphReplaced();
    await this.clipPae.loadDocument(result.document);
    this.ui.notices.clearProblems();
    this.setStatus('', 'info');
    await this.clipPae.zoomToFit();
    if (!options.quiet) this.ui.notices.toast(`Opened ${name}`);
  }

  private acceptDroppedGraphs(canvas: HTMLElement): void {
    const carriesFiles = (e: DragEvent) => Boolean(e.dataTransfer?.types.includes('Files'));
    canvas.addEventListener('dragover', (e) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      canvas.classList.add('drop-target');
    });
    canvas.addEventListener('dragleave', () => canvas.classList.remove('drop-target'));
    canvas.addEventListener('drop', (e) => {
      canvas.classList.remove('drop-target');
      if (!carriesFiles(e)) return;
      e.preventDefault();
      const file = e.dataTransfer?.files[0];
      if (file) void this.openFile(file);
    });
  }

  private modelsPanel: ModelsPanelElement | undefined;

  /** Opens the models panel with every bundle known now, or closes it. */
  async toggleModels(): Promise<void> {
    if (this.modelsPanel) {
      this.modelsPanel.remove();
      this.modelsPanel = undefined;
      return;
    }
    const panel = document.createElement('clip-pae-models') as ModelsPanelElement;
    panel.addEventListener('close', () => void this.toggleModels());
    panel.useBundle = (source) => this.useInLoadModels(source);
    this.ui.canvas.parentElement?.appendChild(panel);
    this.modelsPanel = panel;
    await panel.show(this.knownBundles());
  }

  private knownBundles(): string[] {
    return [...BUILT_IN_BUNDLES, ...bundlesInDocument(this.clipPae.toDocument()), ...bundleHistory()];
  }

  /** Sets the bundle of the selected Load Models node, or of the first one; says what it did. */
  async useInLoadModels(source: string): Promise<string> {
    const ids = this.clipPae
      .toDocument()
      .nodes.filter((n) => n.type === LOAD_MODELS)
      .map((n) => n.id);
    if (ids.length === 0)
      return 'The graph has no Load Models node: add one (palette, Models), then press Use in Load Models again.';
    const selected = new Set(
      this.editor
        .getNodes()
        .filter((n) => n.selected)
        .map((n) => n.id),
    );
    const id = ids.find((i) => selected.has(i)) ?? ids[0]!;
    await this.clipPae.setParam(id, 'bundle', source);
    return `Load Models (${id}) now loads ${source}`;
  }

  private scheduleAutosave(): void {
    if (this.saveTimer !== undefined) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.autosaveNow();
    }, 250);
  }

  /** Writes the autosave at once (also what a test waits for). */
  autosaveNow(): void {
    const problem = writeAutosave(this.clipPae.toDocument());
    if (problem && problem !== this.autosaveProblem)
      this.ui.notices.toast(`Autosave failed: ${problem}`, 'error', 8000);
    this.autosaveProblem = problem;
  }

  private reportRun(outcome: RunOutcome): void {
    this.ui.toolbar.running = this.runs.queue.running !== undefined;
    if (outcome.kind === 'invalid') {
      this.setStatus('The graph cannot run', 'error');
      if (outcome.errors.length) this.ui.notices.showProblems('The graph cannot run', outcome.errors);
      else this.ui.notices.toast(outcome.message, 'error', 8000);
      return;
    }
    const { summary } = outcome;
    const outcomes = Object.values(summary.nodes);
    const failed = outcomes.filter((o) => o.status === 'error').length;
    const cached = outcomes.filter((o) => o.status === 'done' && o.cached).length;
    const time = summary.ms < 1000 ? `${Math.round(summary.ms)} ms` : `${(summary.ms / 1000).toFixed(1)} s`;
    if (summary.status === 'cancelled') this.setStatus('Cancelled', 'info');
    else if (summary.status === 'failed')
      this.setStatus(`${failed} node${failed === 1 ? '' : 's'} failed · ${time}`, 'error');
    else if (outcomes.length === 0) this.setStatus('Nothing to run: add a Preview or Save Image node', 'info');
    else
      this.setStatus(
        `Ran ${outcomes.length} node${outcomes.length === 1 ? '' : 's'} in ${time}${cached ? ` (${cached} cached)` : ''}`,
        'ok',
      );
  }

  private setStatus(text: string, kind: 'info' | 'ok' | 'error'): void {
    this.ui.toolbar.status = text;
    this.ui.toolbar.statusKind = kind;
  }

  private titleOf(doc: GraphDocument): string {
    return typeof doc.meta?.title === 'string' ? doc.meta.title : '';
  }
}
