import { type Candidate, fromStored, identity, payload } from '../../lib/domain/candidate.js';
import { type Db, query, type Sql, transaction } from './db.js';

interface Row {
  idx: number;
  kind: Candidate['kind'];
  identity: string;
  label: string;
  payload_json: Record<string, unknown>;
}

const COLUMNS = 'idx, kind, identity, label, payload_json';
const fromRow = (r: Row): Candidate => fromStored({ ...r, payload: r.payload_json });

/** Replaces the pool: the old rows deleted and the new ones inserted in one transaction. */
export async function putCandidates(
  db: Db,
  campaignId: string,
  candidates: readonly Candidate[],
): Promise<void> {
  await transaction(db, async (c) => {
    await query(c, 'DELETE FROM candidates WHERE campaign_id = $1', [campaignId]);
    await insertCandidates(c, campaignId, candidates);
  });
}

/** Adds candidates to the pool (an index already there is replaced, as SQLite's INSERT OR REPLACE has it). */
export async function appendCandidates(
  db: Db,
  campaignId: string,
  candidates: readonly Candidate[],
): Promise<void> {
  await transaction(db, (c) => insertCandidates(c, campaignId, candidates));
}

/** Rows a statement inserts at most: its columns go as arrays, unnested by the server. */
const ROWS_PER_STATEMENT = 20_000;

async function insertCandidates(c: Sql, campaignId: string, candidates: readonly Candidate[]): Promise<void> {
  // the last of two candidates with one index wins
  const list = [...new Map(candidates.map((m) => [m.idx, m])).values()];
  for (let start = 0; start < list.length; start += ROWS_PER_STATEMENT) {
    const part = list.slice(start, start + ROWS_PER_STATEMENT);
    await query(
      c,
      `INSERT INTO candidates (campaign_id, idx, kind, identity, label, heavy_atoms, payload_json)
       SELECT $1, t.idx, t.kind, t.identity, t.label, t.heavy, t.payload::jsonb
       FROM unnest($2::integer[], $3::text[], $4::text[], $5::text[], $6::integer[], $7::text[])
         AS t(idx, kind, identity, label, heavy, payload)
       ON CONFLICT (campaign_id, idx) DO UPDATE SET kind = EXCLUDED.kind, identity = EXCLUDED.identity,
         label = EXCLUDED.label, heavy_atoms = EXCLUDED.heavy_atoms, payload_json = EXCLUDED.payload_json`,
      [
        campaignId,
        part.map((m) => m.idx),
        part.map((m) => m.kind),
        part.map(identity),
        part.map((m) => m.label),
        part.map((m) => (m.kind === 'molecule' ? m.heavyAtoms : 0)),
        part.map((m) => JSON.stringify(payload(m))),
      ],
    );
  }
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
