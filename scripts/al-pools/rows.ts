/**
 * One line of a labelled pool file (data/al/*.jsonl), and reading and appending them. The files are written as
 * molecules finish, so that an interrupted run loses nothing; bench/al/pool.ts reads them.
 */
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface TierLabel {
  status: 'ok' | 'failed';
  /** eV. */
  homoLumoGap?: number;
  /** Hartree. */
  energy?: number;
  /** The code's own CPU and wall time (of the run that produced the stored result, also when it was cached). */
  cpuSeconds: number;
  wallSeconds: number;
  peakMemoryBytes?: number;
  error?: string;
}

export interface PoolRow {
  /** The candidate file's id for the molecule (NCI: its number). */
  id: string;
  /** Canonical SMILES, as a campaign identifies the candidate. */
  smiles: string;
  heavyAtoms: number;
  /** By tier name, in ladder order; a failed tier ends the ladder, as it ends promotion in a campaign. */
  labels: Record<string, TierLabel>;
  geometry: { cpuSeconds: number; wallSeconds: number; method: string; error?: string };
}

/** The rows of a pool file. A last line cut short (the run was killed while writing it) is dropped. */
export function readRows(file: string): PoolRow[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n');
  const rows: PoolRow[] = [];
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    try {
      rows.push(JSON.parse(line) as PoolRow);
    } catch (e) {
      const last = lines.slice(i + 1).every((l) => l.trim() === '');
      if (!last) throw new Error(`${file}:${i + 1}: ${(e as Error).message}`);
    }
  }
  return rows;
}

/** Rewrites the file with exactly these rows (a partial last line gone), sorted by id, through a rename. */
export function writeRows(file: string, rows: readonly PoolRow[]): void {
  const sorted = [...rows].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, sorted.map((r) => `${JSON.stringify(r)}\n`).join(''));
  renameSync(tmp, file);
}

export function appendRow(file: string, row: PoolRow): void {
  appendFileSync(file, `${JSON.stringify(row)}\n`);
}

/** Rounded to what the numbers mean (the codes print about as many digits), to keep the files small. */
export function rounded(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
