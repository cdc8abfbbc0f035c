import { type ObjectiveSpec, sqlOrder } from '../../lib/domain/objective.js';
import type { EvaluationRecord, LedgerEntry, RankedEvaluation } from '../store.js';
import { type Db, now, statement } from './db.js';
import { record } from './ledger.js';

export function putEvaluation(
  db: Db,
  campaignId: string,
  e: EvaluationRecord,
  ledger: readonly LedgerEntry[] = [],
): void {
  const insert = statement(
    db,
    `INSERT OR REPLACE INTO evaluations (campaign_id, idx, tier, round, result_key, status, value, values_json,
       message, cached, cpu_seconds, wall_seconds, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    insert.run(
      campaignId,
      e.idx,
      e.tier,
      e.round,
      e.resultKey ?? null,
      e.status,
      e.value ?? null,
      e.values ? JSON.stringify(e.values) : null,
      e.message ?? null,
      e.cached ? 1 : 0,
      e.cpuSeconds,
      e.wallSeconds,
      now(),
    );
    for (const entry of ledger) record(db, entry);
  })();
}

interface Row {
  idx: number;
  tier: string;
  round: number;
  result_key: string | null;
  status: 'ok' | 'failed';
  value: number | null;
  values_json: string | null;
  message: string | null;
  cached: number;
  cpu_seconds: number;
  wall_seconds: number;
}

const fromRow = (r: Row): EvaluationRecord => ({
  idx: r.idx,
  tier: r.tier,
  round: r.round,
  resultKey: r.result_key ?? undefined,
  status: r.status,
  value: r.value ?? undefined,
  ...(r.values_json ? { values: JSON.parse(r.values_json) } : {}),
  message: r.message ?? undefined,
  cached: r.cached === 1,
  cpuSeconds: r.cpu_seconds,
  wallSeconds: r.wall_seconds,
});

export function getEvaluation(
  db: Db,
  campaignId: string,
  idx: number,
  tier: string,
): EvaluationRecord | undefined {
  const row = statement(db, 'SELECT * FROM evaluations WHERE campaign_id = ? AND idx = ? AND tier = ?').get(
    campaignId,
    idx,
    tier,
  ) as Row | undefined;
  return row ? fromRow(row) : undefined;
}

export function listEvaluations(db: Db, campaignId: string, tier?: string): EvaluationRecord[] {
  const rows = tier
    ? statement(db, 'SELECT * FROM evaluations WHERE campaign_id = ? AND tier = ? ORDER BY round, idx').all(
        campaignId,
        tier,
      )
    : statement(db, 'SELECT * FROM evaluations WHERE campaign_id = ? ORDER BY round, idx').all(campaignId);
  return (rows as Row[]).map(fromRow);
}

export function topEvaluations(
  db: Db,
  campaignId: string,
  tier: string,
  objective: Pick<ObjectiveSpec, 'direction'>,
  n: number,
): RankedEvaluation[] {
  return statement(
    db,
    `SELECT e.idx, c.label, c.identity, c.kind, e.value FROM evaluations e
     JOIN candidates c ON c.campaign_id = e.campaign_id AND c.idx = e.idx
     WHERE e.campaign_id = ? AND e.tier = ? AND e.status = 'ok' AND e.value IS NOT NULL
     ORDER BY e.value ${sqlOrder(objective)} LIMIT ?`,
  ).all(campaignId, tier, n) as RankedEvaluation[];
}
