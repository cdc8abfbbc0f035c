/**
 * A campaign's objectives and constraints as the rest of cascade reads them: the list (a one-objective file
 * has a list of one), which properties need a surrogate of their own, and the feasible results' Pareto front
 * and hypervolume. Configs recorded before `objectives` and `constraints` existed (workflow histories, stored
 * campaigns) have the single objective and no constraint. Pure.
 */
import { type Bound, meetsAll } from '../acquisition/feasibility.js';
import { observedHypervolume } from '../acquisition/multi-objective.js';
import type { PropertyValues } from '../domain/objective.js';
import {
  hypervolume as hypervolumeOfScores,
  type ParetoObjective,
  paretoFront,
  referencePoint,
  toScores,
} from '../domain/pareto.js';
import type { FrontState } from './progress.js';
import { type CampaignConfig, type ObjectiveItemConfig, Property } from './schema.js';

type Objectives = Pick<CampaignConfig, 'objective'> &
  Partial<Pick<CampaignConfig, 'objectives' | 'constraints'>>;

/** Every objective, the first being `objective`. */
export function objectivesOf(c: Objectives): ObjectiveItemConfig[] {
  return c.objectives && c.objectives.length > 0 ? c.objectives : [c.objective];
}

export function constraintsOf(c: Objectives): Bound[] {
  return c.constraints ?? [];
}

export function isMultiObjective(c: Objectives): boolean {
  return objectivesOf(c).length > 1;
}

/** Whether the pool must carry each molecule's SA score (an objective or a constraint names it). */
export function needsSaScore(c: Objectives): boolean {
  return [...objectivesOf(c), ...constraintsOf(c)].some((o) => o.property === 'saScore');
}

/**
 * Tier properties beside the first objective that a surrogate must predict: later objectives and constrained
 * properties. The SA score is known for every candidate and needs none.
 */
export function modelledProperties(c: Objectives): string[] {
  const tierProperties = Property.options as readonly string[];
  const out: string[] = [];
  for (const o of [...objectivesOf(c).slice(1), ...constraintsOf(c)]) {
    if (o.property === c.objective.property || !tierProperties.includes(o.property)) continue;
    if (!out.includes(o.property)) out.push(o.property);
  }
  return out;
}

/** The objectives as the Pareto code reads them. */
export function paretoObjectives(c: Objectives): ParetoObjective[] {
  return objectivesOf(c).map((o) => ({
    direction: o.direction,
    ...(o.reference !== undefined ? { reference: o.reference } : {}),
  }));
}

/** Whether a result's values meet the campaign's constraints (always, when it has none). */
export function feasible(c: Objectives, values: PropertyValues | undefined): boolean {
  const bounds = constraintsOf(c);
  return bounds.length === 0 || (values !== undefined && meetsAll(bounds, values));
}

/** The rows (one value per objective) of results that meet the constraints and report every objective. */
export function observedRows(c: Objectives, results: readonly { values?: PropertyValues }[]): number[][] {
  const objectives = objectivesOf(c);
  const rows: number[][] = [];
  for (const r of results) {
    if (!r.values || !feasible(c, r.values)) continue;
    const row = objectives.map((o) => r.values?.[o.property]);
    if (row.every((v): v is number => v !== undefined && Number.isFinite(v))) rows.push(row);
  }
  return rows;
}

/**
 * The hypervolume of the feasible results in score space, against `reference` (score space; the campaign fixes
 * one when its first results come in, so the figure only grows) or else the corner the results imply.
 */
export function hypervolumeOf(
  c: Objectives,
  results: readonly { values?: PropertyValues }[],
  reference?: readonly number[],
): number {
  return observedHypervolume(
    { objectives: paretoObjectives(c), observed: observedRows(c, results) },
    reference,
  );
}

/** The hypervolume's corner in score space: the objectives' own references, else implied by these results. */
export function referenceOf(c: Objectives, results: readonly { values?: PropertyValues }[]): number[] {
  const objectives = paretoObjectives(c);
  return referencePoint(objectives, toScores(objectives, observedRows(c, results)));
}

/**
 * The front after a round: the previous front's points and the round's feasible last-tier results, reduced to
 * those nothing dominates, with the hypervolume against the front's corner (fixed by the first results: the
 * objectives' references, else 10% beyond the worst of them). Small: a front, not every result.
 */
export function nextFront(
  c: Objectives,
  previous: FrontState | undefined,
  results: readonly { idx: number; label: string; status: string; values?: PropertyValues }[],
): FrontState {
  const objectives = objectivesOf(c);
  const fresh = results.flatMap((r) => {
    if (r.status !== 'ok' || !feasible(c, r.values)) return [];
    const values = objectives.map((o) => r.values?.[o.property]);
    return values.every((v): v is number => v !== undefined && Number.isFinite(v))
      ? [{ idx: r.idx, label: r.label, values }]
      : [];
  });
  const all = [
    ...(previous?.points ?? []),
    ...fresh.filter((f) => !previous?.points.some((p) => p.idx === f.idx)),
  ];
  const pareto = paretoObjectives(c);
  const scores = toScores(
    pareto,
    all.map((p) => p.values),
  );
  const reference =
    previous && !previous.reference.some(Number.isNaN) ? previous.reference : referencePoint(pareto, scores);
  const onFront = paretoFront(scores);
  const points = onFront.map((i) => all[i] as FrontState['points'][number]);
  const hypervolume = reference.some(Number.isNaN)
    ? 0
    : hypervolumeOfScores(
        onFront.map((i) => scores[i] as number[]),
        reference,
      );
  return { points, hypervolume, reference };
}
