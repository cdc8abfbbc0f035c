/**
 * What `cascade report` reads beyond `cascade status`: every surrogate of a campaign, the evaluations and ledger
 * lines in the order they were written (how the best grew with calls and energy), each basis ladder's decision,
 * and the versions of the codes that computed the campaign's results.
 */
import type {
  ActivityTierCost,
  CodeVersion,
  LadderRecord,
  ModelRecord,
  TimedCost,
  TimedEvaluation,
} from '../store.js';
import { type Db, query } from './db.js';
import { MODEL_COLUMNS, type ModelRow, modelFromRow } from './models.js';

/** Every model of a campaign, oldest first (their weights left out). */
export async function listModels(db: Db, campaignId: string): Promise<ModelRecord[]> {
  const rows = await query<ModelRow>(
    db,
    `SELECT ${MODEL_COLUMNS} FROM models WHERE campaign_id = $1 ORDER BY round, created_at`,
    [campaignId],
  );
  return rows.map(modelFromRow);
}

/** The campaign's evaluations in the order they were stored (a retried one at its latest write). */
export async function evaluationTimeline(db: Db, campaignId: string): Promise<TimedEvaluation[]> {
  const rows = await query<{
    idx: number;
    tier: string;
    round: number;
    status: 'ok' | 'failed';
    value: number | null;
    values: TimedEvaluation['values'] | null;
    cached: boolean;
    at: string;
  }>(
    db,
    `SELECT idx, tier, round, status, value, values_json AS "values", cached, at FROM evaluations
     WHERE campaign_id = $1 ORDER BY at, seq`,
    [campaignId],
  );
  return rows.map((r) => ({
    idx: r.idx,
    tier: r.tier,
    round: r.round,
    status: r.status,
    ...(r.value !== null ? { value: r.value } : {}),
    ...(r.values ? { values: r.values } : {}),
    cached: r.cached,
    at: r.at,
  }));
}

/** The campaign's ledger lines in the order they were written: when, and what each cost. */
export async function costTimeline(db: Db, campaignId: string): Promise<TimedCost[]> {
  return query<TimedCost>(
    db,
    `SELECT at, cpu_seconds AS "cpuSeconds", energy_joules AS "energyJoules" FROM ledger
     WHERE campaign_id = $1 ORDER BY id`,
    [campaignId],
  );
}

/** Every basis ladder the campaign ran, in round and pool order. */
export async function listLadders(db: Db, campaignId: string): Promise<LadderRecord[]> {
  const rows = await query<{
    campaign_id: string;
    round: number;
    idx: number;
    tier: string;
    bases_run: string[];
    bases_skipped: string[];
    cpu_seconds: number;
    largest_basis_cpu_seconds: number;
    energy: number | null;
    lo: number | null;
    hi: number | null;
    source: string;
  }>(
    db,
    `SELECT campaign_id, round, idx, tier, bases_run, bases_skipped, cpu_seconds, largest_basis_cpu_seconds,
       energy, lo, hi, source FROM cbs_ladders WHERE campaign_id = $1 ORDER BY round, idx, tier`,
    [campaignId],
  );
  return rows.map((r) => ({
    campaignId: r.campaign_id,
    round: r.round,
    idx: r.idx,
    tier: r.tier,
    basesRun: r.bases_run,
    basesSkipped: r.bases_skipped,
    cpuSeconds: r.cpu_seconds,
    largestBasisCpuSeconds: r.largest_basis_cpu_seconds,
    // as the SQLite store reads them: Number(null) is 0
    energy: Number(r.energy),
    lo: Number(r.lo),
    hi: Number(r.hi),
    source: r.source === 'predicted' ? 'predicted' : 'computed',
  }));
}

/** The codes, versions and methods behind the campaign's results, with how many results each produced. */
export async function codeVersions(db: Db, campaignId: string): Promise<CodeVersion[]> {
  return query<CodeVersion>(
    db,
    `SELECT e.tier, q.code, q.code_version AS version, q.method, COUNT(*) AS results FROM evaluations e
     JOIN qm_results q ON q.key = e.result_key
     WHERE e.campaign_id = $1 GROUP BY e.tier, q.code, q.code_version, q.method ORDER BY e.tier, q.code, q.code_version, q.method`,
    [campaignId],
  );
}

/**
 * The ledger summed by activity and tier: a line's own tier where it names one (a candidate's geometry and
 * calculation), else the tier in a calculation's activity name (`qm:<tier>`), else none (first, as SQLite
 * orders NULL).
 */
export async function ledgerByTier(db: Db, campaignId: string): Promise<ActivityTierCost[]> {
  const rows = await query<{
    activity: string;
    tier: string | null;
    cpuSeconds: number;
    energyJoules: number;
  }>(
    db,
    `SELECT activity, COALESCE(tier, CASE WHEN activity LIKE 'qm:%' THEN substr(activity, 4) END) AS tier,
       SUM(cpu_seconds) AS "cpuSeconds", SUM(energy_joules) AS "energyJoules"
     FROM ledger WHERE campaign_id = $1 GROUP BY 1, 2 ORDER BY 1, 2 NULLS FIRST`,
    [campaignId],
  );
  return rows.map(({ tier, ...r }) => (tier === null ? r : { ...r, tier }));
}
