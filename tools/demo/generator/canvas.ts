// Soft 2-D drawing as ONNX ops: shapes are signed distances over constant coordinate grids, turned
// into coverage with a sigmoid, and painted back to front. Every step is differentiable, so the
// image has gradients with respect to every shape and colour parameter.
// Grids are a row x [1,1,1,S] and a column y [1,1,S,1] that broadcast to [N,1,S,S] only where a
// shape needs both, which keeps a 128 px face down to a few hundred small ops.
import type { GraphBuilder } from '../../../src/engine/onnx/builder.js';
import type { DType } from '../../../src/engine/onnx/model.js';

/** A graph value (its name) or a constant. */
export type Value = string | number;
export type RGB = readonly [number, number, number];

export class Canvas {
  /** x from −1 (left) to 1 (right), [1,1,1,S]. */
  readonly x: string;
  /** y from −1 (top) to 1 (bottom), [1,1,S,1]. */
  readonly y: string;
  private image: string | null = null;
  private readonly scalars = new Map<number, string>();

  constructor(
    readonly g: GraphBuilder,
    readonly size: number,
    /** Sigmoid temperature of edges, in grid units (a pixel is 2·view/size). */
    readonly edge: number,
    /** The image shows [−view, view]² of the drawing's coordinates (below 1 zooms in). */
    readonly view = 1,
    readonly dtype: DType = 'float32',
  ) {
    const coords = Array.from({ length: size }, (_, i) => this.coord(i));
    this.x = g.constant(dtype, [1, 1, 1, size], coords, 'grid_x');
    this.y = g.constant(dtype, [1, 1, size, 1], coords, 'grid_y');
  }

  /** The drawing coordinate of pixel centre i. */
  coord(i: number): number {
    return (((i + 0.5) / this.size) * 2 - 1) * this.view;
  }

  /**
   * A constant grid over the image from f(x, y), [1,1,S,S] (for textures that cannot be separated),
   * averaged over 4×4 points per pixel so that fine textures do not alias at small sizes.
   */
  grid(f: (x: number, y: number) => number, hint = 'grid'): string {
    const S = this.size;
    const k = 4;
    const step = (2 * this.view) / S;
    const v = new Float32Array(S * S);
    for (let i = 0; i < S; i++) {
      for (let j = 0; j < S; j++) {
        let acc = 0;
        for (let a = 0; a < k; a++) {
          for (let b = 0; b < k; b++)
            acc += f(this.coord(j) + ((b + 0.5) / k - 0.5) * step, this.coord(i) + ((a + 0.5) / k - 0.5) * step);
        }
        v[i * S + j] = acc / (k * k);
      }
    }
    return this.g.constant(this.dtype, [1, 1, S, S], v, hint);
  }

  /** A constant row [1,1,1,S] = f(x) or column [1,1,S,1] = f(y). */
  row(f: (x: number) => number, hint = 'row'): string {
    return this.g.constant(
      this.dtype,
      [1, 1, 1, this.size],
      Array.from({ length: this.size }, (_, j) => f(this.coord(j))),
      hint,
    );
  }

  column(f: (y: number) => number, hint = 'column'): string {
    return this.g.constant(
      this.dtype,
      [1, 1, this.size, 1],
      Array.from({ length: this.size }, (_, i) => f(this.coord(i))),
      hint,
    );
  }

  v(a: Value): string {
    if (typeof a === 'string') return a;
    if (!Number.isFinite(a)) throw new Error(`internal: non-finite constant ${a}`);
    let name = this.scalars.get(a);
    if (!name) {
      name = this.g.constant(this.dtype, [1, 1, 1, 1], [a], 'k');
      this.scalars.set(a, name);
    }
    return name;
  }

  add(a: Value, b: Value): Value {
    if (typeof a === 'number' && typeof b === 'number') return a + b;
    if (a === 0) return b;
    if (b === 0) return a;
    return this.g.op('Add', [this.v(a), this.v(b)]);
  }

  sub(a: Value, b: Value): Value {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    if (b === 0) return a;
    return this.g.op('Sub', [this.v(a), this.v(b)]);
  }

  mul(a: Value, b: Value): Value {
    if (typeof a === 'number' && typeof b === 'number') return a * b;
    if (a === 1) return b;
    if (b === 1) return a;
    return this.g.op('Mul', [this.v(a), this.v(b)]);
  }

  div(a: Value, b: Value): Value {
    if (typeof a === 'number' && typeof b === 'number') return a / b;
    if (typeof b === 'number') return this.mul(a, 1 / b);
    return this.g.op('Div', [this.v(a), this.v(b)]);
  }

  /** a + b·c */
  mad(a: Value, b: Value, c: Value): Value {
    return this.add(a, this.mul(b, c));
  }

  lerp(a: Value, b: Value, t: Value): Value {
    return this.add(a, this.mul(this.sub(b, a), t));
  }

  sq(a: Value): Value {
    return typeof a === 'number' ? a * a : this.g.op('Mul', [a, a]);
  }

  unary(op: 'Sqrt' | 'Abs' | 'Relu' | 'Sigmoid' | 'Tanh' | 'Neg' | 'Exp', a: Value): string {
    return this.g.op(op, [this.v(a)]);
  }

  sqrt(a: Value): string {
    return this.unary('Sqrt', a);
  }
  abs(a: Value): string {
    return this.unary('Abs', a);
  }
  relu(a: Value): string {
    return this.unary('Relu', a);
  }
  sigmoid(a: Value): string {
    return this.unary('Sigmoid', a);
  }

  /** Coverage of a region with signed distance d (negative inside). `soft` widens the edge. */
  inside(d: Value, soft = 1): string {
    return this.sigmoid(this.mul(d, -1 / (this.edge * soft)));
  }

  /** Signed distance of a band of half-width w around the curve d = 0. */
  band(d: Value, w: Value): Value {
    return this.sub(this.abs(d), w);
  }

  /** Intersection, union and difference of coverages. */
  and(...a: Value[]): Value {
    return a.reduce((p, q) => this.mul(p, q));
  }

  or(a: Value, b: Value): Value {
    return this.sub(this.add(a, b), this.mul(a, b));
  }

  minus(a: Value, b: Value): Value {
    return this.mul(a, this.sub(1, b));
  }

  /**
   * Approximate signed distance to an ellipse, (f − 1)/|∇f| with f = (dx/rx)² + (dy/ry)²: exact on
   * the outline to first order, so thin ellipses keep crisp edges. dx, dy may be warped coordinates.
   */
  ellipse(dx: Value, dy: Value, rx: Value, ry: Value): Value {
    const u2 = this.sq(this.div(dx, rx));
    const v2 = this.sq(this.div(dy, ry));
    const f = this.add(u2, v2);
    const gx = this.div(u2, this.sq(rx));
    const gy = this.div(v2, this.sq(ry));
    const grad = this.sqrt(this.add(this.add(gx, gy), 1e-2));
    return this.div(this.sub(f, 1), this.mul(grad, 2));
  }

  /** A colour [N,3,1,1] (or [1,3,1,1]) that is c0 + Σ tᵢ (cᵢ − c0): colours interpolated by parameters. */
  colour(c0: RGB, ...terms: [RGB, Value][]): string {
    let out: Value = this.g.constant(this.dtype, [1, 3, 1, 1], c0, 'rgb');
    for (const [c, t] of terms) {
      const dir = this.g.constant(this.dtype, [1, 3, 1, 1], [c[0] - c0[0], c[1] - c0[1], c[2] - c0[2]], 'rgb_dir');
      out = this.mad(out, t, dir);
    }
    return this.v(out);
  }

  /** A colour with constant channels. */
  rgb(c: RGB): string {
    return this.g.constant(this.dtype, [1, 3, 1, 1], c, 'rgb');
  }

  fill(colour: Value): void {
    this.image = this.v(colour);
  }

  /** Paints colour over the image where alpha is: image += alpha · (colour − image). */
  paint(alpha: Value, colour: Value): void {
    if (this.image === null) throw new Error('internal: fill the canvas before painting on it');
    this.image = this.g.op('Add', [
      this.image,
      this.g.op('Mul', [this.v(alpha), this.g.op('Sub', [this.v(colour), this.image])]),
    ]);
  }

  /** Multiplies the image by a shading factor where alpha is. */
  shade(alpha: Value, factor: Value): void {
    this.paint(alpha, this.mul(this.current(), factor));
  }

  current(): string {
    if (this.image === null) throw new Error('internal: the canvas is empty');
    return this.image;
  }
}
