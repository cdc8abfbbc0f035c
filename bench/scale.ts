/**
 * bench:scale: rounds of a campaign over a pool of a million molecules, in bounded memory. Pool preparation and
 * featurisation run once (cached in the bench's store: a second run reads them back), then each round trains
 * the surrogate, screens the whole pool with it and acquires a batch, first with configs/demo.yaml's 5-member MLP
 * ensemble, then with the quantile regression forest. The activities are cascade's own (preparePool,
 * trainSurrogate and acquireBatch on a SQLite store, in a mock activity context); only the QM tier is replaced
 * by a synthetic oracle (a fixed random linear function of each molecule's features), so that a round costs what
 * choosing costs.
 *
 *   npx tsx bench/scale.ts [--size 1000000] [--rounds 2] [--home .cascade/bench-scale] [--pool FILE]
 *
 * The pool file defaults to .cascade/pools/generated-<size>.smi, made by scripts/generate-pool.ts when absent
 * (timed as `generate`). Prints each phase's wall time, the process's peak RSS (process.resourceUsage().maxRSS,
 * worker threads included) and the store's size; the last line is JSON.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { acquireBatch } from '../activities/campaign/acquire.js';
import { campaignFeatures } from '../activities/campaign/features.js';
import { preparePool } from '../activities/campaign/pool.js';
import { trainSurrogate } from '../activities/campaign/train.js';
import { formatProblem, loadCampaign } from '../lib/campaign/load.js';
import type { ModelSummary, NoModel } from '../lib/campaign/results.js';
import { CampaignConfig } from '../lib/campaign/schema.js';
import { mulberry32, sampleIndices } from '../lib/random.js';
import { bytesPerRow } from '../lib/surrogate/pool-rows.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { PoolSummary } from '../store/store.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i] as string, process.argv[i + 1] as string);
const size = Number(args.get('--size') ?? 1_000_000);
const rounds = Number(args.get('--rounds') ?? 2);
const home = path.resolve(args.get('--home') ?? path.join('.cascade', 'bench-scale'), String(size));
const poolFile = path.resolve(args.get('--pool') ?? path.join('.cascade', 'pools', `generated-${size}.smi`));
const CAMPAIGN = 'scale';
const TIER = 'xtb';
/** Labelled candidates before the first round (a random batch, as a campaign's first round has). */
const SEED_LABELS = 64;

const mib = (bytes: number) => Math.round(bytes / 1024 / 102.4) / 10;
const peakRss = () => mib(process.resourceUsage().maxRSS * 1024);
const seconds = (t0: number) => Math.round((performance.now() - t0) / 100) / 10;
const phases: Record<string, number> = {};
async function timed<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await fn();
  phases[name] = seconds(t0);
  console.log(`${name}: ${phases[name]} s (peak RSS ${peakRss()} MiB)`);
  return out;
}

// the pool file: made once, deterministically
if (!existsSync(poolFile)) {
  await timed('generate', async () => {
    execFileSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/generate-pool.ts', '--size', String(size), '--out', poolFile],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
  });
}

const demo = loadCampaign(readFileSync('configs/demo.yaml', 'utf8'), 'configs/demo.yaml');
if (!demo.config) throw new Error(demo.problems.map(formatProblem).join('\n'));
const config = CampaignConfig.parse({
  ...demo.config,
  name: CAMPAIGN,
  // the generated molecules pass the default filters; the demo's element list would drop the brominated ones
  candidates: { source: poolFile, format: 'smi' },
  budget: {},
});
const surrogates = {
  'mlp-ensemble': config.surrogate,
  qrf: { ...config.surrogate, kind: 'qrf' as const },
};

const store = new SqliteStore(path.join(home, 'store.db'));
await store.saveCampaign(CAMPAIGN, config);

const pool = (await timed('pool', () =>
  new MockActivityEnvironment().run(preparePool, store, { campaignId: CAMPAIGN, config }),
)) as PoolSummary;
const n = pool.kept;
console.log(`pool: ${n} molecules kept of ${pool.read} read`);

// featurisation once: later runs (and every round) read the cached rows; the oracle is a function of them
const spec = config.surrogate.features;
const oracle = await timed('featurize', async () => {
  const { packed } = await campaignFeatures(store, CAMPAIGN, spec);
  const rng = mulberry32(17);
  const wBits = Float32Array.from({ length: packed.nBits }, () => rng() - 0.5);
  const wDense = Float32Array.from({ length: packed.nDense }, () => (rng() - 0.5) / 10);
  const width = bytesPerRow(packed.nBits);
  return Float32Array.from({ length: packed.rows }, (_, r) => {
    let v = 0;
    for (let b = 0; b < packed.nBits; b++)
      if (((packed.bits[r * width + (b >> 3)] as number) >> (b & 7)) & 1) v += wBits[b] as number;
    for (let j = 0; j < packed.nDense; j++)
      v += (wDense[j] as number) * Math.tanh((packed.dense[r * packed.nDense + j] as number) / 50);
    return v;
  });
});

/** Memory held between rounds: what stays of a round (a leak shows as growth here, not only in the peak). */
function memoryNow(): { rssNowMiB: number; heapUsedMiB: number; arrayBuffersMiB: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rssNowMiB: mib(m.rss), heapUsedMiB: mib(m.heapUsed), arrayBuffersMiB: mib(m.arrayBuffers) };
}

async function evaluate(indices: readonly number[], round: number): Promise<void> {
  for (const idx of indices) {
    await store.putEvaluation(CAMPAIGN, {
      idx,
      tier: TIER,
      round,
      status: 'ok',
      value: oracle[idx] as number,
      values: { homoLumoGap: oracle[idx] as number },
      cached: false,
      cpuSeconds: 0,
      wallSeconds: 0,
    });
  }
}

if ((await store.listEvaluations(CAMPAIGN)).length === 0)
  await evaluate(sampleIndices(n, SEED_LABELS, 1, new Set()), 0);
const startRound = Math.max(0, ...(await store.listModels(CAMPAIGN)).map((m) => m.round)) + 1;

interface RoundFigures {
  round: number;
  kind: string;
  trainedOn: number;
  /** trainSurrogate's wall time: the cached features read back, the fit, the screen and the store's writes. */
  trainAndScreen: number;
  fit: number;
  screen: number;
  acquire: number;
  total: number;
  bestSoFar: number;
  peakRssMiB: number;
  /** At the round's end: the process's resident set now, and the JS heap in use (both after a GC when --expose-gc). */
  rssNowMiB: number;
  heapUsedMiB: number;
  arrayBuffersMiB: number;
}
const figures: RoundFigures[] = [];
for (let k = 0; k < rounds; k++) {
  for (const [kind, surrogate] of Object.entries(surrogates)) {
    const round = startRound + figures.length;
    const t0 = performance.now();
    const model = (await new MockActivityEnvironment().run(trainSurrogate, store, {
      campaignId: CAMPAIGN,
      round,
      seed: round,
      config: { surrogate, tiers: config.tiers },
    })) as ModelSummary | NoModel;
    if (!('id' in model)) throw new Error('no model was trained');
    const trainAndScreen = seconds(t0);
    const t1 = performance.now();
    const { indices } = await acquireBatch(store, {
      campaignId: CAMPAIGN,
      round,
      modelId: model.id,
      size: config.acquisition.batchSize,
      seed: round,
      acquisition: config.acquisition,
      objective: config.objective,
    });
    const acquire = seconds(t1);
    await evaluate(indices, round);
    const values = (await store.listEvaluations(CAMPAIGN)).map((e) => e.value ?? Number.NEGATIVE_INFINITY);
    const f: RoundFigures = {
      round,
      kind,
      trainedOn: model.trainedOn,
      trainAndScreen,
      fit: Math.round(Number(model.metrics.fitSeconds ?? 0) * 10) / 10,
      screen: Math.round(Number(model.metrics.predictSeconds ?? 0) * 10) / 10,
      acquire,
      total: seconds(t0),
      bestSoFar: Math.max(...values),
      peakRssMiB: peakRss(),
      ...memoryNow(),
    };
    figures.push(f);
    console.log(
      `round ${round} (${kind}, ${f.trainedOn} labels): train+screen ${f.trainAndScreen} s (fit ${f.fit} s, ` +
        `screen ${f.screen} s), acquire ${f.acquire} s, total ${f.total} s; peak RSS ${f.peakRssMiB} MiB ` +
        `(now ${f.rssNowMiB} MiB, JS heap ${f.heapUsedMiB} MiB, buffers ${f.arrayBuffersMiB} MiB)`,
    );
  }
}

await store.close();
const storeBytes = ['store.db', 'store.db-wal']
  .map((f) => path.join(home, f))
  .filter(existsSync)
  .reduce((s, f) => s + statSync(f).size, 0);
console.log(`store: ${mib(storeBytes)} MiB; peak RSS ${peakRss()} MiB`);
console.log(
  JSON.stringify({
    size: n,
    phases,
    rounds: figures,
    peakRssMiB: peakRss(),
    storeMiB: mib(storeBytes),
    cores: (await import('node:os')).availableParallelism(),
  }),
);
