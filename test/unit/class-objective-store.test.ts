/**
 * A class objective's activities and read model on a real SQLite store: the class model trained from the
 * store's results (labels, figures, P(hit) for the pool), acquisition ranking by P(hit) x P(success), the hits
 * `cascade status` reads, and `cascade resume`'s restore.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireBatch } from '../../activities/campaign/acquire.js';
import { trainClassModel } from '../../activities/campaign/class-model.js';
import { restoreCampaign } from '../../activities/campaign/restore.js';
import { storeView } from '../../cli/report-data.js';
import { CampaignConfig, type CampaignInput } from '../../lib/campaign/schema.js';
import type { MoleculeCandidate } from '../../lib/domain/candidate.js';
import { FAILURE_CLASSIFIER } from '../../lib/surrogate/kinds.js';
import { modelDescriptionFrom } from '../../lib/surrogate/model.js';
import { closeStores, openStore } from '../../store/open.js';
import type { Store } from '../../store/store.js';

let dir: string;
let n = 0;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cascade-class-'));
});
afterAll(async () => {
  await closeStores();
  rmSync(dir, { recursive: true, force: true });
});

// alcohols (hits: a gap of 5 eV and more, made up below) and aromatics (misses)
const SMILES = ['CCO', 'CCCO', 'CCCCO', 'CCCCCO', 'c1ccccc1', 'Cc1ccccc1', 'CCc1ccccc1', 'Oc1ccccc1'];
const SMILES_MORE = ['CCCCCCO', 'CCCc1ccccc1'];
const mols: MoleculeCandidate[] = [...SMILES, ...SMILES_MORE].map((smiles, idx) => ({
  kind: 'molecule',
  idx,
  label: `m${idx}`,
  smiles,
  heavyAtoms: smiles.replace(/[^A-Za-z]/g, '').length,
}));

async function campaign(objective: CampaignInput['objective'], extra: Partial<CampaignInput> = {}) {
  const name = `c${++n}`;
  const store: Store = openStore(path.join(dir, `${name}.db`));
  const config = CampaignConfig.parse({
    name,
    candidates: { source: 'mols.smi' },
    objective,
    surrogate: { features: { morganBits: 64, descriptors: false } },
    acquisition: { strategy: 'greedy', batchSize: 2 },
    tiers: [{ code: 'xtb' }],
    ...extra,
  });
  await store.saveCampaign(name, config);
  await store.putCandidates(name, mols);
  return { store, config, name };
}

const result = (idx: number, gap: number | undefined, dipole = 0) => ({
  idx,
  tier: 'xtb',
  round: 0,
  status: gap === undefined ? ('failed' as const) : ('ok' as const),
  ...(gap === undefined
    ? {}
    : { value: gap, values: { homoLumoGap: gap, totalEnergy: -gap, dipoleMoment: dipole } }),
  cached: false,
  cpuSeconds: 1,
  wallSeconds: 1,
});

describe('the class model of a retrain', () => {
  it('learns the class from the store and predicts P(hit) for the pool, with both networks figures', {
    timeout: 60_000,
  }, async () => {
    const { store, config, name } = await campaign(
      { property: 'homoLumoGap', above: 5 },
      { classifier: { epochs: 60, hiddenLayers: [8], latentDim: 2, folds: 2, minFailures: 2 } },
    );
    // alcohols 6-7 eV, aromatics 3-4 eV; one aromatic failed: left out of the labels
    for (const [idx, gap] of [
      [0, 7],
      [1, 6.5],
      [2, 6.2],
      [3, 6],
      [4, 3.5],
      [5, 3.8],
      [6, 3.2],
    ] as const)
      await store.putEvaluation(name, result(idx, gap));
    await store.putEvaluation(name, result(7, undefined));
    const beats: string[] = [];
    const trained = await trainClassModel(store, { campaignId: name, round: 1, seed: 3, config }, (p) =>
      beats.push(String(p.phase)),
    );
    expect(trained).toMatchObject({ id: `${name}-r1`, trainedOn: 7, labelTier: 'xtb', fidelity: 'direct' });
    const model = await store.latestModel(name);
    expect(model?.kind).toBe(FAILURE_CLASSIFIER);
    expect(model?.description).toMatchObject({ trainedOn: 7, labelTier: 'xtb' });
    expect(model?.description.property).toBeUndefined();
    expect(model?.metrics.inClass).toBe(4);
    for (const key of [
      'accuracy',
      'brier',
      'ece',
      'nc1',
      'meanBinarity',
      'plainAccuracy',
      'plainBrier',
    ] as const)
      expect(Number.isFinite(model?.metrics[key]), key).toBe(true);
    const p = new Map((await store.getPredictions(`${name}-r1`)).map((x) => [x.idx, x.mean]));
    expect(p.size).toBe(mols.length);
    // an unseen alcohol is more likely a hit than an unseen aromatic
    expect(p.get(8) as number).toBeGreaterThan(p.get(9) as number);
    expect(beats).toContain('training the class model');
    // no failure classifier for two reasons: one failure, and it would need two
    expect(await store.latestModel(name, 'success')).toBeUndefined();
  });

  it('trains nothing until both sides have enough', async () => {
    const { store, config, name } = await campaign({ property: 'homoLumoGap', above: 5 });
    for (const idx of [0, 1, 2, 3, 4]) await store.putEvaluation(name, result(idx, 7));
    const trained = await trainClassModel(store, { campaignId: name, round: 1, seed: 3, config }, () => {});
    expect('id' in trained).toBe(false);
    expect(await store.latestModel(name)).toBeUndefined();
  });
});

describe('acquisition, hits and restore on the store', () => {
  /** A stored LBE model with these predictions (`property`: the failure classifier's). */
  async function model(store: Store, name: string, id: string, mean: number[], property?: string) {
    await store.putModel(
      {
        id,
        campaignId: name,
        round: 1,
        kind: FAILURE_CLASSIFIER,
        backend: 'cpu',
        description: modelDescriptionFrom({
          kind: FAILURE_CLASSIFIER,
          settings: CampaignConfig.parse({
            name,
            candidates: { source: 'm.smi' },
            objective: { property: 'succeeds' },
            tiers: [{ code: 'xtb' }],
          }).surrogate,
          fidelity: 'direct',
          labelTier: 'xtb',
          trainedOn: 4,
          nFeatures: 64,
          backend: 'cpu',
          ...(property ? { property } : {}),
        }),
        metrics: {},
      },
      new Uint8Array(),
    );
    await store.putPredictions(
      name,
      id,
      Float32Array.from(mean),
      new Float32Array(mean.length),
      mean.map((_, i) => i),
    );
  }

  it('ranks by P(hit) x P(success), a below bar included', async () => {
    const { store, config, name } = await campaign(
      { property: 'dipoleMoment', below: 1 },
      { classifier: { minFailures: 2 } },
    );
    for (const idx of [0, 1]) await store.putEvaluation(name, result(idx, 5));
    // P(hit): 8 best, then 6, 3, 9; P(success) halves 8: 0.9 x 0.5 = 0.45 < 0.8, 0.7
    await model(store, name, `${name}-r1`, [0.9, 0.9, 0.1, 0.7, 0.2, 0.3, 0.8, 0.1, 0.9, 0.6]);
    await model(store, name, `${name}-r1~success`, [1, 1, 1, 1, 1, 1, 1, 1, 0.5, 1], 'success');
    const { indices } = await acquireBatch(store, {
      campaignId: name,
      round: 1,
      modelId: `${name}-r1`,
      size: 3,
      seed: 1,
      acquisition: config.acquisition,
      objective: config.objective,
    });
    expect(indices).toEqual([6, 3, 9]);
  });

  it('status and restore count the feasible hits at the last tier; succeeds keeps no best', async () => {
    const bar = await campaign({ property: 'homoLumoGap', above: 5 }, { constraints: ['dipoleMoment <= 2'] });
    // hits: 0 (7) and 2 (5, equal to the bar); 1 breaks the constraint; 3 misses; 4 failed
    for (const r of [
      result(0, 7, 1),
      result(1, 8, 3),
      result(2, 5, 0),
      result(3, 4, 0),
      result(4, undefined),
    ])
      await bar.store.putEvaluation(bar.name, r);
    expect((await storeView(bar.store, bar.name)).hits).toEqual({ count: 2, of: 'homoLumoGap >= 5' });
    const restored = await restoreCampaign(bar.store, { campaignId: bar.name });
    expect(restored.hits).toBe(2);
    expect(restored.best?.value).toBe(8);

    const ok = await campaign({ property: 'succeeds' });
    for (const r of [result(0, 7), result(1, undefined), result(2, 5)])
      await ok.store.putEvaluation(ok.name, r);
    expect((await storeView(ok.store, ok.name)).hits).toEqual({ count: 2, of: 'calculations succeed' });
    const again = await restoreCampaign(ok.store, { campaignId: ok.name });
    expect(again.hits).toBe(2);
    expect(again.best).toBeUndefined();

    // a value objective has neither
    const plain = await campaign({ property: 'homoLumoGap', direction: 'maximize' });
    await plain.store.putEvaluation(plain.name, result(0, 7));
    expect((await storeView(plain.store, plain.name)).hits).toBeUndefined();
    expect((await restoreCampaign(plain.store, { campaignId: plain.name })).hits).toBeUndefined();
  });
});
