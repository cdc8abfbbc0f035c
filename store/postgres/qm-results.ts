/** QM results keyed by content hash, every real execution, and the stored 3D structures calculations start from. */
import type { Execution, QmFailure, QmResultRecord } from '../store.js';
import { type Db, query, type Sql } from './db.js';

interface Row {
  key: string;
  code: string;
  code_version: string;
  method: string;
  settings_json: Record<string, unknown>;
  geometry_hash: string;
  status: 'ok' | 'failed';
  outputs_json: Record<string, unknown> | null;
  failure_json: QmFailure | null;
  provenance_json: Record<string, unknown>;
}

export async function getQmResult(db: Db, key: string): Promise<QmResultRecord | undefined> {
  const [row] = await query<Row>(
    db,
    `SELECT key, code, code_version, method, settings_json, geometry_hash, status, outputs_json, failure_json,
       provenance_json FROM qm_results WHERE key = $1`,
    [key],
  );
  if (!row) return undefined;
  return {
    key: row.key,
    code: row.code,
    codeVersion: row.code_version,
    method: row.method,
    settings: row.settings_json,
    geometryHash: row.geometry_hash,
    status: row.status,
    outputs: row.outputs_json ?? undefined,
    failure: row.failure_json ?? undefined,
    provenance: row.provenance_json,
  };
}

/** The upsert of a result from parameters $N.. (N = `from`): the same key again replaces the row. */
const upsertResult = (from: number) => {
  const p = Array.from({ length: 10 }, (_, i) => `$${from + i}`).join(', ');
  return `INSERT INTO qm_results (key, code, code_version, method, settings_json, geometry_hash, status,
       outputs_json, failure_json, provenance_json, created_at) VALUES (${p}, now())
     ON CONFLICT (key) DO UPDATE SET code = excluded.code, code_version = excluded.code_version,
       method = excluded.method, settings_json = excluded.settings_json, geometry_hash = excluded.geometry_hash,
       status = excluded.status, outputs_json = excluded.outputs_json, failure_json = excluded.failure_json,
       provenance_json = excluded.provenance_json, created_at = excluded.created_at`;
};

const resultValues = (r: QmResultRecord): unknown[] => [
  r.key,
  r.code,
  r.codeVersion,
  r.method,
  JSON.stringify(r.settings),
  r.geometryHash,
  r.status,
  r.outputs ? JSON.stringify(r.outputs) : null,
  r.failure ? JSON.stringify(r.failure) : null,
  JSON.stringify(r.provenance),
];

export async function putQmResult(sql: Sql, r: QmResultRecord): Promise<void> {
  await query(sql, upsertResult(1), resultValues(r));
}

export async function startExecution(db: Db, key: string, code: string, host: string): Promise<number> {
  const [row] = await query<{ id: number }>(
    db,
    'INSERT INTO qm_executions (key, code, host, pid, started_at) VALUES ($1, $2, $3, $4, now()) RETURNING id',
    [key, code, host, process.pid],
  );
  return row?.id as number;
}

/** The claim an execution held is given up when it ends (see claims.ts). */
const END = `ended AS (UPDATE qm_executions SET finished_at = now(), status = $2 WHERE id = $1),
  released AS (UPDATE qm_claims SET execution_id = NULL, lease_until = '-infinity' WHERE execution_id = $1)`;

/** The execution's end, its claim's release and its result: one statement, so one atomic write. */
export async function finishExecution(
  db: Db,
  id: number,
  status: string,
  result?: QmResultRecord,
): Promise<void> {
  if (result) await query(db, `WITH ${END} ${upsertResult(3)}`, [id, status, ...resultValues(result)]);
  else await query(db, `WITH ${END} SELECT 1`, [id, status]);
}

export async function markExecutionsLost(db: Db, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await query(
    db,
    `WITH lost AS (
       UPDATE qm_executions SET finished_at = now(), status = 'worker-died'
       WHERE id = ANY($1::bigint[]) AND status = 'running' RETURNING id)
     UPDATE qm_claims SET execution_id = NULL, lease_until = '-infinity'
     WHERE execution_id IN (SELECT id FROM lost)`,
    [[...ids]],
  );
}

export async function listExecutions(
  db: Db,
  filter: { key?: string; code?: string } = {},
): Promise<Execution[]> {
  const where: string[] = [];
  const values: string[] = [];
  if (filter.key !== undefined) {
    values.push(filter.key);
    where.push(`key = $${values.length}`);
  }
  if (filter.code !== undefined) {
    values.push(filter.code);
    where.push(`code = $${values.length}`);
  }
  const rows = await query<Execution & { finishedAt: string | null }>(
    db,
    `SELECT id, key, code, host, pid, started_at AS "startedAt", finished_at AS "finishedAt", status
     FROM qm_executions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`,
    values,
  );
  return rows.map(({ finishedAt, ...r }) => (finishedAt === null ? r : { ...r, finishedAt }));
}

/** Structures are stored per candidate identity and generator: 3D embedding is stochastic, and cache keys depend on it. */
export async function getGeometry(db: Db, identity: string, generator: string): Promise<string | undefined> {
  const [row] = await query<{ geometry_json: string }>(
    db,
    'SELECT geometry_json FROM geometries WHERE identity = $1 AND generator = $2',
    [identity, generator],
  );
  return row?.geometry_json;
}

export async function putGeometry(
  db: Db,
  identity: string,
  generator: string,
  geometryJson: string,
): Promise<void> {
  await query(
    db,
    `INSERT INTO geometries (identity, generator, geometry_json, created_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (identity, generator) DO NOTHING`,
    [identity, generator, geometryJson],
  );
}
