/** The resource ledger: every activity's wall, CPU and GPU time and energy, with how the energy was obtained. */
import { hostname } from 'node:os';
import { type Db, now, statement } from './db.js';

export interface LedgerEntry {
  campaignId: string;
  round: number;
  activity: string;
  wallSeconds: number;
  cpuSeconds: number;
  gpuSeconds?: number;
}

/**
 * No RAPL counters are readable on typical cloud VMs and containers, so energy is estimated from CPU time
 * times a per-core power (`CASCADE_WATTS_PER_CORE`, default 12 W: a server core under load); the method is
 * stored with every entry so a measured figure can replace it later without ambiguity.
 */
export function wattsPerCore(): number {
  const w = Number(process.env.CASCADE_WATTS_PER_CORE);
  return Number.isFinite(w) && w > 0 ? w : 12;
}

/** The energy the ledger attributes to this much CPU time (joules). */
export function estimatedJoules(cpuSeconds: number): number {
  return cpuSeconds * wattsPerCore();
}

/** Records one entry and returns the energy attributed to it (joules). */
export function record(db: Db, e: LedgerEntry): number {
  const watts = wattsPerCore();
  const joules = estimatedJoules(e.cpuSeconds);
  statement(
    db,
    `INSERT INTO ledger (campaign_id, round, activity, host, wall_seconds, cpu_seconds, gpu_seconds, energy_joules,
       energy_method, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    e.campaignId,
    e.round,
    e.activity,
    hostname(),
    e.wallSeconds,
    e.cpuSeconds,
    e.gpuSeconds ?? 0,
    joules,
    `estimate: cpu-seconds x ${watts} W/core`,
    now(),
  );
  return joules;
}

export interface LedgerTotals {
  activity: string;
  calls: number;
  wallSeconds: number;
  cpuSeconds: number;
  energyJoules: number;
}

export function totals(db: Db, campaignId: string): LedgerTotals[] {
  return db
    .prepare(
      `SELECT activity, COUNT(*) AS calls, SUM(wall_seconds) AS wallSeconds, SUM(cpu_seconds) AS cpuSeconds,
         SUM(energy_joules) AS energyJoules FROM ledger WHERE campaign_id = ? GROUP BY activity ORDER BY activity`,
    )
    .all(campaignId) as LedgerTotals[];
}

/** Everything a campaign has used, over all activities. */
export function campaignTotals(db: Db, campaignId: string): { cpuSeconds: number; energyJoules: number } {
  const r = db
    .prepare(
      'SELECT COALESCE(SUM(cpu_seconds), 0) AS cpuSeconds, COALESCE(SUM(energy_joules), 0) AS energyJoules FROM ledger WHERE campaign_id = ?',
    )
    .get(campaignId) as { cpuSeconds: number; energyJoules: number };
  return r;
}
