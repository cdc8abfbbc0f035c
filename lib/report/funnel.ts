/**
 * The tier funnel: per tier, in ladder order, the candidates evaluated there, how they ended (computed, taken
 * from the cache, failed) and how many went on to the next tier. Pure.
 */

export interface FunnelEvaluation {
  idx: number;
  tier: string;
  status: 'ok' | 'failed';
  cached: boolean;
}

export interface FunnelStage {
  tier: string;
  evaluated: number;
  computed: number;
  cached: number;
  failed: number;
  /** Candidates of this tier also evaluated at the next one (absent for the top tier). */
  promoted?: number;
}

export function tierFunnel(
  tiers: readonly string[],
  evaluations: readonly FunnelEvaluation[],
): FunnelStage[] {
  const at = tiers.map((t) => evaluations.filter((e) => e.tier === t));
  return tiers.map((tier, i) => {
    const here = at[i] as FunnelEvaluation[];
    const failed = here.filter((e) => e.status === 'failed').length;
    const cached = here.filter((e) => e.status === 'ok' && e.cached).length;
    const next = at[i + 1];
    const nextIdx = next ? new Set(next.map((e) => e.idx)) : undefined;
    return {
      tier,
      evaluated: here.length,
      computed: here.length - failed - cached,
      cached,
      failed,
      ...(nextIdx ? { promoted: here.filter((e) => nextIdx.has(e.idx)).length } : {}),
    };
  });
}
