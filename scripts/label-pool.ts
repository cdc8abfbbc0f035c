/**
 * Labels the active-learning bench's two pools with cascade itself (data/al/README.md says what they are):
 *
 *   npx tsx scripts/label-pool.ts nci|small|readme|all [--concurrency 1|2] [--limit N] [--out DIR] [--home DIR]
 *
 * `nci` and `small` select their pool as a campaign would and label it, appending each molecule to
 * DIR/<pool>.jsonl as it finishes (a rerun goes on from there); `readme` writes the figures of DIR/README.md
 * from the files (and sorts them by id); `all` does the three in turn. Calculations go through a store of their own (in --home,
 * default .cascade/label), which caches every result: a rerun from empty files costs no calculation.
 * `--limit N` labels only the pool's first N molecules (to time a few before the whole run).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { tierName } from '../lib/campaign/schema.js';
import { codeEntry } from '../qm/codes/registry.js';
import { closeStores, openStore } from '../store/open.js';
import { type PoolDefinition, poolDefinitions } from './al-pools/definitions.js';
import { writeFigures } from './al-pools/readme.js';
import { type PoolRow, readRows, writeRows } from './al-pools/rows.js';
import { labelPool } from './al-pools/run.js';
import { selectPool } from './al-pools/select.js';

const MAX_CONCURRENCY = 2;

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function count(name: string, fallback: number): number {
  const v = option(name);
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
  return n;
}

const command = process.argv[2];
const outDir = path.resolve(option('--out') ?? 'data/al');
// a store of its own, whatever the environment names: the labelling must not mix with anyone's campaigns
process.env.CASCADE_HOME = path.resolve(option('--home') ?? '.cascade/label');
const store = openStore(path.join(process.env.CASCADE_HOME, 'cascade.db'));
const concurrency = Math.min(MAX_CONCURRENCY, count('--concurrency', 1));
const limit = option('--limit') === undefined ? undefined : count('--limit', 1);
const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const defs = poolDefinitions();
const pools: Record<string, PoolDefinition> = { nci: defs.nci, small: defs.small };
const fileOf = (def: PoolDefinition) => path.join(outDir, `${def.name}.jsonl`);

// Ctrl-C or kill: the running calculations are killed (nothing is recorded for them), finished lines stay
const stop = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    log(`${sig}: stopping; rerun the same command to go on`);
    stop.abort();
    setTimeout(() => process.exit(130), 2000).unref();
  });
}

async function label(def: PoolDefinition): Promise<void> {
  await probeCodes(def);
  const { molecules, summary } = await selectPool(store, def);
  log(
    `${def.name}: read ${summary.read} lines, kept ${summary.kept}; rejected ${JSON.stringify(summary.rejected)}`,
  );
  const chosen = limit === undefined ? molecules : molecules.slice(0, limit);
  const started = Date.now();
  const rows = await labelPool(store, def, chosen, fileOf(def), {
    concurrency,
    log,
    signal: stop.signal,
    embeddingCost: embeddingCostFromFiles(def),
  });
  log(
    `${def.name}: ${rows.length} molecules in ${fileOf(def)}, ${((Date.now() - started) / 60_000).toFixed(1)} min`,
  );
}

/** A missing or broken code would fail every molecule: refuse to start instead (and log the versions). */
async function probeCodes(def: PoolDefinition): Promise<void> {
  for (const tier of def.config.tiers) {
    const entry = codeEntry(tier.code);
    log(`${def.name}: tier ${tierName(tier)} = ${tier.code} ${await entry.version(entry.profile().binary)}`);
  }
}

/** The embedding cost the other pools' files recorded for a SMILES (read again on each miss: they grow). */
function embeddingCostFromFiles(def: PoolDefinition): (smiles: string) => PoolRow['geometry'] | undefined {
  return (smiles) => {
    const others = readdirSync(outDir).filter((f) => f.endsWith('.jsonl') && f !== `${def.name}.jsonl`);
    for (const f of others) {
      const row = readRows(path.join(outDir, f)).find((r) => r.smiles === smiles && !r.geometry.error);
      if (row) return row.geometry;
    }
    return undefined;
  };
}

async function readme(): Promise<void> {
  const list = Object.values(pools).map((def) => {
    const rows = readRows(fileOf(def));
    writeRows(fileOf(def), rows); // in id order, whatever order the lanes finished in
    return { def, file: path.basename(fileOf(def)), rows };
  });
  await writeFigures(path.join(outDir, 'README.md'), list);
  log(`wrote the figures of ${path.join(outDir, 'README.md')}`);
}

try {
  if (command === 'nci' || command === 'small') await label(pools[command] as PoolDefinition);
  else if (command === 'readme') await readme();
  else if (command === 'all') {
    await label(defs.nci);
    if (!stop.signal.aborted) await label(defs.small);
    if (!stop.signal.aborted) await readme();
  } else {
    throw new Error(
      `usage: label-pool.ts nci|small|readme|all [--concurrency 1|2] [--limit N] [--out DIR] [--home DIR]`,
    );
  }
} finally {
  await closeStores();
}
