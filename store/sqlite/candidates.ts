import { type Candidate, fromStored, identity, payload } from '../../lib/domain/candidate.js';
import { type Db, statement } from './db.js';

interface Row {
  idx: number;
  kind: Candidate['kind'];
  identity: string;
  label: string;
  payload_json: string;
}

const COLUMNS = 'idx, kind, identity, label, payload_json';
const fromRow = (r: Row): Candidate => fromStored({ ...r, payload: JSON.parse(r.payload_json) });

export function putCandidates(db: Db, campaignId: string, candidates: readonly Candidate[]): void {
  db.transaction(() => {
    db.prepare('DELETE FROM candidates WHERE campaign_id = ?').run(campaignId);
    appendCandidates(db, campaignId, candidates);
  })();
}

export function appendCandidates(db: Db, campaignId: string, candidates: readonly Candidate[]): void {
  const insert = statement(
    db,
    `INSERT OR REPLACE INTO candidates (campaign_id, idx, kind, identity, label, heavy_atoms, payload_json)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (const c of candidates) {
      const heavy = c.kind === 'molecule' ? c.heavyAtoms : 0;
      insert.run(campaignId, c.idx, c.kind, identity(c), c.label, heavy, JSON.stringify(payload(c)));
    }
  })();
}

export function countCandidates(db: Db, campaignId: string): number {
  return (
    statement(db, 'SELECT COUNT(*) AS n FROM candidates WHERE campaign_id = ?').get(campaignId) as {
      n: number;
    }
  ).n;
}

export function listCandidates(db: Db, campaignId: string): Candidate[] {
  return (
    statement(db, `SELECT ${COLUMNS} FROM candidates WHERE campaign_id = ? ORDER BY idx`).all(
      campaignId,
    ) as Row[]
  ).map(fromRow);
}

export function getCandidates(db: Db, campaignId: string, indices: readonly number[]): Candidate[] {
  if (isRun(indices)) return getRun(db, campaignId, indices);
  const stmt = statement(db, `SELECT ${COLUMNS} FROM candidates WHERE campaign_id = ? AND idx = ?`);
  return indices.map((i) => {
    const row = stmt.get(campaignId, i) as Row | undefined;
    if (!row) throw new Error(`campaign ${campaignId} has no candidate #${i}`);
    return fromRow(row);
  });
}

/** Consecutive ascending indices (a page of the pool): one range scan instead of a query each. */
function isRun(indices: readonly number[]): boolean {
  if (indices.length < 2) return false;
  for (let k = 1; k < indices.length; k++) if (indices[k] !== (indices[0] as number) + k) return false;
  return true;
}

function getRun(db: Db, campaignId: string, indices: readonly number[]): Candidate[] {
  const first = indices[0] as number;
  const rows = statement(
    db,
    `SELECT ${COLUMNS} FROM candidates WHERE campaign_id = ? AND idx >= ? AND idx < ? ORDER BY idx`,
  ).all(campaignId, first, first + indices.length) as Row[];
  if (rows.length < indices.length) {
    const missing = indices.find((i, k) => rows[k]?.idx !== i);
    throw new Error(`campaign ${campaignId} has no candidate #${missing}`);
  }
  return rows.map(fromRow);
}
