/**
 * What each basis escalation ladder did (activities/cbs/escalate.ts): the bases run and skipped, the energy it
 * settled on, and the CPU time against running the largest basis alone. `cascade status` sums the savings.
 */
import { type Db, now, statement } from './db.js';
import { estimatedJoules } from './ledger.js';

export interface LadderRecord {
  campaignId: string;
  round: number;
  idx: number;
  tier: string;
  basesRun: string[];
  basesSkipped: string[];
  cpuSeconds: number;
  /** Measured when the largest basis ran, else estimated from the data set's cost ratios. */
  largestBasisCpuSeconds: number;
  energy: number;
  lo: number;
  hi: number;
  source: 'computed' | 'predicted';
}

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

export interface LadderSavings {
  molecules: number;
  /** Ladders that stopped before their largest basis. */
  stoppedEarly: number;
  cpuSeconds: number;
  largestBasisCpuSeconds: number;
  savedCpuSeconds: number;
  savedJoules: number;
}

export function ladderSavings(db: Db, campaignId: string): LadderSavings | undefined {
  const r = db
    .prepare(
      `SELECT COUNT(*) AS molecules, SUM(bases_skipped != '[]') AS stoppedEarly, SUM(cpu_seconds) AS cpuSeconds,
         SUM(largest_basis_cpu_seconds) AS largestBasisCpuSeconds FROM cbs_ladders WHERE campaign_id = ?`,
    )
    .get(campaignId) as Omit<LadderSavings, 'savedCpuSeconds' | 'savedJoules'>;
  if (!r.molecules) return undefined;
  const saved = r.largestBasisCpuSeconds - r.cpuSeconds;
  return { ...r, savedCpuSeconds: saved, savedJoules: estimatedJoules(saved) };
}
