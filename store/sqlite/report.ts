/**
 * What `cascade report` reads beyond `cascade status`: every surrogate of a campaign, the evaluations and ledger
 * lines in the order they were written (how the best grew with calls and energy), each basis ladder's decision,
 * and the versions of the codes that computed the campaign's results.
 */
import { modelDescriptionFrom, modelMetricsFrom } from '../../lib/surrogate/model.js';
import type {
  ActivityTierCost,
  CodeVersion,
  LadderRecord,
  ModelRecord,
  TimedCost,
  TimedEvaluation,
} from '../store.js';
import { type Db, statement } from './db.js';

interface ModelRow {
  id: string;
  campaign_id: string;
  round: number;
  kind: string;
  backend: string;
  description_json: string;
  metrics_json: string;
}

/** Every model of a campaign, oldest first (their weights left out). */
export function listModels(db: Db, campaignId: string): ModelRecord[] {
  const rows = statement(
    db,
    `SELECT id, campaign_id, round, kind, backend, description_json, metrics_json FROM models
     WHERE campaign_id = ? ORDER BY round, created_at`,
  ).all(campaignId) as ModelRow[];
  return rows.map((r) => ({
    id: r.id,
    campaignId: r.campaign_id,
    round: r.round,
    kind: r.kind,
    backend: r.backend,
    description: modelDescriptionFrom(JSON.parse(r.description_json), { kind: r.kind, backend: r.backend }),
    metrics: modelMetricsFrom(JSON.parse(r.metrics_json)),
  }));
}

/** The campaign's evaluations in the order they were stored (a retried one at its latest write). */
export function evaluationTimeline(db: Db, campaignId: string): TimedEvaluation[] {
  const rows = statement(
    db,
    `SELECT idx, tier, round, status, value, values_json AS valuesJson, cached, at FROM evaluations
     WHERE campaign_id = ? ORDER BY at, rowid`,
  ).all(campaignId) as {
    idx: number;
    tier: string;
    round: number;
    status: 'ok' | 'failed';
    value: number | null;
    valuesJson: string | null;
    cached: number;
    at: string;
  }[];
  return rows.map((r) => ({
    idx: r.idx,
    tier: r.tier,
    round: r.round,
    status: r.status,
    ...(r.value !== null ? { value: r.value } : {}),
    ...(r.valuesJson ? { values: JSON.parse(r.valuesJson) } : {}),
    cached: r.cached === 1,
    at: r.at,
  }));
}

/** The campaign's ledger lines in the order they were written: when, and what each cost. */
export function costTimeline(db: Db, campaignId: string): TimedCost[] {
  return statement(
    db,
    `SELECT at, cpu_seconds AS cpuSeconds, energy_joules AS energyJoules FROM ledger
     WHERE campaign_id = ? ORDER BY id`,
  ).all(campaignId) as TimedCost[];
}

/** Every basis ladder the campaign ran, in round and pool order. */
export function listLadders(db: Db, campaignId: string): LadderRecord[] {
  const rows = statement(
    db,
    `SELECT campaign_id, round, idx, tier, bases_run, bases_skipped, cpu_seconds, largest_basis_cpu_seconds,
       energy, lo, hi, source FROM cbs_ladders WHERE campaign_id = ? ORDER BY round, idx, tier`,
  ).all(campaignId) as Record<string, string | number | null>[];
  return rows.map((r) => ({
    campaignId: String(r.campaign_id),
    round: Number(r.round),
    idx: Number(r.idx),
    tier: String(r.tier),
    basesRun: JSON.parse(String(r.bases_run)) as string[],
    basesSkipped: JSON.parse(String(r.bases_skipped)) as string[],
    cpuSeconds: Number(r.cpu_seconds),
    largestBasisCpuSeconds: Number(r.largest_basis_cpu_seconds),
    energy: Number(r.energy),
    lo: Number(r.lo),
    hi: Number(r.hi),
    source: r.source === 'predicted' ? 'predicted' : 'computed',
  }));
}

/** The codes, versions and methods behind the campaign's results, with how many results each produced. */
export function codeVersions(db: Db, campaignId: string): CodeVersion[] {
  return statement(
    db,
    `SELECT e.tier, q.code, q.code_version AS version, q.method, COUNT(*) AS results FROM evaluations e
     JOIN qm_results q ON q.key = e.result_key
     WHERE e.campaign_id = ? GROUP BY e.tier, q.code, q.code_version, q.method ORDER BY e.tier, q.code`,
  ).all(campaignId) as CodeVersion[];
}

/**
 * The ledger summed by activity and tier: a line's own tier where it names one (a candidate's geometry and
 * calculation), else the tier in a calculation's activity name (`qm:<tier>`), else none.
 */
export function ledgerByTier(db: Db, campaignId: string): ActivityTierCost[] {
  const rows = statement(
    db,
    `SELECT activity, COALESCE(tier, CASE WHEN activity LIKE 'qm:%' THEN substr(activity, 4) END) AS tier,
       SUM(cpu_seconds) AS cpuSeconds, SUM(energy_joules) AS energyJoules
     FROM ledger WHERE campaign_id = ? GROUP BY 1, 2 ORDER BY 1, 2`,
  ).all(campaignId) as { activity: string; tier: string | null; cpuSeconds: number; energyJoules: number }[];
  return rows.map(({ tier, ...r }) => (tier === null ? r : { ...r, tier }));
}
