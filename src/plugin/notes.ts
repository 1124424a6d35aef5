// The notes extension: frames (a titled rectangle around a group of nodes, which moves them with
// it) and comments (a free note on the canvas), through rete-comment-plugin. They are saved in the
// document's `frames` and `comments`. Right-click a note to edit its text; an empty text removes it.
// Given the editor's selector, a click selects a note (Ctrl+click adds it to the selection).
import type { NodeEditor } from 'rete';
import { type Comment, CommentExtensions, CommentPlugin, FrameComment } from 'rete-comment-plugin';
import type { DocComment, DocFrame, GraphDocument } from '../engine/graph/document.js';
import { measureNodes } from './node-sizes.js';
import { removablePipes } from './pipes.js';
import type { Selection } from './selection.js';
import type { ClipPaeArea, ClipPaeSchemes } from './types.js';

export interface Notes {
  readonly plugin: CommentPlugin<any, any>;
  /** A comment at `position` (canvas units); its id is fresh unless given. */
  addComment(text: string, position: [number, number], id?: string): string;
  /** A frame around `nodes`; a node already in another frame leaves it. */
  addFrame(text: string, nodes: readonly string[], id?: string): string;
  remove(id: string): void;
  /** Lets a click select frames and notes along with nodes, in the editor's selection. */
  selectable(selection: Pick<Selection, 'selector' | 'accumulating'>): void;
  /** The frames and notes selected (none before `selectable`). */
  selected(): string[];
  /** Adds frames and notes to the selection. */
  select(ids: readonly string[]): Promise<void>;
  toDocument(): Pick<GraphDocument, 'comments' | 'frames'>;
  /** Replaces every note with those of a validated document. */
  load(doc: GraphDocument): Promise<void>;
  destroy(): void;
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

export function notes(
  editor: NodeEditor<ClipPaeSchemes>,
  area: ClipPaeArea,
  options: { onChange(): void; edit?(text: string): Promise<string | null> },
): Notes {
  const ask = options.edit ?? (async (text: string) => prompt('Note', text));
  const plugin = new CommentPlugin<any, any>({
    edit: async (comment) => {
      const text = await ask(comment.text);
      if (text === null) return comment.text;
      // The plugin sets the text after this returns; an emptied note is taken away after that.
      if (text.trim() === '') setTimeout(() => remove(comment.id), 0);
      return text;
    },
  });
  const unpipe = removablePipes([editor, area], () => {
    area.use(plugin);
    plugin.addPipe((context) => {
      if (
        context.type === 'commentcreated' ||
        context.type === 'commentremoved' ||
        context.type === 'commenttranslated' ||
        context.type === 'editcomment'
      )
        options.onChange();
      return context;
    });
  });
  // A node dropped into or out of a frame changes the frame's nodes, which the plugin does quietly.
  const onDragged = () => {
    if ([...plugin.comments.values()].some((c) => c instanceof FrameComment)) options.onChange();
  };
  area.container.addEventListener('pointerup', onDragged);

  let counter = 0;
  const freshId = (base: string) => {
    for (;;) {
      const id = `${base}-${++counter}`;
      if (!plugin.comments.has(id)) return id;
    }
  };
  // The plugin makes up random ids; documents keep readable, stable ones.
  const rekey = (comment: Comment, id: string) => {
    plugin.comments.delete(comment.id);
    comment.id = id;
    comment.nested.dataset.noteId = id;
    plugin.comments.set(id, comment);
  };
  const remove = (id: string) => plugin.delete(id);
  const addComment = (text: string, position: [number, number], id = freshId('note')) => {
    const comment = plugin.addInline(text, position);
    rekey(comment, id);
    comment.nested.classList.add('clip-pae-note');
    return id;
  };
  const addFrame = (text: string, nodes: readonly string[], id = freshId('frame')) => {
    measureNodes(editor, area);
    for (const other of plugin.comments.values()) {
      if (other instanceof FrameComment && other.links.some((n) => nodes.includes(n))) {
        other.linkTo(other.links.filter((n) => !nodes.includes(n)));
        void other.resize();
      }
    }
    const frame = plugin.addFrame(text, [...nodes]);
    rekey(frame, id);
    frame.nested.classList.add('clip-pae-frame');
    void frame.resize();
    return id;
  };

  let selector: Selection['selector'] | undefined;
  const entity = (id: string) => ({ id, label: 'comment' });

  return {
    plugin,
    addComment,
    addFrame,
    remove,
    selectable(selection) {
      selector = selection.selector;
      CommentExtensions.selectable(plugin, selection.selector, selection.accumulating);
    },
    selected: () => [...plugin.comments.keys()].filter((id) => selector?.isSelected(entity(id))),
    async select(ids) {
      if (!selector) return;
      for (const id of ids) {
        const comment = plugin.comments.get(id);
        if (!comment) continue;
        // As the plugin's selectable extension selects a picked note, without unselecting the rest.
        await selector.add(
          {
            ...entity(id),
            translate: (dx, dy) => plugin.translate(id, dx, dy),
            unselect: () => plugin.unselect(id),
          },
          true,
        );
        comment.select();
      }
    },
    toDocument() {
      const comments: DocComment[] = [];
      const frames: DocFrame[] = [];
      for (const c of plugin.comments.values()) {
        if (c instanceof FrameComment) frames.push({ id: c.id, text: c.text, nodes: [...c.links] });
        else comments.push({ id: c.id, text: c.text, position: [round(c.x), round(c.y)] });
      }
      const part: Pick<GraphDocument, 'comments' | 'frames'> = {};
      if (comments.length) part.comments = comments;
      if (frames.length) part.frames = frames;
      return part;
    },
    async load(doc) {
      plugin.clear();
      for (const c of doc.comments ?? []) addComment(c.text, c.position, c.id);
      // Frames are drawn around their nodes, which must be drawn (and measured) first. Lit draws
      // them in a task after they are added; a timer, unlike an animation frame, also runs in a
      // background tab.
      await new Promise((resolve) => setTimeout(resolve, 0));
      for (const f of doc.frames ?? []) addFrame(f.text, f.nodes, f.id);
    },
    destroy() {
      area.container.removeEventListener('pointerup', onDragged);
      plugin.clear();
      unpipe();
    },
  };
}
