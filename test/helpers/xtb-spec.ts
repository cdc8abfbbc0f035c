import type { CalcSpec } from '../../qm/template.js';

/** A GFN2 single point on a neutral closed-shell molecule, with any field overridden. */
export const gfn2Spec = (over: Partial<CalcSpec> = {}): CalcSpec => ({
  code: 'xtb',
  method: 'gfn2',
  task: 'energy',
  charge: 0,
  multiplicity: 1,
  settings: {},
  ...over,
});
