/**
 * Store overhead per calculation, SQLite against PostgreSQL on the same workload: what the store costs a
 * calculation besides the code itself. One calculation is what calculate() and evaluateBatch() write and read:
 * its execution started through a claim, ended with its result (one write), its evaluation with its two ledger
 * lines (one write), then its result and evaluation read back. Then several workers writing at once.
 *
 *   npm run bench:store -- [--n 400] [--repeat 3] [--workers 4]
 *
 * SQLite is a file in a temporary folder (WAL, synchronous=NORMAL: no fsync per commit); PostgreSQL a throw-away
 * cluster on 127.0.0.1 started here (scripts/postgres-cluster.ts, fsync off: no fsync per commit either), reached
 * over TCP as a worker on another host would. Each measure is the median of --repeat runs after a warm-up; the
 * last line printed is JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Usage } from '../lib/domain/usage.js';
import { startCluster } from '../scripts/postgres-cluster.js';
import { closeStores, connectStore } from '../store/open.js';
import type { QmResultRecord, Store } from '../store/store.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i] as string, process.argv[i + 1] as string);
const n = Number(args.get('--n') ?? 400);
const repeat = Number(args.get('--repeat') ?? 3);
const workers = Number(args.get('--workers') ?? 4);
const WARM_UP = 50;

const median = (a: number[]) => {
  const b = [...a].sort((u, v) => u - v);
  return b.length % 2
    ? (b[b.length >> 1] as number)
    : ((b[b.length / 2 - 1] as number) + (b[b.length / 2] as number)) / 2;
};

const usage: Usage = {
  wallSeconds: 12.5,
  cpuSeconds: 11.9,
  gpuSeconds: 0,
  peakMemoryBytes: 1.2e8,
  energyJoules: 148.2,
  energyMethod: 'model',
  energyConstants: { wattsPerCore: 12, pue: 1 },
  hardware: 'bench CPU (2 logical CPUs)',
};

/** A result of xtb's size: its outputs and the provenance calculate() records (the canonical system included). */
function result(key: string, i: number): QmResultRecord {
  return {
    key,
    code: 'xtb',
    codeVersion: '6.7.1',
    method: 'gfn2',
    settings: { task: 'energy', basis: null, solvent: null, charge: 0, multiplicity: 1, accuracy: 1 },
    geometryHash: `sha256:${key}`,
    status: 'ok',
    outputs: { totalEnergy: -5.07 - i * 1e-6, homoLumoGap: 7.25, dipole: 1.85, charges: [0.1, -0.2, 0.1] },
    provenance: {
      host: hostname(),
      wallSeconds: 12.5,
      cpuSeconds: 11.9,
      attempts: 1,
      handlersFired: [],
      system: 'C 0.000000 0.000000 0.000000\nO 1.430000 0.000000 0.000000\n'.repeat(6),
    },
  };
}

/** One calculation's store traffic. */
async function calculation(store: Store, campaign: string, i: number): Promise<void> {
  const key = `${campaign}-${i}`;
  const execution = await store.claimExecution(key, 'xtb', hostname());
  if (execution === undefined) throw new Error(`${key} was claimed already`);
  await store.finishExecution(execution, 'ok', result(key, i));
  const where = { campaignId: campaign, round: 0, idx: i, tier: 'xtb' };
  await store.putEvaluation(
    campaign,
    {
      idx: i,
      tier: 'xtb',
      round: 0,
      resultKey: key,
      status: 'ok',
      value: 7.25,
      values: { homoLumoGap: 7.25, totalEnergy: -5.07 },
      cached: false,
      cpuSeconds: 11.9,
      wallSeconds: 12.5,
    },
    [
      { ...where, activity: 'geometry', usage },
      { ...where, activity: 'qm:xtb', usage },
    ],
  );
  const [back, evaluation] = [await store.getQmResult(key), await store.getEvaluation(campaign, i, 'xtb')];
  if (back?.status !== 'ok' || evaluation?.resultKey !== key) throw new Error(`${key} did not read back`);
}

let runs = 0;

/** Milliseconds per calculation: `n` calculations by `concurrency` workers at once, after a warm-up. */
async function measure(store: Store, concurrency: number): Promise<number> {
  const times: number[] = [];
  for (let r = -1; r < repeat; r++) {
    const campaign = `bench-${++runs}`;
    const count = r < 0 ? WARM_UP : n;
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) await calculation(store, campaign, next++);
      }),
    );
    if (r >= 0) times.push((performance.now() - start) / count);
  }
  return median(times);
}

const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cascade-bench-store-'));
  const cluster = await startCluster();
  try {
    const sqlite = await connectStore(path.join(dir, 'bench.db'));
    const postgres = await connectStore(await cluster.createDatabase('bench'));
    console.log(`store overhead per calculation: ${n} calculations, median of ${repeat} runs`);
    const sqliteMs = await measure(sqlite, 1);
    console.log(`SQLite      one worker                 ${fmt(sqliteMs)}`);
    const postgresMs = await measure(postgres, 1);
    console.log(
      `PostgreSQL  one worker                 ${fmt(postgresMs)}   (${(postgresMs / sqliteMs).toFixed(2)}x SQLite)`,
    );
    const sqliteManyMs = await measure(sqlite, workers);
    console.log(`SQLite      ${workers} workers in one process  ${fmt(sqliteManyMs)}`);
    const postgresManyMs = await measure(postgres, workers);
    console.log(
      `PostgreSQL  ${workers} workers                ${fmt(postgresManyMs)}   (${(postgresManyMs / sqliteManyMs).toFixed(2)}x SQLite)`,
    );
    console.log(
      JSON.stringify({
        n,
        repeat,
        workers,
        msPerCalculation: {
          sqlite: sqliteMs,
          postgres: postgresMs,
          sqliteConcurrent: sqliteManyMs,
          postgresConcurrent: postgresManyMs,
        },
        ratio: postgresMs / sqliteMs,
      }),
    );
  } finally {
    await closeStores();
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
