/**
 * Ertl & Schuffenhauer's synthetic accessibility score (J. Cheminf. 1:8, 2009) as RDKit's
 * Contrib/SA_Score/sascorer.py computes it (version 1.1: its macrocycle penalty and symmetry correction included),
 * from a molecule's features. 1 is easy to make, 10 very hard.
 *
 * - Fragment score: the mean contribution of the molecule's unfolded Morgan radius-2 ids, weighted by their
 *   counts (an id missing from the table counts -4).
 * - Complexity: minus penalties for size (n^1.005 - n), chiral centres, spiro and bridgehead atoms (log10(k + 1)
 *   each) and log10(2) if any ring has more than 8 atoms.
 * - Symmetry: + 0.5 ln(atoms / distinct ids) when there are more atoms than distinct ids.
 * - The sum is mapped onto 1..10, its upper end smoothed.
 */
import type { FragmentContributions } from './fragment-scores.js';
import type { MorganCounts } from './morgan.js';

export interface SaFeatures {
  /** Atoms of the molecule (RDKit's GetNumAtoms: hydrogens only where they are atoms of the graph). */
  atoms: number;
  /** Unfolded Morgan radius-2 ids with their counts. */
  fragments: MorganCounts;
  /** Tetrahedral centres, assigned or not (FindMolChiralCenters with includeUnassigned). */
  chiralCentres: number;
  spiroAtoms: number;
  bridgeheadAtoms: number;
  /** Rings of more than 8 atoms. */
  macrocycles: number;
}

/** The contribution sascorer.py gives an id that is not in the table. */
export const UNKNOWN_FRAGMENT = -4;

/** The raw score's range that maps onto 10..1. */
const RAW_MIN = -4;
const RAW_MAX = 2.5;

export function saScoreFromFeatures(features: SaFeatures, contributions: FragmentContributions): number {
  let weighted = 0;
  let total = 0;
  for (const [id, count] of features.fragments) {
    weighted += (contributions.get(id) ?? UNKNOWN_FRAGMENT) * count;
    total += count;
  }
  if (total === 0) throw new Error('SA score: a molecule without atoms has no fragments');
  const fragmentScore = weighted / total;

  const n = features.atoms;
  const complexity =
    -(n ** 1.005 - n) -
    Math.log10(features.chiralCentres + 1) -
    Math.log10(features.spiroAtoms + 1) -
    Math.log10(features.bridgeheadAtoms + 1) -
    // sascorer.py departs from the paper's log10(macrocycles + 1): one penalty however many macrocycles
    (features.macrocycles > 0 ? Math.log10(2) : 0);

  const distinct = features.fragments.size;
  const symmetry = n > distinct ? 0.5 * Math.log(n / distinct) : 0;

  return scaleToOneToTen(fragmentScore + complexity + symmetry);
}

/** sascorer.py's transform of the raw score onto 1..10: linear, then logarithmic above 8, then clamped. */
function scaleToOneToTen(raw: number): number {
  let score = 11 - ((raw - RAW_MIN + 1) / (RAW_MAX - RAW_MIN)) * 9;
  if (score > 8) score = 8 + Math.log(score + 1 - 9);
  return Math.min(10, Math.max(1, score));
}
