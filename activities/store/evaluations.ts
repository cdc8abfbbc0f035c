import { type Db, now, statement } from './db.js';

export interface EvaluationRecord {
  idx: number;
  tier: string;
  round: number;
  resultKey?: string;
  status: 'ok' | 'failed';
  value?: number;
  message?: string;
  cached: boolean;
  cpuSeconds: number;
  wallSeconds: number;
}

export function putEvaluation(db: Db, campaignId: string, e: EvaluationRecord): void {
  statement(
    db,
    `INSERT OR REPLACE INTO evaluations (campaign_id, idx, tier, round, result_key, status, value, message, cached,
       cpu_seconds, wall_seconds, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    campaignId,
    e.idx,
    e.tier,
    e.round,
    e.resultKey ?? null,
    e.status,
    e.value ?? null,
    e.message ?? null,
    e.cached ? 1 : 0,
    e.cpuSeconds,
    e.wallSeconds,
    now(),
  );
}

interface Row {
  idx: number;
  tier: string;
  round: number;
  result_key: string | null;
  status: 'ok' | 'failed';
  value: number | null;
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
  message: r.message ?? undefined,
  cached: r.cached === 1,
  cpuSeconds: r.cpu_seconds,
  wallSeconds: r.wall_seconds,
});

/** One candidate's evaluation at one tier, if it has one. */
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
    ? db
        .prepare('SELECT * FROM evaluations WHERE campaign_id = ? AND tier = ? ORDER BY round, idx')
        .all(campaignId, tier)
    : db.prepare('SELECT * FROM evaluations WHERE campaign_id = ? ORDER BY round, idx').all(campaignId);
  return (rows as Row[]).map(fromRow);
}

/** The best evaluated candidates at one tier, with their SMILES. */
export function topEvaluations(
  db: Db,
  campaignId: string,
  tier: string,
  direction: 'maximize' | 'minimize',
  n: number,
): { idx: number; label: string; smiles: string; value: number }[] {
  return db
    .prepare(
      `SELECT e.idx, c.label, c.smiles, e.value FROM evaluations e
       JOIN candidates c ON c.campaign_id = e.campaign_id AND c.idx = e.idx
       WHERE e.campaign_id = ? AND e.tier = ? AND e.status = 'ok' AND e.value IS NOT NULL
       ORDER BY e.value ${direction === 'maximize' ? 'DESC' : 'ASC'} LIMIT ?`,
    )
    .all(campaignId, tier, n) as { idx: number; label: string; smiles: string; value: number }[];
}
