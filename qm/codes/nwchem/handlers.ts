/**
 * Restart handlers for NWChem, run by `runWithHandlers` (activities/qm/handlers.ts), highest priority first:
 * more SCF iterations, then damping, then a level shift; an optimisation out of steps gets more steps from
 * where it stopped.
 */
import type { CalcSpec, RestartHandler } from '../../template.js';
import { withSettings } from '../settings.js';
import { NWCHEM_DEFAULT_ITERATIONS, NWCHEM_DEFAULT_MAX_STEPS } from './settings.js';

/** Upper bounds: past these a handler gives up rather than escalate further. */
export const NWCHEM_HANDLER_LIMITS = { iterations: 300, damp: 70, levelShift: 1.0, maxSteps: 200 };

const current = (spec: CalcSpec, key: string, fallback: number): number => {
  const v = spec.settings[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
};

/**
 * Slow but steady SCFs only need more iterations: three times as many, at least 100 and at most 300.
 * Nothing about the result changes, so it goes first.
 */
function moreIterations(spec: CalcSpec): CalcSpec | undefined {
  const now = current(spec, 'iterations', NWCHEM_DEFAULT_ITERATIONS);
  if (now >= NWCHEM_HANDLER_LIMITS.iterations) return undefined;
  const next = Math.min(Math.max(now * 3, 100), NWCHEM_HANDLER_LIMITS.iterations);
  return withSettings(spec, { iterations: next });
}

/**
 * Oscillating SCFs settle when part of the old density is mixed into the new: 40 %, then 70 %, throughout
 * the run (NWChem's default damps only the first 2 iterations). Damping slows convergence, so it also
 * makes sure of at least 100 iterations.
 */
function damping(spec: CalcSpec): CalcSpec | undefined {
  const now = current(spec, 'damp', 0);
  const next = [40, NWCHEM_HANDLER_LIMITS.damp].find((d) => d > now);
  if (next === undefined) return undefined;
  const iterations = Math.max(current(spec, 'iterations', NWCHEM_DEFAULT_ITERATIONS), 100);
  const { dampCycles: _dropped, ...settings } = spec.settings;
  return { ...spec, settings: { ...settings, damp: next, iterations } };
}

/**
 * A level shift of the virtual orbitals (0.5 Eh, then 1.0 Eh) stops occupied and virtual orbitals from
 * swapping between iterations, the usual trouble with small HOMO-LUMO gaps. Converges slowly, hence last,
 * with at least 100 iterations.
 */
function levelShift(spec: CalcSpec): CalcSpec | undefined {
  const now = current(spec, 'levelShift', 0);
  const next = [0.5, NWCHEM_HANDLER_LIMITS.levelShift].find((l) => l > now);
  if (next === undefined) return undefined;
  const iterations = Math.max(current(spec, 'iterations', NWCHEM_DEFAULT_ITERATIONS), 100);
  return withSettings(spec, { levelShift: next, iterations });
}

/**
 * An optimisation that runs out of steps gets twice as many (at most 200). Restarting from where it stopped
 * is the caller's job: this returns only the spec, and runWithHandlers starts the next attempt from the
 * failure's `lastGeometry` (the geometry NWChem printed last), which the parser fills in.
 */
function moreSteps(spec: CalcSpec): CalcSpec | undefined {
  const now = current(spec, 'maxSteps', NWCHEM_DEFAULT_MAX_STEPS);
  if (now >= NWCHEM_HANDLER_LIMITS.maxSteps) return undefined;
  return withSettings(spec, { maxSteps: Math.min(now * 2, NWCHEM_HANDLER_LIMITS.maxSteps) });
}

export const nwchemHandlers: RestartHandler[] = [
  {
    name: 'nwchem-more-iterations',
    handles: ['scf-not-converged'],
    priority: 30,
    maxRestarts: 1,
    apply: moreIterations,
  },
  { name: 'nwchem-damping', handles: ['scf-not-converged'], priority: 20, maxRestarts: 2, apply: damping },
  {
    name: 'nwchem-level-shift',
    handles: ['scf-not-converged'],
    priority: 10,
    maxRestarts: 2,
    apply: levelShift,
  },
  {
    name: 'nwchem-more-steps',
    handles: ['opt-not-converged'],
    priority: 10,
    maxRestarts: 2,
    apply: moreSteps,
  },
];
