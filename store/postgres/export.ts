/**
 * What `cascade export` reads: each evaluation joined to the QM result that produced it, the host that computed
 * that result, and what the candidate's work at the tier cost. The cost is the ledger lines that name the
 * candidate and tier (its calculation and its geometry); an evaluation no line names (stored before lines named
 * candidates) costs its CPU time at the tier's joules per CPU-second, as the brute-force counterfactual counts it.
 */
import type { EvaluationProvenance, EvaluationRecord, QmFailure } from '../store.js';
import { joulesPerCpuSecond } from './counterfactual.js';
import { type Db, query } from './db.js';

interface Row {
  idx: number;
  tier: string;
  round: number;
  resultKey: string | null;
  status: 'ok' | 'failed';
  value: number | null;
  values: EvaluationRecord['values'] | null;
  message: string | null;
  cached: boolean;
  cpuSeconds: number;
  wallSeconds: number;
  at: string;
  code: string | null;
  codeVersion: string | null;
  method: string | null;
  settings: Record<string, unknown> | null;
  geometryHash: string | null;
  failure: QmFailure | null;
  host: string | null;
}

interface Work {
  cpuSeconds: number;
  energyJoules: number;
  methods: string[];
}

export async function exportEvaluations(db: Db, campaignId: string): Promise<EvaluationProvenance[]> {
  const [rows, work, rate] = await Promise.all([
    query<Row>(
      db,
      `SELECT e.idx, e.tier, e.round, e.result_key AS "resultKey", e.status, e.value, e.values_json AS "values",
         e.message, e.cached, e.cpu_seconds AS "cpuSeconds", e.wall_seconds AS "wallSeconds", e.at,
         r.code, r.code_version AS "codeVersion", r.method, r.settings_json AS settings,
         r.geometry_hash AS "geometryHash", r.failure_json AS failure,
         (SELECT x.host FROM qm_executions x WHERE x.key = e.result_key AND x.status <> 'running'
          ORDER BY x.id LIMIT 1) AS host
       FROM evaluations e LEFT JOIN qm_results r ON r.key = e.result_key
       WHERE e.campaign_id = $1 ORDER BY e.idx, e.round, e.tier`,
      [campaignId],
    ),
    workByCandidate(db, campaignId),
    joulesPerCpuSecond(db, campaignId),
  ]);
  return rows.map((r) => {
    const w = work.get(`${r.tier}\u0000${r.idx}`);
    const perSecond = rate.byTier.get(r.tier) ?? rate.overall;
    const cost: Pick<
      EvaluationProvenance,
      'workCpuSeconds' | 'energyJoules' | 'energySource' | 'energyMethods'
    > =
      w !== undefined
        ? {
            workCpuSeconds: w.cpuSeconds,
            energyJoules: w.energyJoules,
            energySource: 'ledger',
            energyMethods: [...new Set(w.methods)].sort(),
          }
        : perSecond === undefined
          ? { workCpuSeconds: r.cpuSeconds, energySource: 'none', energyMethods: [] }
          : {
              workCpuSeconds: r.cpuSeconds,
              energyJoules: r.cpuSeconds * perSecond,
              energySource: 'tier-rate',
              energyMethods: [],
            };
    return {
      idx: r.idx,
      tier: r.tier,
      round: r.round,
      ...(r.resultKey !== null && { resultKey: r.resultKey }),
      status: r.status,
      ...(r.value !== null && { value: r.value }),
      ...(r.values !== null && { values: r.values }),
      ...(r.message !== null && { message: r.message }),
      cached: r.cached,
      cpuSeconds: r.cpuSeconds,
      wallSeconds: r.wallSeconds,
      at: r.at,
      ...(r.code !== null && { code: r.code }),
      ...(r.codeVersion !== null && { codeVersion: r.codeVersion }),
      ...(r.method !== null && { method: r.method }),
      ...(r.settings !== null && { settings: r.settings }),
      ...(r.geometryHash !== null && { geometryHash: r.geometryHash }),
      ...(r.failure !== null && { failure: r.failure }),
      ...(r.host !== null && { host: r.host }),
      ...cost,
    };
  });
}

/** The ledger lines that name a candidate and tier, summed per (tier, idx), with their energy methods. */
async function workByCandidate(db: Db, campaignId: string): Promise<Map<string, Work>> {
  const rows = await query<{ tier: string; idx: number } & Work>(
    db,
    `SELECT tier, idx, SUM(cpu_seconds) AS "cpuSeconds", SUM(energy_joules) AS "energyJoules",
       array_agg(energy_method) AS methods
     FROM ledger WHERE campaign_id = $1 AND idx IS NOT NULL AND tier IS NOT NULL GROUP BY tier, idx`,
    [campaignId],
  );
  return new Map(rows.map((r) => [`${r.tier}\u0000${r.idx}`, r]));
}
