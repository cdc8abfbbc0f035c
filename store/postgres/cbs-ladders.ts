/** What each basis escalation ladder did (activities/cbs/escalate.ts); `cascade status` sums the savings. */
import type { LadderRecord, LadderSavings } from '../store.js';
import { type Db, query } from './db.js';

export async function recordLadder(db: Db, r: LadderRecord): Promise<void> {
  await query(
    db,
    `INSERT INTO cbs_ladders (campaign_id, round, idx, tier, bases_run, bases_skipped, cpu_seconds,
       largest_basis_cpu_seconds, energy, lo, hi, source, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now())
     ON CONFLICT (campaign_id, idx, tier) DO UPDATE SET round = excluded.round, bases_run = excluded.bases_run,
       bases_skipped = excluded.bases_skipped, cpu_seconds = excluded.cpu_seconds,
       largest_basis_cpu_seconds = excluded.largest_basis_cpu_seconds, energy = excluded.energy, lo = excluded.lo,
       hi = excluded.hi, source = excluded.source, at = excluded.at`,
    [
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
    ],
  );
}

export async function ladderSavings(db: Db, campaignId: string): Promise<LadderSavings | undefined> {
  const [r] = await query<Omit<LadderSavings, 'savedCpuSeconds'>>(
    db,
    `SELECT COUNT(*) AS molecules, COUNT(*) FILTER (WHERE jsonb_array_length(bases_skipped) > 0) AS "stoppedEarly",
       SUM(cpu_seconds) AS "cpuSeconds", SUM(largest_basis_cpu_seconds) AS "largestBasisCpuSeconds"
     FROM cbs_ladders WHERE campaign_id = $1`,
    [campaignId],
  );
  if (!r?.molecules) return undefined;
  return { ...r, savedCpuSeconds: r.largestBasisCpuSeconds - r.cpuSeconds };
}
