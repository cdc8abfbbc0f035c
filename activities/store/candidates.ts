import { type Db, statement } from './db.js';

export interface CandidateRow {
  idx: number;
  label: string;
  smiles: string;
  heavyAtoms: number;
}

export function insertCandidates(db: Db, campaignId: string, rows: CandidateRow[]): void {
  const insert = db.prepare(
    'INSERT OR REPLACE INTO candidates (campaign_id, idx, label, smiles, heavy_atoms) VALUES (?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    db.prepare('DELETE FROM candidates WHERE campaign_id = ?').run(campaignId);
    for (const r of rows) insert.run(campaignId, r.idx, r.label, r.smiles, r.heavyAtoms);
  })();
}

export function countCandidates(db: Db, campaignId: string): number {
  return (
    db.prepare('SELECT COUNT(*) AS n FROM candidates WHERE campaign_id = ?').get(campaignId) as { n: number }
  ).n;
}

export function listCandidates(db: Db, campaignId: string): CandidateRow[] {
  return db
    .prepare(
      'SELECT idx, label, smiles, heavy_atoms AS heavyAtoms FROM candidates WHERE campaign_id = ? ORDER BY idx',
    )
    .all(campaignId) as CandidateRow[];
}

export function getCandidates(db: Db, campaignId: string, indices: number[]): CandidateRow[] {
  const stmt = statement(
    db,
    'SELECT idx, label, smiles, heavy_atoms AS heavyAtoms FROM candidates WHERE campaign_id = ? AND idx = ?',
  );
  return indices.map((i) => {
    const row = stmt.get(campaignId, i) as CandidateRow | undefined;
    if (!row) throw new Error(`campaign ${campaignId} has no candidate #${i}`);
    return row;
  });
}
