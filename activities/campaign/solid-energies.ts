/**
 * Per-atom energies of a crystal from an Elk tier: the total energy per atom, and the formation energy per atom
 * against elemental references computed with the same code, functional and settings:
 *
 *   E_f = (E_cell - sum_i n_i mu_i) / N,   mu_i = the energy per atom of element i's reference cell.
 *
 * The references are one-atom fcc cells (spin-unpolarised, as the tier runs), at the lowest energy of a short
 * scan of the lattice constant: REFERENCE_SCALES times the cell of activities/cbs/cells.ts (nearest neighbours at
 * 1.1 x twice the covalent radius, the basis-set data set's element cells). Without the scan the covalent cell
 * compresses the molecular elements: O at 1.39 A from 12 neighbours put MgO's formation energy at -16 eV/atom.
 * This is a reference chosen for consistency, not each element's ground state: for elements whose stable form is
 * a molecule (O2, N2, F2, Cl2) the fcc scan ends near separate, non-spin-polarised atoms, above the molecule by
 * about its binding energy per atom; for metals whose lattice is not fcc, by the fcc-to-ground-state difference
 * (tens of meV). E_f is thereby shifted by a constant per element: formation energies rank compounds of the same
 * elements correctly, but oxides, nitrides and halides come out more negative than experiment or the Materials
 * Project. A tier with an rgkmax ladder settles on the energy at the data set's reference rgkmax, so the
 * references run at that rgkmax.
 * The references go through the calculation cache: each is computed once per store, whichever campaign asks.
 */
import type { ElkTierConfig } from '../../lib/campaign/schema.js';
import { compositionOf } from '../../lib/chem/composition.js';
import type { Crystal } from '../../lib/domain/geometry.js';
import { EV_PER_HARTREE } from '../../lib/domain/units.js';
import { NO_USAGE, sumUsage } from '../../lib/domain/usage.js';
import { fccLattice } from '../../qm/structure.js';
import type { CalcOutputs } from '../../qm/template.js';
import { elementCell } from '../cbs/cells.js';
import type { CalculationResult } from '../qm/calculate.js';

/**
 * Formation energies beyond this (eV/atom, either sign) are refused as a calculation gone wrong: real compounds
 * lie within about -5..+3, and these references shift them by a few eV/atom at most. Seen: zinc-blende MgO at
 * rgkmax 5 converged with a total energy 33 Ha above rock salt's (+455 eV/atom), its gap unremarkable.
 */
export const PLAUSIBLE_FORMATION_EV = 10;

/** The fcc lattice constants scanned for a reference, as multiples of the covalent-radius cell's. */
export const REFERENCE_SCALES = [1, 1.12, 1.25, 1.4];

/** The one-atom fcc cells of an element's reference scan. */
export function referenceCells(symbol: string): Crystal[] {
  const base = elementCell(symbol);
  return REFERENCE_SCALES.map((f) => ({
    ...base.crystal,
    lattice: fccLattice(Math.round(base.latticeConstantBohr * f * 1e4) / 1e4),
  }));
}

/** A reference's energy per atom (hartree) and the result it came from. */
export interface ElementReference {
  energyPerAtom: number;
  resultKey: string;
}

/**
 * The tier the elemental references run at: its own settings, or, for a tier with an rgkmax ladder, those at the
 * rgkmax whose energy the ladder settles on (the CBS data set's reference).
 */
export function referenceTier(tier: ElkTierConfig, ladderReference?: number): ElkTierConfig {
  const { cbs, ...plain } = tier;
  return cbs && ladderReference !== undefined
    ? { ...plain, settings: { ...plain.settings, rgkmax: ladderReference } }
    : plain;
}

/**
 * The result with `energyPerAtom` and `formationEnergy` (eV/atom) added to its outputs, and the references'
 * resources added to its usage; a reference that failed leaves formationEnergy out and says why in a warning.
 */
export async function withSolidEnergies(
  crystal: Crystal,
  result: CalculationResult,
  /** Runs one cell of an element's reference scan (through the cache). */
  reference: (symbol: string, cell: Crystal) => Promise<CalculationResult>,
): Promise<CalculationResult> {
  const out = result.record.outputs as CalcOutputs | undefined;
  if (result.record.status !== 'ok' || !out) return result;
  const atoms = crystal.symbols.length;
  const composition = compositionOf(crystal.symbols);
  const refs: Record<string, ElementReference> = {};
  const warnings: string[] = [];
  const spent: CalculationResult[] = [];
  for (const symbol of Object.keys(composition).sort()) {
    let best: ElementReference | undefined;
    let failure: string | undefined;
    for (const cell of referenceCells(symbol)) {
      const r = await reference(symbol, cell);
      spent.push(r);
      const e = r.record.outputs?.totalEnergy;
      if (r.record.status !== 'ok' || typeof e !== 'number') {
        failure ??= r.record.failure?.message ?? 'no energy';
        continue;
      }
      if (!best || e < best.energyPerAtom) best = { energyPerAtom: e, resultKey: r.record.key };
    }
    // a scan point that failed (an SCF at a stretched cell) is no reason to drop the others; none at all is
    if (best) refs[symbol] = best;
    else warnings.push(`no formation energy: every ${symbol} reference cell (fcc) failed: ${failure}`);
  }
  const known = Object.keys(composition).every((s) => refs[s] !== undefined);
  const formation = known
    ? ((out.totalEnergy -
        Object.entries(composition).reduce(
          (sum, [s, n]) => sum + n * (refs[s] as ElementReference).energyPerAtom,
          0,
        )) /
        atoms) *
      EV_PER_HARTREE
    : undefined;
  const usage = sumUsage([result.usage, ...spent.map((r) => r.usage)]);
  if (formation !== undefined && Math.abs(formation) > PLAUSIBLE_FORMATION_EV) {
    return {
      ...result,
      usage,
      record: {
        ...result.record,
        status: 'failed',
        failure: {
          kind: 'implausible-energy',
          message: `formation energy ${formation.toFixed(1)} eV/atom is not physical: the SCF settled in a wrong state (e.g. ghost states; try settings.autoLinearisationEnergies)`,
          retryable: false,
          class: 'deterministic',
        },
      },
    };
  }
  return {
    ...result,
    usage,
    record: {
      ...result.record,
      outputs: {
        ...out,
        energyPerAtom: (out.totalEnergy / atoms) * EV_PER_HARTREE,
        ...(formation !== undefined && { formationEnergy: formation }),
        formationReferences: refs,
        warnings: [...(out.warnings ?? []), ...warnings],
      },
    },
  };
}

/** One run per reference cell at a time in this process: a batch's crystals share their elements. */
const running = new Map<string, Promise<CalculationResult>>();

/**
 * Runs `run` unless the same reference is running in this process already; then waits for it, and gets its
 * result as a cache hit (its resources are counted once, by the evaluation that ran it).
 */
export async function sharedReference(
  key: string,
  run: () => Promise<CalculationResult>,
): Promise<CalculationResult> {
  const known = running.get(key);
  if (known) return { ...(await known), cached: true, usage: { ...NO_USAGE } };
  const p = run().finally(() => running.delete(key));
  running.set(key, p);
  return p;
}
