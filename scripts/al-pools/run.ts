/**
 * Labels a whole pool, a few molecules at a time, appending each to the pool's file as it finishes: a run that
 * is stopped (or killed) goes on where it stopped, skipping the molecules the file has. The calculations are
 * cached in the store as well, so a molecule interrupted halfway costs only what it had left.
 */
import type { MoleculeCandidate } from '../../lib/domain/candidate.js';
import type { Store } from '../../store/store.js';
import type { PoolDefinition } from './definitions.js';
import { type LabelOptions, labelMolecule } from './label.js';
import { appendRow, type PoolRow, readRows, writeRows } from './rows.js';

export interface RunOptions extends LabelOptions {
  concurrency: number;
  log: (line: string) => void;
}

export async function labelPool(
  store: Store,
  def: PoolDefinition,
  molecules: readonly MoleculeCandidate[],
  file: string,
  opts: RunOptions,
): Promise<PoolRow[]> {
  const rows = readRows(file);
  writeRows(file, rows); // a line cut short by a kill goes now, before new lines follow it
  const have = new Set(rows.map((r) => r.id));
  const todo = molecules.filter((m) => !have.has(m.label));
  opts.log(
    `${def.name}: ${molecules.length} molecules, ${rows.length} in ${file} already, ${todo.length} to go`,
  );
  const progress = progressReport(def.name, todo.length, opts.log);
  await inLanes(todo, opts.concurrency, async (m) => {
    if (opts.signal?.aborted) return;
    const row = await labelMolecule(store, def, m, opts);
    appendRow(file, row);
    rows.push(row);
    progress();
  });
  return rows;
}

/** A line every few percent: done/total, rate, time left. */
function progressReport(name: string, total: number, log: (line: string) => void): () => void {
  const started = Date.now();
  const every = Math.max(1, Math.round(total / 50));
  let done = 0;
  return () => {
    done++;
    if (done % every !== 0 && done !== total) return;
    const minutes = (Date.now() - started) / 60_000;
    const rate = done / minutes;
    const left = (total - done) / rate;
    log(
      `${name}: ${done}/${total} (${Math.round((100 * done) / total)}%), ${rate.toFixed(1)} molecules/min, ` +
        `${minutes.toFixed(1)} min so far, about ${left.toFixed(0)} min left`,
    );
  };
}

/** Runs `work` over `items`, at most `n` at a time, in order. */
async function inLanes<T>(items: readonly T[], n: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, lane));
}
