/** QM results keyed by content hash, every real execution, and the stored 3D structures calculations start from. */
import type { Execution, QmResultRecord } from '../store.js';
import { releaseClaims } from './claims.js';
import { type Db, now, statement } from './db.js';

export function getQmResult(db: Db, key: string): QmResultRecord | undefined {
  const row = statement(db, 'SELECT * FROM qm_results WHERE key = ?').get(key) as
    | Record<string, string>
    | undefined;
  if (!row) return undefined;
  return {
    key: row.key as string,
    code: row.code as string,
    codeVersion: row.code_version as string,
    method: row.method as string,
    settings: JSON.parse(row.settings_json as string),
    geometryHash: row.geometry_hash as string,
    status: row.status as 'ok' | 'failed',
    outputs: row.outputs_json ? JSON.parse(row.outputs_json) : undefined,
    failure: row.failure_json ? JSON.parse(row.failure_json) : undefined,
    provenance: JSON.parse(row.provenance_json as string),
  };
}

export function putQmResult(db: Db, r: QmResultRecord): void {
  statement(
    db,
    `INSERT OR REPLACE INTO qm_results (key, code, code_version, method, settings_json, geometry_hash, status,
       outputs_json, failure_json, provenance_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
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
    now(),
  );
}

export function startExecution(db: Db, key: string, code: string, host: string): number {
  return Number(
    statement(db, 'INSERT INTO qm_executions (key, code, host, pid, started_at) VALUES (?, ?, ?, ?, ?)').run(
      key,
      code,
      host,
      process.pid,
      now(),
    ).lastInsertRowid,
  );
}

export function finishExecution(db: Db, id: number, status: string, result?: QmResultRecord): void {
  db.transaction(() => {
    statement(db, 'UPDATE qm_executions SET finished_at = ?, status = ? WHERE id = ?').run(now(), status, id);
    releaseClaims(db, [id]);
    if (result) putQmResult(db, result);
  })();
}

export function markExecutionsLost(db: Db, ids: readonly number[]): void {
  const mark = statement(
    db,
    "UPDATE qm_executions SET finished_at = ?, status = 'worker-died' WHERE id = ? AND status = 'running'",
  );
  db.transaction(() => {
    // an execution marked lost gives its claim up too
    releaseClaims(
      db,
      ids.filter((id) => mark.run(now(), id).changes > 0),
    );
  })();
}

export function listExecutions(db: Db, filter: { key?: string; code?: string } = {}): Execution[] {
  const where = [
    filter.key !== undefined && 'key = @key',
    filter.code !== undefined && 'code = @code',
  ].filter(Boolean);
  const rows = statement(
    db,
    `SELECT id, key, code, host, pid, started_at AS startedAt, finished_at AS finishedAt, status FROM qm_executions
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`,
  ).all({
    ...(filter.key !== undefined && { key: filter.key }),
    ...(filter.code !== undefined && { code: filter.code }),
  }) as Array<Execution & { finishedAt: string | null }>;
  return rows.map(({ finishedAt, ...r }) => (finishedAt === null ? r : { ...r, finishedAt }));
}

/** Structures are stored per candidate identity and generator: 3D embedding is stochastic, and cache keys depend on it. */
export function getGeometry(db: Db, identity: string, generator: string): string | undefined {
  const row = statement(db, 'SELECT geometry_json FROM geometries WHERE identity = ? AND generator = ?').get(
    identity,
    generator,
  ) as { geometry_json: string } | undefined;
  return row?.geometry_json;
}

export function putGeometry(db: Db, identity: string, generator: string, geometryJson: string): void {
  statement(
    db,
    'INSERT OR IGNORE INTO geometries (identity, generator, geometry_json, created_at) VALUES (?, ?, ?, ?)',
  ).run(identity, generator, geometryJson, now());
}
