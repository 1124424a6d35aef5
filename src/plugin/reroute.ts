// The reroute extension: points a user puts on a wire to route it. Double-click a wire to add a
// point there, drag a point to move it, double-click a point to take it out. The wire is drawn
// through its points with the same curve as a plain wire, segment by segment.
//
// Written here rather than with rete-connection-reroute-plugin, which the project does not depend
// on: what it needs is small (a path through points and draggable dots) and the document keeps the
// points by the input a wire feeds, which that plugin's pin ids would have to be mapped onto anyway.
import type { NodeEditor } from 'rete';
import type { DocReroute, GraphDocument } from '../engine/graph/document.js';
import type { ClipPaeLitPlugin } from './render.js';
import { removablePipes } from './pipes.js';
import type { ClipPaeArea, ClipPaeSchemes } from './types.js';

type Point = { x: number; y: number };

/** A smooth wire through `points`: the classic curve (control points pulled out horizontally) per segment. */
export function pathThrough(points: readonly Point[], curvature = 0.3): string {
  let d = `M ${points[0]!.x} ${points[0]!.y}`;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const pull = Math.abs(b.x - a.x) * curvature;
    d += ` C ${a.x + pull} ${a.y} ${b.x - pull} ${b.y} ${b.x} ${b.y}`;
  }
  return d;
}

/** Where a new point goes among `pins` so the route stays shortest: the segment it lengthens least. */
export function insertionIndex(start: Point, pins: readonly Point[], end: Point, at: Point): number {
  const route = [start, ...pins, end];
  const dist = (p: Point, q: Point) => Math.hypot(p.x - q.x, p.y - q.y);
  let best = 0;
  let bestCost = Infinity;
  for (let i = 0; i < route.length - 1; i++) {
    const cost = dist(route[i]!, at) + dist(at, route[i + 1]!) - dist(route[i]!, route[i + 1]!);
    if (cost < bestCost) [best, bestCost] = [i, cost];
  }
  return best;
}

export interface Reroutes {
  /** The points on the wire with `connectionId`, in order from output to input. */
  points(connectionId: string): Point[];
  setPoints(connectionId: string, points: Point[]): void;
  toDocument(): Pick<GraphDocument, 'reroutes'>;
  load(doc: GraphDocument): void;
  destroy(): void;
}

export function reroutes(
  editor: NodeEditor<ClipPaeSchemes>,
  area: ClipPaeArea,
  render: ClipPaeLitPlugin,
  onChange: () => void,
): Reroutes {
  const pins = new Map<string, Point[]>();
  const dots = new Map<string, HTMLElement[]>();
  // The ends of each wire as last drawn, to place a new point on the right segment.
  const ends = new Map<string, [Point, Point]>();

  const drawDots = (id: string) => {
    for (const dot of dots.get(id) ?? []) area.area.content.remove(dot);
    dots.delete(id);
    const list = pins.get(id) ?? [];
    const made = list.map((p, i) => {
      const dot = document.createElement('div');
      dot.className = 'clip-pae-reroute';
      dot.dataset.connection = id;
      dot.dataset.index = String(i);
      dot.style.cssText =
        'position:absolute;width:14px;height:14px;margin:-7px 0 0 -7px;border-radius:50%;' +
        'background:#e4e6eb;border:2px solid #17191d;cursor:move;z-index:5;';
      dot.style.transform = `translate(${p.x}px, ${p.y}px)`;
      dot.addEventListener('pointerdown', (e) => startDrag(e, id, i, dot));
      dot.addEventListener('dblclick', (e) => {
        e.stopPropagation();
        const next = [...(pins.get(id) ?? [])];
        next.splice(i, 1);
        setPoints(id, next);
        onChange();
      });
      area.area.content.add(dot);
      return dot;
    });
    if (made.length) dots.set(id, made);
  };

  const redraw = (id: string) => {
    drawDots(id);
    void area.update('connection', id);
  };

  const setPoints = (id: string, points: Point[]) => {
    if (points.length)
      pins.set(
        id,
        points.map((p) => ({ x: p.x, y: p.y })),
      );
    else pins.delete(id);
    redraw(id);
  };

  const startDrag = (e: PointerEvent, id: string, index: number, dot: HTMLElement) => {
    e.stopPropagation();
    e.preventDefault();
    const move = (ev: PointerEvent) => {
      area.area.setPointerFrom(ev);
      const list = pins.get(id);
      if (!list?.[index]) return;
      list[index] = { ...area.area.pointer };
      dot.style.transform = `translate(${list[index]!.x}px, ${list[index]!.y}px)`;
      void area.update('connection', id);
    };
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      onChange();
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };

  const wireUnder = (event: Event): string | undefined => {
    const path = event.composedPath();
    for (const [id, view] of area.connectionViews) if (path.includes(view.element)) return id;
    return undefined;
  };
  const onDoubleClick = (event: MouseEvent) => {
    const id = wireUnder(event);
    if (!id) return;
    event.stopPropagation();
    area.area.setPointerFrom(event);
    const at = { ...area.area.pointer };
    const list = [...(pins.get(id) ?? [])];
    const [start, end] = ends.get(id) ?? [at, at];
    list.splice(insertionIndex(start, list, end, at), 0, at);
    setPoints(id, list);
    onChange();
  };
  area.container.addEventListener('dblclick', onDoubleClick, true);

  const unpipe = removablePipes([editor, area, render], () => {
    render.addPipe((context: any) => {
      if (context?.type !== 'connectionpath') return context;
      const { payload, points } = context.data as { payload: { id: string }; points: Point[] };
      ends.set(payload.id, [points[0]!, points[points.length - 1]!]);
      const list = pins.get(payload.id);
      if (!list?.length) return context;
      return { ...context, data: { ...context.data, path: pathThrough([points[0]!, ...list, points[1]!]) } };
    });
    editor.addPipe((context) => {
      if (context.type === 'connectionremoved') {
        const id = context.data.id;
        for (const dot of dots.get(id) ?? []) area.area.content.remove(dot);
        dots.delete(id);
        pins.delete(id);
        ends.delete(id);
      }
      return context;
    });
  });

  const clear = () => {
    for (const id of [...dots.keys()]) for (const dot of dots.get(id) ?? []) area.area.content.remove(dot);
    dots.clear();
    pins.clear();
  };

  return {
    points: (id) => (pins.get(id) ?? []).map((p) => ({ ...p })),
    setPoints,
    toDocument() {
      const reroutes: DocReroute[] = [];
      for (const c of editor.getConnections()) {
        const list = pins.get(c.id);
        if (!list?.length) continue;
        reroutes.push({
          to: { node: c.target, input: String(c.targetInput) },
          points: list.map((p): [number, number] => [Math.round(p.x * 10) / 10, Math.round(p.y * 10) / 10]),
        });
      }
      return reroutes.length ? { reroutes } : {};
    },
    load(doc) {
      clear();
      for (const r of doc.reroutes ?? []) {
        const wire = editor
          .getConnections()
          .find((c) => c.target === r.to.node && String(c.targetInput) === r.to.input);
        if (wire)
          setPoints(
            wire.id,
            r.points.map(([x, y]) => ({ x, y })),
          );
      }
    },
    destroy() {
      area.container.removeEventListener('dblclick', onDoubleClick, true);
      const ids = [...pins.keys()];
      clear();
      unpipe();
      for (const id of ids) if (area.connectionViews.has(id)) void area.update('connection', id);
    },
  };
}
