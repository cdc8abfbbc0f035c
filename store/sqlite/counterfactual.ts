/**
 * What the brute-force counterfactual reads: what each candidate computed at a tier cost, and the latest
 * surrogate's predictions for the candidates a tier has not evaluated.
 */
import { filterColumns, toPredictions } from '../prediction-columns.js';
import type { Prediction, TierCostRecord } from '../store.js';
import { type Db, statement } from './db.js';
import { getPredictionColumns } from './models.js';

/**
 * A candidate's calculation is its evaluation's CPU time (cache hits and structures that failed left out: they
 * ran nothing); its energy is that CPU time at the joules per CPU-second of the tier's ledger line, the one
 * energy figure the ledger keeps (the evaluation row has none). Where ledger lines name their candidate and
 * tier, the geometry made for it is added.
 */
export function tierCosts(db: Db, campaignId: string): TierCostRecord[] {
  const calls = statement(
    db,
    'SELECT tier, COUNT(*) AS calls FROM evaluations WHERE campaign_id = ? GROUP BY tier ORDER BY tier',
  ).all(campaignId) as { tier: string; calls: number }[];
  const computed = statement(
    db,
    `SELECT tier, idx, cpu_seconds AS cpuSeconds FROM evaluations
     WHERE campaign_id = ? AND cached = 0 AND result_key IS NOT NULL ORDER BY tier, idx`,
  ).all(campaignId) as { tier: string; idx: number; cpuSeconds: number }[];
  const rate = joulesPerCpuSecond(db, campaignId);
  const geometry = geometryByCandidate(db, campaignId);
  return calls.map(({ tier, calls: n }) => {
    const made = geometry.get(tier);
    const perSecond = rate.byTier.get(tier) ?? rate.overall;
    const costs =
      perSecond === undefined
        ? [] // no energy figure anywhere in the campaign's ledger: unmeasured, not zero
        : computed
            .filter((e) => e.tier === tier)
            .map((e) => {
              const g = made?.get(e.idx);
              return {
                idx: e.idx,
                cpuSeconds: e.cpuSeconds + (g?.cpuSeconds ?? 0),
                energyJoules: e.cpuSeconds * perSecond + (g?.energyJoules ?? 0),
              };
            });
    return { tier, calls: n, costs, withGeometry: made !== undefined };
  });
}

/** Joules per CPU-second of each tier's calculations (`qm:<tier>` lines), and of the whole campaign. */
export function joulesPerCpuSecond(
  db: Db,
  campaignId: string,
): { byTier: Map<string, number>; overall: number | undefined } {
  const rows = statement(
    db,
    `SELECT activity, SUM(cpu_seconds) AS cpuSeconds, SUM(energy_joules) AS energyJoules FROM ledger
     WHERE campaign_id = ? GROUP BY activity`,
  ).all(campaignId) as { activity: string; cpuSeconds: number; energyJoules: number }[];
  const byTier = new Map<string, number>();
  let cpu = 0;
  let joules = 0;
  for (const r of rows) {
    cpu += r.cpuSeconds;
    joules += r.energyJoules;
    if (r.activity.startsWith('qm:') && r.cpuSeconds > 0)
      byTier.set(r.activity.slice('qm:'.length), r.energyJoules / r.cpuSeconds);
  }
  return { byTier, overall: cpu > 0 ? joules / cpu : undefined };
}

/**
 * The geometry made for each candidate at each tier, from `geometry` ledger lines that name them; empty while
 * no line names a candidate (entries recorded before lines named them).
 */
function geometryByCandidate(db: Db, campaignId: string): Map<string, Map<number, Cost>> {
  const out = new Map<string, Map<number, Cost>>();
  const rows = statement(
    db,
    `SELECT tier, idx, SUM(cpu_seconds) AS cpuSeconds, SUM(energy_joules) AS energyJoules FROM ledger
     WHERE campaign_id = ? AND activity = 'geometry' AND idx IS NOT NULL AND tier IS NOT NULL GROUP BY tier, idx`,
  ).all(campaignId) as ({ tier: string; idx: number } & Cost)[];
  for (const r of rows) {
    const tier = out.get(r.tier) ?? new Map<number, Cost>();
    tier.set(r.idx, { cpuSeconds: r.cpuSeconds, energyJoules: r.energyJoules });
    out.set(r.tier, tier);
  }
  return out;
}

interface Cost {
  cpuSeconds: number;
  energyJoules: number;
}

/** A model's predictions for the candidates that have no evaluation at `tier` (failed ones count as evaluated). */
export function unevaluatedPredictions(
  db: Db,
  campaignId: string,
  modelId: string,
  tier: string,
): Prediction[] {
  const columns = getPredictionColumns(db, modelId);
  if (!columns) return [];
  const evaluated = new Set(
    statement(db, 'SELECT idx FROM evaluations WHERE campaign_id = ? AND tier = ?')
      .pluck()
      .all(campaignId, tier) as number[],
  );
  return toPredictions(filterColumns(columns, (idx) => !evaluated.has(idx)));
}
