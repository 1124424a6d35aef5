// The Adam settings every node that optimizes shows (Optimize, α Sweep, Learn Direction): the same
// ranges and labels everywhere, so the same knob reads the same on each node; the default and the
// help say what it means there.
import type { ParamDef } from '../../engine/graph/definition.js';

type NumberParam = Extract<ParamDef, { kind: 'number' }>;

/** Steps: a whole number from 1 to 2000. */
export function stepsParam(defaultSteps: number, help: string): NumberParam {
  return { kind: 'number', default: defaultSteps, min: 1, max: 2000, step: 1, integer: true, label: 'Steps', help };
}

/** Learning rate: Adam's (peak) rate, 0.1 by default. */
export function learningRateParam(help: string): NumberParam {
  return { kind: 'number', default: 0.1, min: 0.0001, max: 2, step: 0.01, label: 'Learning rate', help };
}

/** λ L2: the weight of the squared norm that keeps the edit small. */
export function lambdaL2Param(defaultWeight: number, help: string): NumberParam {
  return { kind: 'number', default: defaultWeight, min: 0, max: 10, step: 0.001, label: 'λ L2', help };
}
