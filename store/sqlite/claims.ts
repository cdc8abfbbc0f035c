/**
 * Claims on calculations in the SQLite store: the same contract as the PostgreSQL store's (store/postgres/claims.ts),
 * for the workers of one host sharing one file. A claim is an execution plus a lease on the key's row in
 * `qm_claims`, live while its worker renews it, given up when the execution ends or is marked lost, and free for
 * the next claimant once the lease ran out. Atomicity is SQLite's: the claim is one IMMEDIATE transaction, which
 * takes the file's write lock before it reads, so two processes claiming one key are serialised. Times are this
 * host's clock in epoch milliseconds: every process sharing the file runs on it.
 */
import { type Db, now, statement } from './db.js';

/** How long a claim lasts without renewal; its worker renews it well within. */
export const CLAIM_LEASE_SECONDS = 60;

export function claimExecution(
  db: Db,
  key: string,
  code: string,
  host: string,
  leaseSeconds = CLAIM_LEASE_SECONDS,
): number | undefined {
  return db
    .transaction((): number | undefined => {
      const at = Date.now();
      const held = statement(
        db,
        'SELECT execution_id AS execution, lease_until AS until FROM qm_claims WHERE key = ?',
      ).get(key) as { execution: number | null; until: number } | undefined;
      if (held && held.until > at) return undefined;
      const id = Number(
        statement(
          db,
          'INSERT INTO qm_executions (key, code, host, pid, started_at) VALUES (?, ?, ?, ?, ?)',
        ).run(key, code, host, process.pid, now()).lastInsertRowid,
      );
      statement(
        db,
        `INSERT INTO qm_claims (key, execution_id, lease_until) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET execution_id = excluded.execution_id, lease_until = excluded.lease_until`,
      ).run(key, id, at + leaseSeconds * 1000);
      // a lease that ran out while its execution was still running: its worker is gone
      if (held?.execution != null)
        statement(
          db,
          "UPDATE qm_executions SET finished_at = ?, status = 'worker-died' WHERE id = ? AND status = 'running'",
        ).run(now(), held.execution);
      return id;
    })
    .immediate();
}

export function renewClaim(db: Db, execution: number, leaseSeconds = CLAIM_LEASE_SECONDS): boolean {
  // false once another worker claimed the key (its lease ran out): the row names that worker's execution then
  return (
    statement(db, 'UPDATE qm_claims SET lease_until = ? WHERE execution_id = ?').run(
      Date.now() + leaseSeconds * 1000,
      execution,
    ).changes > 0
  );
}

export function liveClaim(db: Db, key: string): { execution: number; leaseUntil: string } | undefined {
  const row = statement(
    db,
    'SELECT execution_id AS execution, lease_until AS until FROM qm_claims WHERE key = ? AND execution_id IS NOT NULL AND lease_until > ?',
  ).get(key, Date.now()) as { execution: number; until: number } | undefined;
  return row && { execution: row.execution, leaseUntil: new Date(row.until).toISOString() };
}

/** Gives up the claims these executions hold (they ended, or were marked lost). */
export function releaseClaims(db: Db, executions: readonly number[]): void {
  const release = statement(
    db,
    'UPDATE qm_claims SET execution_id = NULL, lease_until = 0 WHERE execution_id = ?',
  );
  for (const id of executions) release.run(id);
}
