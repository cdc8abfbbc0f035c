/**
 * NWChem's settings (campaign tier `settings`, `cascade qm run --set`): the schema, and the spec's settings
 * read through it. A setting left out leaves NWChem's own default.
 */
import { z } from 'zod';
import type { CalcSpec } from '../../template.js';
import { intBetween, oneOf, optimizeOnly, positiveInt, positiveNumber, readSettings } from '../settings.js';

/** NWChem's own defaults, for the deck, the handlers and messages. */
export const NWCHEM_DEFAULT_ITERATIONS = 30;
export const NWCHEM_DEFAULT_MAX_STEPS = 20;

export const NwchemSettings = z
  .strictObject({
    iterations: positiveInt().optional().describe('Maximum SCF iterations (NWChem default 30)'),
    convergence: positiveNumber()
      .optional()
      .describe('SCF energy convergence threshold in hartree (NWChem default 1e-6)'),
    damp: intBetween(0, 99, 'an integer percentage from 0 to 99')
      .optional()
      .describe('Density damping: percent of the old density mixed in (0-99), for dampCycles iterations'),
    dampCycles: positiveInt()
      .optional()
      .describe('Iterations damping stays on (default: all of them; NWChem default 2); needs damp'),
    levelShift: positiveNumber()
      .optional()
      .describe('Level shift of the virtual orbitals in hartree, applied in every iteration'),
    grid: oneOf(['xcoarse', 'coarse', 'medium', 'fine', 'xfine', 'huge'])
      .optional()
      .describe('XC integration grid (NWChem default medium)'),
    maxSteps: positiveInt()
      .optional()
      .describe('Maximum optimisation steps (DRIVER maxiter, NWChem default 20; optimisations only)'),
    optConvergence: oneOf(['loose', 'default', 'tight'])
      .optional()
      .describe('DRIVER convergence criteria set (optimisations only)'),
    basisType: oneOf(['spherical', 'cartesian'])
      .optional()
      .describe(
        'Cartesian or spherical d, f, ... functions (default: Cartesian for Pople sets, else spherical)',
      ),
    memory: positiveInt().optional().describe('Total memory in MB (NWChem default 400)'),
  })
  .describe('NWChem settings: iterations, convergence, damp, dampCycles, levelShift, grid, maxSteps, ...');
export type NwchemSettings = z.output<typeof NwchemSettings>;

/** Names people reach for, and what this template calls them. */
const SETTING_HINTS: Record<string, string> = {
  lshift: 'levelShift',
  maxiter: 'iterations (SCF) or maxSteps (optimisation)',
  convergenceEnergy: 'convergence',
};

/** The spec's settings, checked; throws InvalidInputError. */
export function nwchemSettings(spec: CalcSpec): NwchemSettings {
  const s = readSettings('nwchem', NwchemSettings, spec.settings, { hints: SETTING_HINTS });
  optimizeOnly('nwchem', 'maxSteps', s.maxSteps, spec);
  optimizeOnly('nwchem', 'optConvergence', s.optConvergence, spec);
  return s;
}
