import { type Candidate, fromStored, identity, payload } from '../../lib/domain/candidate.js';
import { type Db, query, transaction } from './db.js';

interface Row {
  idx: number;
  kind: Candidate['kind'];
  identity: string;
  label: string;
  payload_json: Record<string, unknown>;
}

const COLUMNS = 'idx, kind, identity, label, payload_json';
const fromRow = (r: Row): Candidate => fromStored({ ...r, payload: r.payload_json });

/** The pool in one statement: columns as arrays, unnested by the server (a pool is tens of thousands of rows). */
export async function putCandidates(
  db: Db,
  campaignId: string,
  candidates: readonly Candidate[],
): Promise<void> {
  // the last of two candidates with one index wins, as SQLite's INSERT OR REPLACE has it
  const byIdx = new Map(candidates.map((c) => [c.idx, c]));
  const list = [...byIdx.values()];
  await transaction(db, async (c) => {
    await query(c, 'DELETE FROM candidates WHERE campaign_id = $1', [campaignId]);
    if (list.length === 0) return;
    await query(
      c,
      `INSERT INTO candidates (campaign_id, idx, kind, identity, label, heavy_atoms, payload_json)
       SELECT $1, t.idx, t.kind, t.identity, t.label, t.heavy, t.payload::jsonb
       FROM unnest($2::integer[], $3::text[], $4::text[], $5::text[], $6::integer[], $7::text[])
         AS t(idx, kind, identity, label, heavy, payload)`,
      [
        campaignId,
        list.map((m) => m.idx),
        list.map((m) => m.kind),
        list.map(identity),
        list.map((m) => m.label),
        list.map((m) => (m.kind === 'molecule' ? m.heavyAtoms : 0)),
        list.map((m) => JSON.stringify(payload(m))),
      ],
    );
  });
}

export async function countCandidates(db: Db, campaignId: string): Promise<number> {
  const [r] = await query<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM candidates WHERE campaign_id = $1', [
    campaignId,
  ]);
  return r?.n ?? 0;
}

export async function listCandidates(db: Db, campaignId: string): Promise<Candidate[]> {
  return (
    await query<Row>(db, `SELECT ${COLUMNS} FROM candidates WHERE campaign_id = $1 ORDER BY idx`, [
      campaignId,
    ])
  ).map(fromRow);
}

export async function getCandidates(
  db: Db,
  campaignId: string,
  indices: readonly number[],
): Promise<Candidate[]> {
  const rows = await query<Row>(
    db,
    `SELECT ${COLUMNS} FROM candidates WHERE campaign_id = $1 AND idx = ANY($2::integer[])`,
    [campaignId, [...new Set(indices)]],
  );
  const byIdx = new Map(rows.map((r) => [r.idx, r]));
  return indices.map((i) => {
    const row = byIdx.get(i);
    if (!row) throw new Error(`campaign ${campaignId} has no candidate #${i}`);
    return fromRow(row);
  });
}
