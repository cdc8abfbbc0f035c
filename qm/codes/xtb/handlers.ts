/**
 * Restart handlers for xtb, run by `runWithHandlers` (activities/qm/handlers.ts), highest priority first:
 *
 *   scf-not-converged  30  xtb-more-iterations         iterations x4                          once
 *   scf-not-converged  20  xtb-electronic-temperature  electronicTemperature 300 -> 1000 -> 3000 K  twice
 *   opt-not-converged  10  xtb-more-cycles             cycles x3, from the last geometry       twice
 *
 * Each takes the failed attempt's spec and returns the next one; every other setting is kept, so the handlers
 * compose (a run that still fails after more iterations keeps them at the higher temperature).
 */
import type { CalcFailure, CalcSpec, RestartHandler } from '../../template.js';
import { withSettings } from '../settings.js';

/** xtb's own defaults, for specs that leave the setting out. */
const XTB_DEFAULT_ITERATIONS = 250;
const XTB_DEFAULT_ELECTRONIC_TEMPERATURE = 300;
/** Kelvin; the steps of the electronic-temperature ladder above xtb's 300 K. */
const ELECTRONIC_TEMPERATURES = [1000, 3000];

/**
 * Many SCC runs that stop at the iteration limit are converging slowly, not oscillating. More iterations
 * leave the physics alone, so a success here gives the result a normal run would have given: try it first.
 */
function moreIterations(spec: CalcSpec): CalcSpec {
  const iterations = Number(spec.settings.iterations ?? XTB_DEFAULT_ITERATIONS);
  return withSettings(spec, { iterations: iterations * 4 });
}

/**
 * An SCC that oscillates between near-degenerate frontier orbitals settles once they may be fractionally
 * occupied: a higher electronic temperature (Fermi smearing) does that. The energy then carries an
 * electronic-entropy term and differs from a 300 K one, hence second place; the result's spec says which
 * temperature was used.
 */
function higherElectronicTemperature(spec: CalcSpec): CalcSpec | undefined {
  const current = Number(spec.settings.electronicTemperature ?? XTB_DEFAULT_ELECTRONIC_TEMPERATURE);
  const next = ELECTRONIC_TEMPERATURES.find((t) => t > current);
  return next === undefined ? undefined : withSettings(spec, { electronicTemperature: next });
}

/**
 * An optimisation that runs out of cycles is usually just slow (a flat surface, soft torsions), not stuck.
 * Go on from where it stopped (runWithHandlers restarts from the failure's lastGeometry) with three times the
 * cycles. Without a `cycles` setting xtb chose the limit itself; the xtb template's message names it.
 */
function moreCycles(spec: CalcSpec, failure: CalcFailure): CalcSpec {
  const used = spec.settings.cycles ?? /in (\d+) cycles/.exec(failure.message)?.[1];
  const cycles = Number(used);
  // limit unknown: xtb picks it again, and the restart from the last geometry still gains that many cycles
  return Number.isInteger(cycles) && cycles > 0 ? withSettings(spec, { cycles: cycles * 3 }) : { ...spec };
}

export const xtbHandlers: RestartHandler[] = [
  {
    name: 'xtb-more-iterations',
    handles: ['scf-not-converged'],
    priority: 30,
    maxRestarts: 1,
    apply: moreIterations,
  },
  {
    name: 'xtb-electronic-temperature',
    handles: ['scf-not-converged'],
    priority: 20,
    maxRestarts: 2,
    apply: higherElectronicTemperature,
  },
  {
    name: 'xtb-more-cycles',
    handles: ['opt-not-converged'],
    priority: 10,
    maxRestarts: 2,
    apply: moreCycles,
  },
];
