/** The resource ledger: every activity's Usage, with how its energy was obtained. */
import { hostname } from 'node:os';
import type { LedgerEntry, LedgerTotals } from '../store.js';
import { type Db, query, type Sql } from './db.js';

const COLUMNS = `campaign_id, round, activity, host, wall_seconds, cpu_seconds, gpu_seconds, peak_memory_bytes,
  energy_joules, energy_method, energy_constants_json, hardware, idx, tier`;

/**
 * The insert of ledger entries given as column arrays from parameter $N (N = `from`), all in one statement: an
 * evaluation's lines are written with it (evaluations.ts).
 */
export const insertEntries = (from: number): string => {
  const p = (i: number) => `$${from + i}`;
  return `INSERT INTO ledger (${COLUMNS}, at)
    SELECT ${COLUMNS}, now() FROM unnest(${p(0)}::text[], ${p(1)}::integer[], ${p(2)}::text[], ${p(3)}::text[],
      ${p(4)}::float8[], ${p(5)}::float8[], ${p(6)}::float8[], ${p(7)}::float8[], ${p(8)}::float8[], ${p(9)}::text[],
      ${p(10)}::jsonb[], ${p(11)}::text[], ${p(12)}::integer[], ${p(13)}::text[])
      WITH ORDINALITY AS t(${COLUMNS}, n) ORDER BY t.n`;
};

/** The 14 column arrays of `insertEntries`. */
export function entryColumns(entries: readonly LedgerEntry[]): unknown[][] {
  const host = hostname();
  const column = <T>(f: (e: LedgerEntry) => T) => entries.map(f);
  return [
    column((e) => e.campaignId ?? ''),
    column((e) => e.round ?? 0),
    column((e) => e.activity),
    column(() => host),
    column((e) => e.usage.wallSeconds),
    column((e) => e.usage.cpuSeconds),
    column((e) => e.usage.gpuSeconds),
    column((e) => e.usage.peakMemoryBytes ?? null),
    column((e) => e.usage.energyJoules),
    column((e) => e.usage.energyMethod),
    column((e) => (e.usage.energyConstants ? JSON.stringify(e.usage.energyConstants) : null)),
    column((e) => e.usage.hardware ?? null),
    column((e) => e.idx ?? null),
    column((e) => e.tier ?? null),
  ];
}

export async function record(sql: Sql, e: LedgerEntry): Promise<void> {
  await query(sql, insertEntries(1), entryColumns([e]));
}

/** Each value once, in the order first written (SQLite's json_group_array(DISTINCT ...) over the rows by id). */
const distinct = (values: ReadonlyArray<string | null> | null): string[] =>
  [...new Set(values ?? [])].filter((v): v is string => v !== null);

export async function ledgerTotals(db: Db, campaignId: string): Promise<LedgerTotals[]> {
  const rows = await query<
    Omit<LedgerTotals, 'energyMethods' | 'hardware'> & {
      methods: string[];
      hardware: (string | null)[];
    }
  >(
    db,
    `SELECT activity, COUNT(*) AS calls, SUM(wall_seconds) AS "wallSeconds", SUM(cpu_seconds) AS "cpuSeconds",
       SUM(energy_joules) AS "energyJoules", array_agg(energy_method ORDER BY id) AS methods,
       array_agg(hardware ORDER BY id) AS hardware
     FROM ledger WHERE campaign_id = $1 GROUP BY activity ORDER BY activity`,
    [campaignId],
  );
  return rows.map(({ methods, hardware, ...rest }) => {
    const machines = distinct(hardware);
    return {
      ...rest,
      energyMethods: distinct(methods),
      ...(machines.length > 0 ? { hardware: machines } : {}),
    };
  });
}

export async function campaignTotals(
  db: Db,
  campaignId: string,
): Promise<{ cpuSeconds: number; energyJoules: number }> {
  const [r] = await query<{ cpuSeconds: number; energyJoules: number }>(
    db,
    `SELECT COALESCE(SUM(cpu_seconds), 0) AS "cpuSeconds", COALESCE(SUM(energy_joules), 0) AS "energyJoules"
     FROM ledger WHERE campaign_id = $1`,
    [campaignId],
  );
  return r ?? { cpuSeconds: 0, energyJoules: 0 };
}

export async function candidateUsage(
  db: Db,
  campaignId: string,
  w: { round: number; idx: number; tier: string },
): Promise<LedgerTotals | undefined> {
  const [r] = await query<Omit<LedgerTotals, 'activity' | 'energyMethods'> & { methods: string[] | null }>(
    db,
    `SELECT COUNT(*) AS calls, COALESCE(SUM(wall_seconds), 0) AS "wallSeconds",
       COALESCE(SUM(cpu_seconds), 0) AS "cpuSeconds", COALESCE(SUM(energy_joules), 0) AS "energyJoules",
       array_agg(energy_method ORDER BY id) AS methods
     FROM ledger WHERE campaign_id = $1 AND round = $2 AND idx = $3 AND tier = $4`,
    [campaignId, w.round, w.idx, w.tier],
  );
  if (!r || r.calls === 0) return undefined;
  const { methods, ...rest } = r;
  return { activity: `candidate ${w.idx} at ${w.tier}`, ...rest, energyMethods: distinct(methods) };
}
