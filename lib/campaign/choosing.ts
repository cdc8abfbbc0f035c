/**
 * Choosing must pay for itself. A surrogate is worth training only while it costs less than what it saves:
 * the calculations it lets the campaign skip. Two measured yardsticks, both in joules, after every round (a
 * calculation answered from the store is valued at what its tier's calculations cost here on average, so a
 * warm cache does not make every calculation look free):
 * - the batch it chose: a round whose training and screening cost more than the calculations it picked spends
 *   more on deciding than on doing;
 * - the rest of the pool at the cheapest tier: once one more round of choosing costs more than computing every
 *   remaining candidate at tier 1, choosing can no longer save anything there.
 *
 * Under `surrogate.policy: auto` the campaign adapts, cheapest remedy first and one step per round that did not
 * pay: (1) an MLP ensemble gives way to the quantile forest (the same predictions with intervals for a fraction
 * of the CPU); (2) the surrogate is retrained every 2, then 4, then 8 rounds, acquiring from the last model's
 * predictions in between; (3) tier 1 runs exhaustively over what is left (within the call budget, ten batches a
 * round), and the promotion rules alone choose who climbs. `policy: always` keeps training every round and only reports. Pure:
 * the workflow feeds it the round's measured usage.
 */

/** What the policy decided so far; carried in the campaign state (and shown by `cascade status`). */
export interface ChoosingState {
  /** Train every this many rounds (1: every round). */
  retrainEvery: number;
  /** The surrogate kind in use, when the policy replaced the configured one. */
  kind?: string;
  /** Tier 1 runs over the rest of the pool; no more surrogates. */
  exhaustive?: boolean;
  /** The round the last surrogate was trained in. */
  lastTrainedRound?: number;
  /** The calculations computed so far per tier (joules, geometry included, and how many), for their mean cost. */
  tiers: Record<string, Spend>;
  /** The latest round's figures, joules. */
  last?: { round: number; choosingJoules: number; batchJoules: number; restAtTier1Joules?: number };
  /** Whether the latest round's choosing paid for itself, and what was done about it, in words. */
  verdict?: string;
  /** Every adaptation made, in order, for the record. */
  actions: string[];
}

export interface Spend {
  joules: number;
  count: number;
}

export function freshChoosing(): ChoosingState {
  return { retrainEvery: 1, actions: [], tiers: {} };
}

export interface RoundCosts {
  round: number;
  /** Training and screening this round (0 when it did not train). */
  choosingJoules: number;
  /** Per tier, the calculations the round computed (geometry included) and how many it found in the store. */
  computed: Record<string, Spend>;
  cached: Record<string, number>;
  /** The first tier's name, and the candidates not yet evaluated there. */
  firstTier: string;
  remaining: number;
  /** Whether a surrogate was trained this round. */
  trained: boolean;
}

const MAX_RETRAIN_EVERY = 8;

/** Exhaustive rounds evaluate at most this many batches each, so that progress, budgets and stops still apply. */
export const EXHAUSTIVE_BATCHES = 10;

/** Whether this round trains a surrogate: every `retrainEvery` rounds, never once exhaustive. */
export function trainsThisRound(c: ChoosingState, round: number): boolean {
  if (c.exhaustive) return false;
  if (c.lastTrainedRound === undefined) return true;
  return round - c.lastTrainedRound >= c.retrainEvery;
}

/**
 * The policy's next state after a round. `adapt` false (`policy: always`) only records the verdict. A round that
 * did not train costs nothing to choose, so it always pays.
 */
export function afterRound(c: ChoosingState, r: RoundCosts, kind: string, adapt: boolean): ChoosingState {
  const tiers: Record<string, Spend> = { ...c.tiers };
  for (const [tier, spend] of Object.entries(r.computed)) {
    const had = tiers[tier] ?? { joules: 0, count: 0 };
    tiers[tier] = { joules: had.joules + spend.joules, count: had.count + spend.count };
  }
  const mean = (tier: string) => {
    const t = tiers[tier];
    return t && t.count > 0 ? t.joules / t.count : undefined;
  };
  const batchJoules =
    Object.values(r.computed).reduce((sum, t) => sum + t.joules, 0) +
    Object.entries(r.cached).reduce((sum, [tier, n]) => sum + n * (mean(tier) ?? 0), 0);
  const perCandidate = mean(r.firstTier);
  const restAtTier1 = perCandidate === undefined ? undefined : perCandidate * r.remaining;
  const next: ChoosingState = {
    ...c,
    tiers,
    ...(r.trained ? { lastTrainedRound: r.round } : {}),
    actions: [...c.actions],
    last: {
      round: r.round,
      choosingJoules: r.choosingJoules,
      batchJoules,
      ...(restAtTier1 !== undefined ? { restAtTier1Joules: restAtTier1 } : {}),
    },
  };
  const unvalued = Object.entries(r.cached).some(([tier, n]) => n > 0 && mean(tier) === undefined);
  if (unvalued && !c.exhaustive && r.choosingJoules > 0) {
    next.verdict =
      'not judged: the store answered calculations whose cost this campaign has not measured yet';
    return next;
  }
  if (r.choosingJoules <= 0 || c.exhaustive) {
    next.verdict = c.exhaustive ? 'tier 1 runs exhaustively: no surrogate' : 'no training this round';
    return next;
  }
  const beyondRest = restAtTier1 !== undefined && r.choosingJoules > restAtTier1;
  const beyondBatch = r.choosingJoules > batchJoules;
  if (!beyondRest && !beyondBatch) {
    next.verdict = `choosing paid: ${kj(r.choosingJoules)} to pick calculations of ${kj(batchJoules)}`;
    return next;
  }
  const why = beyondRest
    ? `choosing cost ${kj(r.choosingJoules)}, more than the rest of the pool at tier 1 (${kj(restAtTier1 as number)})`
    : `choosing cost ${kj(r.choosingJoules)}, more than the calculations it picked (${kj(batchJoules)})`;
  if (!adapt) {
    next.verdict = `${why} (surrogate.policy: always)`;
    return next;
  }
  let action: string;
  if (beyondRest) {
    next.exhaustive = true;
    action = 'tier 1 runs over the rest of the pool, no more surrogates';
  } else if ((c.kind ?? kind) === 'mlp-ensemble') {
    next.kind = 'qrf';
    action = 'switched the surrogate from mlp-ensemble to qrf';
  } else if (c.retrainEvery < MAX_RETRAIN_EVERY) {
    next.retrainEvery = c.retrainEvery * 2;
    action = `retraining every ${next.retrainEvery} rounds`;
  } else {
    next.exhaustive = true;
    action = 'tier 1 runs over the rest of the pool, no more surrogates';
  }
  next.actions.push(`round ${r.round}: ${action}`);
  next.verdict = `${why}: ${action}`;
  return next;
}

function kj(joules: number): string {
  return joules >= 1000 ? `${(joules / 1000).toFixed(2)} kJ` : `${joules.toFixed(0)} J`;
}
