// Adam (Kingma & Ba) with bias correction, updating a latent in place. Moments are kept in
// float64 so hundreds of small steps do not round away.

export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
}

export class Adam {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;

  constructor(
    readonly size: number,
    options: AdamOptions = {},
  ) {
    if (!Number.isInteger(size) || size < 1)
      throw new Error(`Adam: the parameter count must be a whole number ≥ 1, got ${size}`);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    for (const [name, b] of [
      ['beta1', this.beta1],
      ['beta2', this.beta2],
    ] as const) {
      if (!(b >= 0 && b < 1)) throw new Error(`Adam: ${name} must be in [0, 1), got ${b}`);
    }
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  /** Steps taken so far. */
  get steps(): number {
    return this.t;
  }

  /** One update of `params` (in place) along `grad` with learning rate `lr`. */
  step(params: Float32Array | Float64Array, grad: ArrayLike<number>, lr: number): void {
    if (params.length !== this.size || grad.length !== this.size) {
      throw new Error(`Adam: expected ${this.size} parameters and gradients, got ${params.length} and ${grad.length}`);
    }
    for (let i = 0; i < this.size; i++) {
      if (!Number.isFinite(grad[i]!))
        throw new Error(`Adam: the gradient is not finite (${grad[i]}) at index ${i} on step ${this.t + 1}`);
    }
    this.t++;
    const { beta1, beta2, eps, m, v } = this;
    const correction1 = 1 - beta1 ** this.t;
    const correction2 = 1 - beta2 ** this.t;
    for (let i = 0; i < this.size; i++) {
      const g = grad[i]!;
      m[i] = beta1 * m[i]! + (1 - beta1) * g;
      v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
      params[i]! -= (lr * (m[i]! / correction1)) / (Math.sqrt(v[i]! / correction2) + eps);
    }
  }

  reset(): void {
    this.m.fill(0);
    this.v.fill(0);
    this.t = 0;
  }
}
