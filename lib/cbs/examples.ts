/**
 * From data-set rows to learning examples: for every compound and every ladder basis, the basis-set error per atom
 * ΔE = (E(basis) - E(reference)) / atoms (hartree/atom), the features a model may use, and the baselines'
 * predictions of the same quantity.
 *
 * Features use only what is known once that basis has been run: the basis-size parameter (rgkmax or the cardinal
 * number X), the composition (Magpie-style statistics), the prototype for solids, the cheap calculation's own
 * outputs (band gap / HOMO, LUMO), and the energy step from the next smaller basis on the ladder where that one
 * was run (an escalation ladder has always run it), with a flag saying whether it exists.
 */

import { COMPOSITION_FEATURE_NAMES, compositionFeatures, compositionOf } from '../chem/composition.js';
import { MEV_PER_HARTREE as HARTREE_MEV } from '../domain/units.js';
import { literatureAlpha, stoichiometricError, type TwoPointForm, twoPoint } from './baselines.js';
import type { MoleculeRow, SolidRow } from './rows.js';

export interface Example {
  /** The compound (formula or SMILES): cross-validation keeps a compound's examples together. */
  group: string;
  /** rgkmax or cardinal number. */
  basisSize: number;
  features: number[];
  /** hartree/atom. */
  target: number;
  /** Each baseline's prediction of the target, where it can make one. */
  baselines: Record<string, number | undefined>;
}

export interface ExampleSet {
  featureNames: string[];
  examples: Example[];
  /** Compounds left out, and why. */
  dropped: { group: string; reason: string }[];
  /**
   * What the baselines read: the same basis only (solids: the elements at that rgkmax), or the compound's whole
   * ladder (molecules: the two-point formulas use DZ and TZ for every row, DZ's included).
   */
  baselinesRead: 'same basis' | 'whole ladder';
}

/** Energies further than this from the reference (hartree/atom) are a broken calculation, not a basis-set error. */
export const ABSURD_ERROR = 1;
/** A ladder energy this far below the reference (hartree/atom) means the reference is not converged. */
export const BELOW_REFERENCE = 1e-3;

/** The prototypes of the solid data set, in the order of their one-hot features. */
export const SOLID_PROTOTYPES = ['rockSalt', 'zincBlende', 'cesiumChloride', 'fcc'] as const;

type Row = SolidRow | MoleculeRow;

function groupBy<R extends Row>(rows: readonly R[], key: (r: R) => string): Map<string, R[]> {
  const out = new Map<string, R[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k) ?? [];
    list.push(r);
    out.set(k, list);
  }
  return out;
}

/** The ladder rows (ok, ascending basis size) and the reference energy per atom, or why the compound is unusable. */
function ladderOf<R extends Row>(
  rows: R[],
  size: (r: R) => number,
): { ladder: R[]; refPerAtom: number } | string {
  const ref = rows.find((r) => r.role === 'reference');
  if (ref?.status !== 'ok' || ref.energyPerAtom === null) return 'no converged reference';
  const ladder = rows
    .filter((r) => r.role === 'ladder' && r.status === 'ok' && r.energyPerAtom !== null)
    .sort((a, b) => size(a) - size(b));
  if (ladder.length === 0) return 'no ladder result';
  for (const r of ladder) {
    const d = (r.energyPerAtom as number) - ref.energyPerAtom;
    if (Math.abs(d) > ABSURD_ERROR) return `basis ${size(r)}: ${d.toFixed(3)} Ha/atom from the reference`;
    if (d < -BELOW_REFERENCE)
      return `basis ${size(r)} is ${(-d * 1000).toFixed(2)} mHa/atom below the reference`;
  }
  return { ladder, refPerAtom: ref.energyPerAtom };
}

/** Per-ladder-row features shared by solids and molecules: size, step from the previous basis, its flag. */
function ladderFeatures<R extends Pick<Row, 'energyPerAtom'>>(
  ladder: readonly R[],
  i: number,
  size: (r: R) => number,
): number[] {
  const r = ladder[i] as R;
  const prev = i > 0 ? (ladder[i - 1] as R) : undefined;
  const step = prev ? ((r.energyPerAtom as number) - (prev.energyPerAtom as number)) * 1000 : 0;
  return [size(r), prev ? 1 : 0, step, prev ? size(r) - size(prev) : 0];
}

const LADDER_FEATURE_NAMES = ['basisSize', 'hasPrevious', 'stepFromPrevious_mHaPerAtom', 'sizeIncrement'];

const ELEMENTS_KNOWN = 'elementsKnown';
const ELEMENTS_ERROR = 'asinhElementsError_meV';

export const SOLID_FEATURE_NAMES = [
  ...LADDER_FEATURE_NAMES,
  'bandGap_eV',
  ELEMENTS_KNOWN,
  ELEMENTS_ERROR,
  ...SOLID_PROTOTYPES.map((p) => `prototype.${p}`),
  ...COMPOSITION_FEATURE_NAMES,
];

/** Each element's basis-set error per atom (hartree) at each rgkmax, from the data set's usable element ladders. */
export type ElementErrors = ReadonlyMap<string, ReadonlyMap<number, number>>;

export function elementErrorsOf(rows: readonly SolidRow[]): ElementErrors {
  const out = new Map<string, Map<number, number>>();
  for (const [symbol, list] of groupBy(
    rows.filter((r) => r.kind === 'element'),
    (r) => r.compound,
  )) {
    const l = ladderOf(list, (r) => r.rgkmax);
    if (typeof l === 'string') continue;
    out.set(symbol, new Map(l.ladder.map((r) => [r.rgkmax, (r.energyPerAtom as number) - l.refPerAtom])));
  }
  return out;
}

/** What one rgkmax of a crystal's ladder gave: enough to compute its features. */
export type SolidRung = Pick<SolidRow, 'rgkmax' | 'energyPerAtom' | 'bandGap'>;

/** What a crystal's features need besides its ladder, computed once per crystal. */
export interface SolidCompound {
  /** compositionOf(species). */
  composition: Readonly<Record<string, number>>;
  /** compositionFeatures(composition). */
  compositionFeatures: readonly number[];
  /** One of SOLID_PROTOTYPES; anything else, or none, gives an all-zero one-hot. */
  prototype?: string;
}

/** The stoichiometric estimate of a crystal's error per atom at one rgkmax, where every element's is known. */
export function solidStoichiometric(
  compound: Pick<SolidCompound, 'composition'>,
  rgkmax: number,
  elementErrors: ElementErrors,
): number | undefined {
  return stoichiometricError(compound.composition, (s) => elementErrors.get(s)?.get(rgkmax));
}

/**
 * Features of the last rung of a crystal's ladder so far (ascending rgkmax). Shared by the data set and the
 * rgkmax escalation ladder, so a model trained on one reads the other.
 */
export function solidFeatures(
  ladder: readonly SolidRung[],
  compound: SolidCompound,
  elementErrors: ElementErrors,
): number[] {
  const r = ladder[ladder.length - 1];
  if (!r || r.energyPerAtom === null) throw new Error('a ladder needs a finished rgkmax');
  const stoichiometric = solidStoichiometric(compound, r.rgkmax, elementErrors);
  return [
    ...ladderFeatures(ladder, ladder.length - 1, (x) => x.rgkmax),
    r.bandGap ?? 0,
    stoichiometric === undefined ? 0 : 1,
    Math.asinh((stoichiometric ?? 0) * HARTREE_MEV),
    ...SOLID_PROTOTYPES.map((p) => (compound.prototype === p ? 1 : 0)),
    ...compound.compositionFeatures,
  ];
}

export function solidExamples(rows: readonly SolidRow[]): ExampleSet {
  const size = (r: SolidRow) => r.rgkmax;
  const elementErrors = elementErrorsOf(rows);
  const examples: Example[] = [];
  const dropped: ExampleSet['dropped'] = [];
  for (const [compound, list] of groupBy(
    rows.filter((r) => r.kind === 'binary'),
    (r) => r.compound,
  )) {
    const l = ladderOf(list, size);
    if (typeof l === 'string') {
      dropped.push({ group: compound, reason: l });
      continue;
    }
    const composition = compositionOf(l.ladder[0]?.species ?? []);
    const solid = {
      composition,
      compositionFeatures: compositionFeatures(composition),
      prototype: l.ladder[0]?.prototype,
    };
    l.ladder.forEach((r, i) => {
      examples.push({
        group: compound,
        basisSize: r.rgkmax,
        features: solidFeatures(l.ladder.slice(0, i + 1), solid, elementErrors),
        target: (r.energyPerAtom as number) - l.refPerAtom,
        baselines: { stoichiometric: solidStoichiometric(solid, r.rgkmax, elementErrors) },
      });
    });
  }
  return {
    featureNames: SOLID_FEATURE_NAMES,
    examples,
    dropped,
    baselinesRead: 'same basis',
  };
}

/**
 * Where a set's features carry the stoichiometric estimate (solids), the indices the model's anchored forest
 * reads (activities/cbs/model.ts); undefined for sets without it.
 */
export function elementsAnchor(
  featureNames: readonly string[],
): { known: number; asinhMeV: number } | undefined {
  const known = featureNames.indexOf(ELEMENTS_KNOWN);
  const asinhMeV = featureNames.indexOf(ELEMENTS_ERROR);
  return known < 0 || asinhMeV < 0 ? undefined : { known, asinhMeV };
}

export const MOLECULE_BASELINES: readonly TwoPointForm[] = ['exp-sqrt', 'halkier'];

/** What one basis of a molecule's ladder gave: enough to compute its features. */
export type MoleculeRung = Pick<MoleculeRow, 'cardinal' | 'energyPerAtom' | 'bandGap' | 'homo' | 'lumo'>;

/**
 * Features of the last rung of a molecule's ladder so far (ascending basis size), given the composition features
 * (compositionFeatures(compositionOf(species))). Shared by the data set and the escalation ladder, so a model
 * trained on one reads the other.
 */
export function moleculeFeatures(ladder: readonly MoleculeRung[], composition: readonly number[]): number[] {
  const r = ladder[ladder.length - 1];
  if (!r || r.cardinal === null || r.energyPerAtom === null)
    throw new Error('a ladder needs a finished basis');
  return [
    ...ladderFeatures(ladder, ladder.length - 1, (x) => x.cardinal ?? Number.NaN),
    r.bandGap ?? 0,
    r.homo ?? 0,
    r.lumo ?? 0,
    ...composition,
  ];
}

export const MOLECULE_FEATURE_NAMES = [
  ...LADDER_FEATURE_NAMES,
  'gap_eV',
  'homo_eV',
  'lumo_eV',
  ...COMPOSITION_FEATURE_NAMES,
];

export function moleculeExamples(rows: readonly MoleculeRow[]): ExampleSet {
  const size = (r: MoleculeRow) => r.cardinal ?? Number.NaN;
  const examples: Example[] = [];
  const dropped: ExampleSet['dropped'] = [];
  for (const [smiles, list] of groupBy(rows, (r) => r.smiles)) {
    const l = ladderOf(list, size);
    if (typeof l === 'string') {
      dropped.push({ group: smiles, reason: l });
      continue;
    }
    const ref = list.find((r) => r.role === 'reference') as MoleculeRow;
    const comp = compositionFeatures(compositionOf(ref.species));
    // two-point baselines from the two smallest ladder bases, evaluated at the reference's cardinal number
    const [lo, hi] = l.ladder;
    const baseline = (form: TwoPointForm): number | undefined => {
      if (!lo || !hi || ref.cardinal === null) return undefined;
      const fit = twoPoint(
        form,
        literatureAlpha(form, size(lo)),
        { x: size(lo), e: lo.energyPerAtom as number },
        { x: size(hi), e: hi.energyPerAtom as number },
      );
      return fit.at(ref.cardinal);
    };
    const predictedRef = Object.fromEntries(MOLECULE_BASELINES.map((f) => [f, baseline(f)]));
    l.ladder.forEach((r, i) => {
      const e = r.energyPerAtom as number;
      examples.push({
        group: smiles,
        basisSize: size(r),
        features: moleculeFeatures(l.ladder.slice(0, i + 1) as MoleculeRung[], comp),
        target: e - l.refPerAtom,
        baselines: Object.fromEntries(
          MOLECULE_BASELINES.map((f) => [f, predictedRef[f] === undefined ? undefined : e - predictedRef[f]]),
        ),
      });
    });
  }
  return {
    featureNames: MOLECULE_FEATURE_NAMES,
    examples,
    dropped,
    baselinesRead: 'whole ladder',
  };
}

/**
 * For compounds with a `check` basis (above the reference): (E(check) - E(reference)) per atom, hartree: the
 * reference's own error. `basis` names the check basis (cc-pV5Z, rgkmax 11).
 */
export function referenceChecks<R extends Row>(
  rows: readonly R[],
  group: (r: R) => string,
  basis: (r: R) => string,
): { group: string; basis: string; error: number }[] {
  const out: { group: string; basis: string; error: number }[] = [];
  for (const [g, list] of groupBy(rows, group)) {
    const ref = list.find((r) => r.role === 'reference' && r.status === 'ok');
    for (const c of list.filter((r) => r.role === 'check' && r.status === 'ok')) {
      if (ref?.energyPerAtom == null || c.energyPerAtom === null) continue;
      out.push({ group: g, basis: basis(c), error: c.energyPerAtom - ref.energyPerAtom });
    }
  }
  return out;
}
