/**
 * Claims on calculations, for workers on several hosts sharing one server: whoever claims a calculation key
 * runs it, and the others wait for its result instead of computing it too. A claim is an execution plus a lease
 * on the key's row in `qm_claims`: live while its worker renews it, given up when the execution ends (or is
 * marked lost), and free for the next claimant once its lease has run out, which is what happens when the worker
 * died without a word. That claimant marks the dead worker's execution 'worker-died', so that worker deaths on
 * any host are counted (activities/qm/calculate.ts counts them per key). Times are the server's clock: the
 * workers' clocks may disagree.
 *
 * Atomicity is the key row's: every claimant first makes sure the row exists (INSERT ... ON CONFLICT DO NOTHING
 * waits for a concurrent inserter to commit), then locks it (SELECT ... FOR UPDATE) and decides; a second
 * claimant of the same key waits for the first one's transaction and then sees its live lease.
 */
import { type Db, query, transaction } from './db.js';

/** How long a claim lasts without renewal; its worker renews it well within (a third of it, say). */
export const CLAIM_LEASE_SECONDS = 60;

/**
 * Claims `key` for a new execution on this process and returns the execution's id, or undefined when a live
 * claim holds it (another worker is computing it now).
 */
export async function claimExecution(
  db: Db,
  key: string,
  code: string,
  host: string,
  leaseSeconds = CLAIM_LEASE_SECONDS,
): Promise<number | undefined> {
  return transaction(db, async (c) => {
    await query(
      c,
      `INSERT INTO qm_claims (key, execution_id, lease_until) VALUES ($1, NULL, '-infinity')
       ON CONFLICT (key) DO NOTHING`,
      [key],
    );
    const [held] = await query<{ execution_id: number | null; live: boolean }>(
      c,
      // clock_timestamp, not now(): the transaction may have started long before the lock was granted
      'SELECT execution_id, lease_until > clock_timestamp() AS live FROM qm_claims WHERE key = $1 FOR UPDATE',
      [key],
    );
    if (held?.live) return undefined;
    const [run] = await query<{ id: number }>(
      c,
      `INSERT INTO qm_executions (key, code, host, pid, started_at) VALUES ($1, $2, $3, $4, now()) RETURNING id`,
      [key, code, host, process.pid],
    );
    const id = run?.id as number;
    await query(
      c,
      `UPDATE qm_claims SET execution_id = $2, lease_until = clock_timestamp() + make_interval(secs => $3::double precision)
       WHERE key = $1`,
      [key, id, leaseSeconds],
    );
    // a lease that ran out while its execution was still running: its worker is gone
    if (held?.execution_id != null)
      await query(
        c,
        `UPDATE qm_executions SET finished_at = now(), status = 'worker-died' WHERE id = $1 AND status = 'running'`,
        [held.execution_id],
      );
    return id;
  });
}

/**
 * Extends the lease of the claim `execution` holds; false when it holds none any more (it ended, or its lease ran
 * out and another worker claimed the key: this worker's result is then no longer awaited).
 */
export async function renewClaim(
  db: Db,
  execution: number,
  leaseSeconds = CLAIM_LEASE_SECONDS,
): Promise<boolean> {
  const rows = await query(
    db,
    `UPDATE qm_claims SET lease_until = clock_timestamp() + make_interval(secs => $2::double precision)
     WHERE execution_id = $1 RETURNING key`,
    [execution, leaseSeconds],
  );
  return rows.length > 0;
}

/** The live claim on `key`: the execution computing it and when its lease runs out (ISO 8601); else undefined. */
export async function liveClaim(
  db: Db,
  key: string,
): Promise<{ execution: number; leaseUntil: string } | undefined> {
  const [row] = await query<{ execution: number; leaseUntil: string }>(
    db,
    `SELECT execution_id AS execution, lease_until AS "leaseUntil" FROM qm_claims
     WHERE key = $1 AND execution_id IS NOT NULL AND lease_until > clock_timestamp()`,
    [key],
  );
  return row;
}
