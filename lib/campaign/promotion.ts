/** Which candidates climb to the next tier. Pure: the workflow calls it on small summaries. */
// biome-ignore lint/suspicious/noShadowRestrictedNames: the objective's value in a result, not Object's valueOf
import { type ObjectiveSpec, rank, reaches, valueOf } from '../domain/objective.js';
import type { PromotionRule } from './schema.js';

/** A tier's result as promotion reads it: values per property, or (recorded earlier) the objective's value. */
export interface TierOutcome {
  idx: number;
  status: 'ok' | 'failed';
  values?: Readonly<Record<string, number | undefined>>;
  value?: number;
}

/**
 * Without a rule every success climbs. `top` keeps the best fraction of the successes (at least one);
 * `threshold` keeps those that reach it (at least as good, in the objective's direction). Ties keep the
 * candidate order, so the choice is deterministic.
 */
export function promote(
  outcomes: readonly TierOutcome[],
  rule: PromotionRule | undefined,
  objective: ObjectiveSpec,
): number[] {
  const value = (o: TierOutcome) => valueOf(objective, o);
  const ok = outcomes.filter((o) => o.status === 'ok' && value(o) !== undefined);
  if (!rule) return ok.map((o) => o.idx);
  if ('threshold' in rule) {
    return ok.filter((o) => reaches(objective, value(o) as number, rule.threshold)).map((o) => o.idx);
  }
  const n = Math.max(1, Math.ceil(rule.top * ok.length));
  return rank(objective, ok, value)
    .slice(0, ok.length === 0 ? 0 : n)
    .map((o) => o.idx);
}
