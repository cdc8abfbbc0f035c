/**
 * acquireBatch on a real SQLite store: the context it builds from the store (plug-in incumbent, costs from past
 * evaluations and heavy atoms, fingerprints from the cached feature rows) reaches the strategies.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireBatch } from '../../activities/campaign/acquire.js';
import { CampaignConfig, type CampaignInput } from '../../lib/campaign/schema.js';
import type { MoleculeCandidate } from '../../lib/domain/candidate.js';
import { modelDescriptionFrom } from '../../lib/surrogate/model.js';
import { closeStores, openStore } from '../../store/open.js';
import type { EvaluationRecord, Store } from '../../store/store.js';

let dir: string;
let n = 0;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cascade-acquire-'));
});
afterAll(async () => {
  await closeStores();
  rmSync(dir, { recursive: true, force: true });
});

const SMILES = ['CCCCCCO', 'CCCCCCCO', 'c1ccccc1', 'CC', 'CCCC', 'CCCCCCCCCC', 'CCO', 'CCCCCO'];
const HEAVY_ATOMS = [7, 8, 6, 2, 4, 10, 3, 6];
const mols: MoleculeCandidate[] = SMILES.map((smiles, idx) => ({
  kind: 'molecule',
  idx,
  label: `m${idx}`,
  smiles,
  heavyAtoms: HEAVY_ATOMS[idx] as number,
}));

const evaluation = (idx: number, value: number, cpuSeconds: number): EvaluationRecord => ({
  idx,
  tier: 'xtb',
  round: 0,
  status: 'ok',
  value,
  cached: false,
  cpuSeconds,
  wallSeconds: cpuSeconds,
});

/** A store holding the pool, some evaluations and a model whose predictions are `mean` and `std`. */
async function campaign(acquisition: CampaignInput['acquisition'], mean: number[], std: number[]) {
  const store: Store = openStore(path.join(dir, `s${++n}.db`));
  const config = CampaignConfig.parse({
    name: 'acq',
    candidates: { source: 'mols.smi' },
    objective: { property: 'homoLumoGap', direction: 'maximize' },
    surrogate: { features: { morganBits: 256, descriptors: false } },
    acquisition,
    tiers: [{ code: 'xtb' }],
  });
  await store.saveCampaign('acq', config);
  await store.putCandidates('acq', mols);
  await store.putModel(
    {
      id: 'acq-m0',
      campaignId: 'acq',
      round: 0,
      kind: 'mlp-ensemble',
      backend: 'cpu',
      description: modelDescriptionFrom({
        kind: 'mlp-ensemble',
        settings: config.surrogate,
        fidelity: 'direct',
        labelTier: 'xtb',
        trainedOn: 2,
        nFeatures: 256,
        backend: 'cpu',
      }),
      metrics: {},
    },
    new Uint8Array(),
  );
  await store.putPredictions(
    'acq',
    'acq-m0',
    Float32Array.from(mean),
    Float32Array.from(std),
    mean.map((_, i) => i),
  );
  return { store, config };
}

const run = (store: Store, config: CampaignConfig, size: number) =>
  acquireBatch(store, {
    campaignId: 'acq',
    round: 1,
    modelId: 'acq-m0',
    size,
    seed: 1,
    acquisition: config.acquisition,
    objective: config.objective,
  }).then((r) => r.indices);

describe('acquireBatch', () => {
  it('nei takes its incumbent from the predicted means of the learned candidates', async () => {
    // learned: 3 (observed 5.0, predicted 1.0) and 4 (observed 0.5, predicted 1.1): incumbent 1.1, not 5.0
    const mean = [1.0, 1.0, 1.0, 1.0, 1.1, 1.0, 1.3, 0.9];
    const std = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];
    const { store, config } = await campaign({ strategy: 'nei', batchSize: 3 }, mean, std);
    await store.putEvaluation('acq', evaluation(3, 5.0, 1));
    await store.putEvaluation('acq', evaluation(4, 0.5, 1));
    // 6 (1.3) beats 1.1; then 0, 1, 2 at 1.0 tie by index
    expect(await run(store, config, 3)).toEqual([6, 0, 1]);
    // against the observed 5.0 every EI would underflow to 0 and the batch would be the lowest indices
  });

  it('costAware ranks by EI per predicted CPU-second, fitted on the evaluations', async () => {
    // every unevaluated candidate has the same EI; xtb cost measured as 2 s per heavy atom
    const mean = new Array(SMILES.length).fill(1.2);
    const std = new Array(SMILES.length).fill(0.5);
    const { store, config } = await campaign({ strategy: 'ei', batchSize: 8, costAware: true }, mean, std);
    // heavy atoms: 0:7 1:8 2:6 3:2 4:4 5:10 6:3 7:6
    for (const [idx, heavy] of [
      [3, 2],
      [4, 4],
      [2, 6],
      [1, 8],
      [5, 10],
    ] as const)
      await store.putEvaluation('acq', evaluation(idx, 1.0, 2 * heavy));
    // unevaluated 0 (7), 6 (3), 7 (6): cheapest first
    expect(await run(store, config, 3)).toEqual([6, 7, 0]);
    // without costAware the equal EIs tie by index
    const plain = await campaign({ strategy: 'ei', batchSize: 8 }, mean, std);
    for (const idx of [3, 4, 2, 1, 5]) await plain.store.putEvaluation('acq', evaluation(idx, 1.0, 5));
    expect(await run(plain.store, plain.config, 3)).toEqual([0, 6, 7]);
  });

  it('diversity reads the fingerprints the surrogate was screened with', async () => {
    // greedy order: 0 (hexanol), 1 (heptanol, a near-duplicate), 2 (benzene), ...
    const mean = [3.0, 2.9, 2.0, 0.1, 0.2, 0.3, 0.4, 0.5];
    const std = new Array(SMILES.length).fill(0);
    const plain = await campaign({ strategy: 'greedy', batchSize: 2 }, mean, std);
    expect(await run(plain.store, plain.config, 2)).toEqual([0, 1]);
    const diverse = await campaign({ strategy: 'greedy', batchSize: 2, diversity: 1 }, mean, std);
    expect(await run(diverse.store, diverse.config, 2)).toEqual([0, 2]);
  });

  it('thompson draws from the ensemble members the model stored, one member per slot', async () => {
    // equal Gaussians everywhere: only the members tell candidates apart. Member k's best is candidate k + 4.
    const mean = [0, 0, 0, 0, 0, 0, 0, 0];
    const std = [1, 1, 1, 1, 1, 1, 1, 1];
    const { store, config } = await campaign({ strategy: 'thompson', batchSize: 3 }, mean, std);
    const members = [0, 1, 2].map((k) => Float32Array.from(mean, (_, i) => (i === k + 4 ? 10 : -i)));
    await store.putPredictionSamples(
      'acq',
      'acq-m0',
      members,
      mean.map((_, i) => i),
    );
    const batch = await run(store, config, 3);
    // each slot takes the best unchosen candidate of one member drawn at random: all of 4, 5, 6 unless a member is
    // drawn twice, when its next best (0, its least negative) comes in
    expect(batch.every((i) => [4, 5, 6, 0].includes(i))).toBe(true);
    expect(new Set(batch).size).toBe(3);
    // without samples the Gaussians decide: a different batch from the same seed
    const plain = await campaign({ strategy: 'thompson', batchSize: 3 }, mean, std);
    expect(await run(plain.store, plain.config, 3)).not.toEqual(batch);
  });
});
