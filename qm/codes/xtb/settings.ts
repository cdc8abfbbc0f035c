/**
 * xtb's settings (campaign tier `settings`, `cascade qm run --set`): the schema, and the spec's settings read
 * through it. Defaults are xtb's own; a setting left out is not passed.
 */
import { z } from 'zod';
import type { CalcSpec } from '../../template.js';
import { oneOf, optimizeOnly, positiveInt, positiveNumber, readSettings } from '../settings.js';

/** xtb's `--opt` convergence levels, loosest first. */
export const XTB_OPT_LEVELS = [
  'crude',
  'sloppy',
  'loose',
  'lax',
  'normal',
  'tight',
  'vtight',
  'extreme',
] as const;

export const XtbSettings = z
  .strictObject({
    iterations: positiveInt().optional().describe('Maximum SCC iterations (xtb default 250)'),
    accuracy: positiveNumber()
      .optional()
      .describe('Numerical accuracy multiplier (xtb default 1.0; smaller is tighter)'),
    electronicTemperature: positiveNumber()
      .optional()
      .describe('Electronic temperature in kelvin for Fermi smearing (xtb default 300)'),
    cycles: positiveInt().optional().describe('Maximum optimisation cycles (optimisations only)'),
    optLevel: oneOf(XTB_OPT_LEVELS)
      .optional()
      .describe('Optimisation convergence level, passed as --opt <level> (optimisations only)'),
  })
  .describe('xtb settings: iterations, accuracy, electronicTemperature, cycles, optLevel');
export type XtbSettings = z.output<typeof XtbSettings>;

/** The spec's settings, checked; throws InvalidInputError. */
export function xtbSettings(spec: CalcSpec): XtbSettings {
  const s = readSettings('xtb', XtbSettings, spec.settings);
  optimizeOnly('xtb', 'cycles', s.cycles, spec);
  optimizeOnly('xtb', 'optLevel', s.optLevel, spec);
  return s;
}
