/** The resource ledger: every activity's Usage, with how its energy was obtained. */
import { hostname } from 'node:os';
import type { LedgerEntry, LedgerTotals } from '../store.js';
import { type Db, now, statement } from './db.js';

export function record(db: Db, e: LedgerEntry): void {
  const u = e.usage;
  statement(
    db,
    `INSERT INTO ledger (campaign_id, round, activity, host, wall_seconds, cpu_seconds, gpu_seconds, peak_memory_bytes,
       energy_joules, energy_method, energy_constants_json, hardware, idx, tier, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    e.campaignId ?? '',
    e.round ?? 0,
    e.activity,
    hostname(),
    u.wallSeconds,
    u.cpuSeconds,
    u.gpuSeconds,
    u.peakMemoryBytes ?? null,
    u.energyJoules,
    u.energyMethod,
    u.energyConstants ? JSON.stringify(u.energyConstants) : null,
    u.hardware ?? null,
    e.idx ?? null,
    e.tier ?? null,
    now(),
  );
}

export function ledgerTotals(db: Db, campaignId: string): LedgerTotals[] {
  return statement(
    db,
    `SELECT activity, COUNT(*) AS calls, SUM(wall_seconds) AS wallSeconds, SUM(cpu_seconds) AS cpuSeconds,
       SUM(energy_joules) AS energyJoules, json_group_array(DISTINCT energy_method) AS methods,
       json_group_array(DISTINCT hardware) AS hardware
     FROM ledger WHERE campaign_id = ? GROUP BY activity ORDER BY activity`,
  )
    .all(campaignId)
    .map((r) => {
      const { methods, hardware, ...rest } = r as LedgerTotals & { methods: string; hardware: string };
      const names = (json: string) => (JSON.parse(json) as (string | null)[]).filter((x) => x !== null);
      const machines = names(hardware);
      return {
        ...rest,
        energyMethods: names(methods),
        ...(machines.length > 0 ? { hardware: machines } : {}),
      };
    });
}

export function campaignTotals(db: Db, campaignId: string): { cpuSeconds: number; energyJoules: number } {
  return statement(
    db,
    `SELECT COALESCE(SUM(cpu_seconds), 0) AS cpuSeconds, COALESCE(SUM(energy_joules), 0) AS energyJoules
     FROM ledger WHERE campaign_id = ?`,
  ).get(campaignId) as { cpuSeconds: number; energyJoules: number };
}

export function candidateUsage(
  db: Db,
  campaignId: string,
  w: { round: number; idx: number; tier: string },
): LedgerTotals | undefined {
  const r = statement(
    db,
    `SELECT COUNT(*) AS calls, COALESCE(SUM(wall_seconds), 0) AS wallSeconds, COALESCE(SUM(cpu_seconds), 0) AS cpuSeconds,
       COALESCE(SUM(energy_joules), 0) AS energyJoules, json_group_array(DISTINCT energy_method) AS methods
     FROM ledger WHERE campaign_id = ? AND round = ? AND idx = ? AND tier = ?`,
  ).get(campaignId, w.round, w.idx, w.tier) as Omit<LedgerTotals, 'activity' | 'energyMethods'> & {
    methods: string;
  };
  if (r.calls === 0) return undefined;
  const { methods, ...rest } = r;
  return {
    activity: `candidate ${w.idx} at ${w.tier}`,
    ...rest,
    energyMethods: JSON.parse(methods) as string[],
  };
}
