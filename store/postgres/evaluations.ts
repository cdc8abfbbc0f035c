import { type ObjectiveSpec, sqlOrder } from '../../lib/domain/objective.js';
import type { EvaluationRecord, LedgerEntry, RankedEvaluation } from '../store.js';
import { type Db, query } from './db.js';
import { entryColumns, insertEntries } from './ledger.js';

/**
 * The evaluation and its ledger lines in one statement (atomic without a transaction's extra round trips). A
 * second write of a candidate at a tier replaces its row and moves it to the end of the write order (`seq`).
 */
const PUT = `WITH evaluation AS (
  INSERT INTO evaluations (campaign_id, idx, tier, round, result_key, status, value, values_json, message, cached,
    cpu_seconds, wall_seconds, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now())
  ON CONFLICT (campaign_id, idx, tier) DO UPDATE SET round = excluded.round, result_key = excluded.result_key,
    status = excluded.status, value = excluded.value, values_json = excluded.values_json,
    message = excluded.message, cached = excluded.cached, cpu_seconds = excluded.cpu_seconds,
    wall_seconds = excluded.wall_seconds, at = excluded.at, seq = excluded.seq)
${insertEntries(13)}`;

export async function putEvaluation(
  db: Db,
  campaignId: string,
  e: EvaluationRecord,
  ledger: readonly LedgerEntry[] = [],
): Promise<void> {
  await query(db, PUT, [
    campaignId,
    e.idx,
    e.tier,
    e.round,
    e.resultKey ?? null,
    e.status,
    e.value ?? null,
    e.values ? JSON.stringify(e.values) : null,
    e.message ?? null,
    e.cached,
    e.cpuSeconds,
    e.wallSeconds,
    ...entryColumns(ledger),
  ]);
}

interface Row {
  idx: number;
  tier: string;
  round: number;
  result_key: string | null;
  status: 'ok' | 'failed';
  value: number | null;
  values_json: EvaluationRecord['values'] | null;
  message: string | null;
  cached: boolean;
  cpu_seconds: number;
  wall_seconds: number;
}

const COLUMNS =
  'idx, tier, round, result_key, status, value, values_json, message, cached, cpu_seconds, wall_seconds';

const fromRow = (r: Row): EvaluationRecord => ({
  idx: r.idx,
  tier: r.tier,
  round: r.round,
  resultKey: r.result_key ?? undefined,
  status: r.status,
  value: r.value ?? undefined,
  ...(r.values_json ? { values: r.values_json } : {}),
  message: r.message ?? undefined,
  cached: r.cached,
  cpuSeconds: r.cpu_seconds,
  wallSeconds: r.wall_seconds,
});

export async function getEvaluation(
  db: Db,
  campaignId: string,
  idx: number,
  tier: string,
): Promise<EvaluationRecord | undefined> {
  const [row] = await query<Row>(
    db,
    `SELECT ${COLUMNS} FROM evaluations WHERE campaign_id = $1 AND idx = $2 AND tier = $3`,
    [campaignId, idx, tier],
  );
  return row ? fromRow(row) : undefined;
}

export async function listEvaluations(
  db: Db,
  campaignId: string,
  tier?: string,
): Promise<EvaluationRecord[]> {
  const rows = tier
    ? await query<Row>(
        db,
        `SELECT ${COLUMNS} FROM evaluations WHERE campaign_id = $1 AND tier = $2 ORDER BY round, idx`,
        [campaignId, tier],
      )
    : await query<Row>(
        db,
        `SELECT ${COLUMNS} FROM evaluations WHERE campaign_id = $1 ORDER BY round, idx, tier`,
        [campaignId],
      );
  return rows.map(fromRow);
}

export async function topEvaluations(
  db: Db,
  campaignId: string,
  tier: string,
  objective: Pick<ObjectiveSpec, 'direction'>,
  n: number,
): Promise<RankedEvaluation[]> {
  return query<RankedEvaluation>(
    db,
    `SELECT e.idx, c.label, c.identity, c.kind, e.value FROM evaluations e
     JOIN candidates c ON c.campaign_id = e.campaign_id AND c.idx = e.idx
     WHERE e.campaign_id = $1 AND e.tier = $2 AND e.status = 'ok' AND e.value IS NOT NULL
     ORDER BY e.value ${sqlOrder(objective)} LIMIT $3`,
    // a negative limit is none, as in SQLite
    [campaignId, tier, n < 0 ? null : n],
  );
}
