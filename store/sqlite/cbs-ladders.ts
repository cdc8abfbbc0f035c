/** What each basis escalation ladder did (activities/cbs/escalate.ts); `cascade status` sums the savings. */
import type { LadderRecord, LadderSavings } from '../store.js';
import { type Db, now, statement } from './db.js';

export function recordLadder(db: Db, r: LadderRecord): void {
  statement(
    db,
    `INSERT OR REPLACE INTO cbs_ladders (campaign_id, round, idx, tier, bases_run, bases_skipped, cpu_seconds,
       largest_basis_cpu_seconds, energy, lo, hi, source, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    r.campaignId,
    r.round,
    r.idx,
    r.tier,
    JSON.stringify(r.basesRun),
    JSON.stringify(r.basesSkipped),
    r.cpuSeconds,
    r.largestBasisCpuSeconds,
    r.energy,
    r.lo,
    r.hi,
    r.source,
    now(),
  );
}

export function ladderSavings(db: Db, campaignId: string): LadderSavings | undefined {
  const r = statement(
    db,
    `SELECT COUNT(*) AS molecules, SUM(bases_skipped != '[]') AS stoppedEarly, SUM(cpu_seconds) AS cpuSeconds,
       SUM(largest_basis_cpu_seconds) AS largestBasisCpuSeconds FROM cbs_ladders WHERE campaign_id = ?`,
  ).get(campaignId) as Omit<LadderSavings, 'savedCpuSeconds'>;
  if (!r.molecules) return undefined;
  return { ...r, savedCpuSeconds: r.largestBasisCpuSeconds - r.cpuSeconds };
}
