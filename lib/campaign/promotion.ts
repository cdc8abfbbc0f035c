/** Which candidates climb to the next tier. Pure: the workflow calls it on small summaries. */
import type { PromotionRule } from './schema.js';

export interface TierOutcome {
  idx: number;
  status: 'ok' | 'failed';
  value?: number;
}

/**
 * Without a rule every success climbs. `top` keeps the best fraction of the successes (at least one);
 * `threshold` keeps those at least (maximize) or at most (minimize) as good as the threshold. Ties keep the
 * candidate order, so the choice is deterministic.
 */
export function promote(
  outcomes: TierOutcome[],
  rule: PromotionRule | undefined,
  direction: 'maximize' | 'minimize',
): number[] {
  const ok = outcomes.filter(
    (o): o is TierOutcome & { value: number } => o.status === 'ok' && o.value !== undefined,
  );
  if (!rule) return ok.map((o) => o.idx);
  const better = (a: number, b: number) => (direction === 'maximize' ? b - a : a - b);
  if ('threshold' in rule) {
    return ok
      .filter((o) => (direction === 'maximize' ? o.value >= rule.threshold : o.value <= rule.threshold))
      .map((o) => o.idx);
  }
  const n = Math.max(1, Math.ceil(rule.top * ok.length));
  return [...ok]
    .sort((a, b) => better(a.value, b.value))
    .slice(0, ok.length === 0 ? 0 : n)
    .map((o) => o.idx);
}
