import type { CalcSpec } from '../../qm/template.js';

/** A B3LYP/6-31G* single point on a neutral closed-shell molecule, with any field overridden. */
export const b3lypSpec = (over: Partial<CalcSpec> = {}): CalcSpec => ({
  code: 'nwchem',
  method: 'b3lyp',
  basis: '6-31G*',
  task: 'energy',
  charge: 0,
  multiplicity: 1,
  settings: {},
  ...over,
});
