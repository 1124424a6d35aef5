// StyleCLIP's learning-rate schedule: a linear warm-up over the first `rampup` of the run and a
// cosine decay to zero over the last `rampdown`.
//   ramp = min(1, (1 − t)/rampdown); ramp = 0.5 − 0.5 cos(π ramp); ramp *= min(1, t/rampup)

export interface ScheduleOptions {
  rampup?: number;
  rampdown?: number;
}

/** The learning rate at progress t = step/steps ∈ [0, 1]. */
export function styleClipLr(t: number, lr: number, options: ScheduleOptions = {}): number {
  const rampup = options.rampup ?? 0.05;
  const rampdown = options.rampdown ?? 0.25;
  if (!(t >= 0 && t <= 1)) throw new Error(`learning-rate schedule: progress must be in [0, 1], got ${t}`);
  if (!(rampup > 0) || !(rampdown > 0))
    throw new Error(`learning-rate schedule: rampup and rampdown must be > 0, got ${rampup} and ${rampdown}`);
  let ramp = Math.min(1, (1 - t) / rampdown);
  ramp = 0.5 - 0.5 * Math.cos(Math.PI * ramp);
  ramp *= Math.min(1, t / rampup);
  return lr * ramp;
}

/** The learning rate for step `step` (0-based) of `steps`. */
export function learningRateAt(step: number, steps: number, lr: number, options?: ScheduleOptions): number {
  if (!Number.isInteger(steps) || steps < 1)
    throw new Error(`learning-rate schedule: steps must be a whole number ≥ 1, got ${steps}`);
  if (!Number.isInteger(step) || step < 0 || step > steps)
    throw new Error(`learning-rate schedule: step must be a whole number in [0, ${steps}], got ${step}`);
  return styleClipLr(step / steps, lr, options);
}
