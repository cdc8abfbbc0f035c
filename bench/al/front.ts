/**
 * The multi-objective bench's figure: the hypervolume a campaign's results reach as a fraction of the true
 * front's, the one every labelled molecule of the pool makes. Both are measured against one fixed corner: the
 * objectives' own references where given, else 10% of the whole labelled pool's range beyond its worst value on
 * each axis (pareto.ts's `referencePoint` over every labelled row), so a campaign's figure depends on what it
 * found and nothing else. The campaign's results count at the top tier, successful and feasible (the front a
 * campaign reports).
 *
 * That corner lies far below the front (the pool's worst gap and SA score), so a large part of the volume is
 * reached by any fair sample; a second, stricter figure measures the same against the true front's own nadir
 * (10% of the front's range beyond its worst values), where only points near the front count. Pure.
 */
import { hypervolumeOf, observedRows, paretoObjectives, referenceOf } from '../../lib/campaign/objectives.js';
import type { CampaignConfig } from '../../lib/campaign/schema.js';
import type { PropertyValues } from '../../lib/domain/objective.js';
import { paretoFront, referencePoint, toScores } from '../../lib/domain/pareto.js';

export type FrontConfig = Pick<CampaignConfig, 'objective' | 'objectives' | 'constraints'>;

/** A result as the bench scores it: its values at the top tier, the SA score beside them. */
export interface ScoredResult {
  idx: number;
  status: string;
  values?: PropertyValues;
}

export interface FrontTruth {
  /** The hypervolume's corner in score space (every objective maximised). */
  reference: number[];
  /** The labelled pool's hypervolume against it. */
  hypervolume: number;
  /** Labelled rows that count (feasible, every objective known). */
  rows: number;
  /** The pool indices on the true front (dominated by no other row that counts). */
  front: Set<number>;
  /** The stricter corner: the true front's nadir less 10% of the front's range (score space), and its volume. */
  nadir: { reference: number[]; hypervolume: number };
}

/** The true front of every labelled result (one per molecule, at the top tier) and its fixed corner. */
export function frontTruthOf(config: FrontConfig, labelled: readonly ScoredResult[]): FrontTruth {
  const ok = labelled.filter((r) => r.status === 'ok');
  const reference = referenceOf(config, ok);
  // one row per result that counts, in order, so a front position names its molecule
  const counted = ok.filter((r) => observedRows(config, [r]).length === 1);
  const objectives = paretoObjectives(config);
  const scores = toScores(objectives, observedRows(config, counted));
  const onFront = paretoFront(scores);
  const nadir = referencePoint(
    objectives.map((o) => ({ direction: o.direction })),
    onFront.map((i) => scores[i] as number[]),
  );
  return {
    reference,
    hypervolume: hypervolumeOf(config, ok, reference),
    rows: counted.length,
    front: new Set(onFront.map((i) => (counted[i] as ScoredResult).idx)),
    nadir: { reference: nadir, hypervolume: hypervolumeOf(config, ok, nadir) },
  };
}

export interface FrontFigures {
  hypervolume: number;
  /** The campaign's hypervolume over the true front's: 1 when it found the whole front. */
  fraction: number;
  /** The same against the true front's nadir corner. */
  nadirFraction: number;
  /** Molecules of the true front the campaign evaluated successfully at the top tier. */
  onTrueFront: number;
}

/** A campaign's hypervolume from its results at the top tier, against the true front's corner. */
export function frontFiguresOf(
  config: FrontConfig,
  results: readonly ScoredResult[],
  truth: FrontTruth,
): FrontFigures {
  const ok = results.filter((r) => r.status === 'ok');
  const hypervolume = hypervolumeOf(config, ok, truth.reference);
  return {
    hypervolume,
    fraction: truth.hypervolume > 0 ? hypervolume / truth.hypervolume : Number.NaN,
    nadirFraction:
      truth.nadir.hypervolume > 0
        ? hypervolumeOf(config, ok, truth.nadir.reference) / truth.nadir.hypervolume
        : Number.NaN,
    onTrueFront: new Set(ok.filter((r) => truth.front.has(r.idx)).map((r) => r.idx)).size,
  };
}
