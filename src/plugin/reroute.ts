// The reroute extension: points a user puts on a wire to route it, through
// rete-connection-reroute-plugin (the points and the path through them) drawn by the LitPlugin's
// reroute preset (the draggable dots). Double-click a wire to add a point there, drag a point to
// move it, double-click or right-click a point to take it out. Given the editor's selector, a
// pressed point is selected (Ctrl: added to the selection) and moves with the rest of it.
//
// The plugin adds a point on any press on a wire, right-clicks (the wire's menu) and the two
// presses of a double-click included. Presses on a wire are kept from it here, and a double-click
// adds the point through the plugin's `add`. The document keeps the points by the input a wire
// feeds (an input takes one wire); the plugin keys them by connection id, which is mapped here.
import { Presets } from '@retejs/lit-plugin';
import type { NodeEditor } from 'rete';
import { RerouteExtensions, ReroutePlugin } from 'rete-connection-reroute-plugin';
import type { DocReroute, GraphDocument } from '../engine/graph/document.js';
import { removablePipes } from './pipes.js';
import type { ClipPaeLitPlugin } from './render.js';
import type { Selection } from './selection.js';
import type { ClipPaeArea, ClipPaeSchemes } from './types.js';

type Point = { x: number; y: number };

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

/** The signal a press on a wire travels as past the reroute plugin, unwrapped right after it. */
const HELD_PRESS = 'clip-pae-wire-press';

export interface Reroutes {
  readonly plugin: ReroutePlugin<ClipPaeSchemes>;
  /** The points on the wire with `connectionId`, in order from output to input. */
  points(connectionId: string): Point[];
  setPoints(connectionId: string, points: readonly Point[]): void;
  /** Lets a pressed point join the editor's selection (Ctrl: add to it), so it moves with it. */
  selectable(selection: Pick<Selection, 'selector' | 'accumulating'>): void;
  toDocument(): Pick<GraphDocument, 'reroutes'>;
  /** Replaces every point with those of a validated document (its wires already in the editor). */
  load(doc: GraphDocument): void;
  destroy(): void;
}

export function reroutes(
  editor: NodeEditor<ClipPaeSchemes>,
  area: ClipPaeArea,
  render: ClipPaeLitPlugin,
  onChange: () => void,
): Reroutes {
  const plugin = new ReroutePlugin<ClipPaeSchemes>();
  // The ends of each wire as last drawn, to place a new point on the right segment.
  const ends = new Map<string, [Point, Point]>();
  // The point last pressed: a double-click on a dot is heard on the canvas, which cannot tell which dot.
  let pressed: string | undefined;
  let selectPoints = false;

  const redraw = (connectionId: string) => {
    if (area.connectionViews.has(connectionId)) void area.update('connection', connectionId);
  };
  const removePoint = async (pinId: string) => {
    if (!plugin.pins.getPin(pinId)) return;
    await plugin.remove(pinId);
    onChange();
  };
  const wireUnder = (event: Event): string | undefined => {
    const path = event.composedPath();
    for (const [id, view] of area.connectionViews) if (path.includes(view.element)) return id;
    return undefined;
  };

  const presetsBefore = render.presets.length;
  const unpipe = removablePipes([editor, area, render], () => {
    render.addPreset(
      Presets.reroute.setup<ClipPaeSchemes, any>({
        translate: (id, dx, dy) => void plugin.translate(id, dx, dy),
        contextMenu: (id) => void removePoint(id),
        pointerdown: (id) => {
          pressed = id;
          if (!selectPoints) return;
          // Unselected first, so an already selected point is picked again (the one a drag follows).
          void plugin.unselect(id).then(() => plugin.select(id));
        },
      }),
    );
    render.addPipe((context: any) => {
      if (context?.type === 'connectionpath') {
        const { payload, points } = context.data as { payload: { id: string }; points: Point[] };
        ends.set(payload.id, [points[0]!, points[points.length - 1]!]);
      }
      if (context?.type === 'pointerdown' && wireUnder(context.data.event)) return { type: HELD_PRESS, data: context };
      return context;
    });
    render.use(plugin);
    render.addPipe((context: any) => (context?.type === HELD_PRESS ? context.data : context));
    plugin.addPipe((context) => {
      if (context.type === 'pintranslated') onChange();
      return context;
    });
    editor.addPipe((context) => {
      if (context.type === 'connectionremoved') ends.delete(context.data.id);
      return context;
    });
  });
  const ours = render.presets.slice(presetsBefore);

  const onDoubleClick = (event: MouseEvent) => {
    const path = event.composedPath();
    if (path.some((el) => el instanceof HTMLElement && el.localName === 'rete-pin')) {
      event.stopPropagation();
      if (pressed) void removePoint(pressed);
      return;
    }
    const id = wireUnder(event);
    if (!id) return;
    event.stopPropagation();
    area.area.setPointerFrom(event);
    const at = { ...area.area.pointer };
    const [start, end] = ends.get(id) ?? [at, at];
    const index = insertionIndex(
      start,
      plugin.pins.getPins(id).map((p) => p.position),
      end,
      at,
    );
    plugin.add(id, at, index);
    onChange();
  };
  area.container.addEventListener('dblclick', onDoubleClick, true);

  const clear = () => {
    const wires = new Set<string>();
    for (const pin of plugin.pins.getPins()) {
      if (pin.selected) void plugin.unselect(pin.id);
      plugin.pins.remove(pin.id);
      wires.add(pin.connectionId);
    }
    for (const id of wires) redraw(id);
  };

  const setPoints = (connectionId: string, points: readonly Point[]) => {
    for (const pin of plugin.pins.getPins(connectionId)) {
      if (pin.selected) void plugin.unselect(pin.id);
      plugin.pins.remove(pin.id);
    }
    for (const p of points) plugin.add(connectionId, { x: p.x, y: p.y });
    redraw(connectionId);
  };

  return {
    plugin,
    points: (id) => plugin.pins.getPins(id).map((p) => ({ ...p.position })),
    setPoints,
    selectable(selection) {
      selectPoints = true;
      RerouteExtensions.selectablePins(plugin, selection.selector, selection.accumulating);
    },
    toDocument() {
      const reroutes: DocReroute[] = [];
      for (const c of editor.getConnections()) {
        const pins = plugin.pins.getPins(c.id);
        if (!pins.length) continue;
        reroutes.push({
          to: { node: c.target, input: String(c.targetInput) },
          points: pins.map(({ position: p }): [number, number] => [
            Math.round(p.x * 10) / 10,
            Math.round(p.y * 10) / 10,
          ]),
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
      const wires = new Set(plugin.pins.getPins().map((p) => p.connectionId));
      clear();
      // The dots' containers, one per drawn wire, which the plugin takes out only with their wire.
      for (const { pinContainer } of plugin.pinParents.values()) {
        void area.emit({ type: 'unmount', data: { element: pinContainer } });
        area.area.content.remove(pinContainer);
      }
      plugin.pinParents.clear();
      plugin.pinContainers.clear();
      unpipe();
      for (const preset of ours) {
        const at = render.presets.indexOf(preset);
        if (at >= 0) render.presets.splice(at, 1);
      }
      for (const id of wires) redraw(id);
    },
  };
}
