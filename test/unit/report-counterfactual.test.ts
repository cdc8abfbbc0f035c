/**
 * The read model's counterfactual (`storeView`, what `cascade status` and `--json` show) from a real store: two
 * tiers, a target, and the latest surrogate's predictions for the candidates without a top-tier result.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { storeView } from '../../cli/report-data.js';
import { CampaignConfig } from '../../lib/campaign/schema.js';
import type { MoleculeCandidate } from '../../lib/domain/candidate.js';
import type { Usage } from '../../lib/domain/usage.js';
import { modelDescriptionFrom } from '../../lib/surrogate/model.js';
import { closeStores, openStore } from '../../store/open.js';
import type { Store } from '../../store/store.js';

let dir: string;
let db: Store;
let n = 0;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cascade-report-cf-'));
});
afterAll(async () => {
  await closeStores();
  rmSync(dir, { recursive: true, force: true });
});

const usage = (cpuSeconds: number, energyJoules: number): Usage => ({
  wallSeconds: cpuSeconds,
  cpuSeconds,
  gpuSeconds: 0,
  energyJoules,
  energyMethod: 'test',
});

const config = (stopping: Record<string, unknown>) =>
  CampaignConfig.parse({
    name: 'r',
    candidates: { source: '/data/mols.smi' },
    objective: { property: 'homoLumoGap', direction: 'maximize' },
    tiers: [{ code: 'xtb' }, { code: 'nwchem', method: 'b3lyp', basis: '6-31G*', promote: { top: 0.25 } }],
    stopping,
  });

async function model(id: string, round: number, labelTier: string) {
  await db.putModel(
    {
      id,
      campaignId: 'r',
      round,
      kind: 'mlp-ensemble',
      backend: 'cpu',
      description: modelDescriptionFrom({
        kind: 'mlp-ensemble',
        settings: {},
        fidelity: 'direct',
        labelTier,
        trainedOn: 4,
        nFeatures: 8,
        backend: 'cpu',
      }),
      metrics: {},
    },
    new Uint8Array(),
  );
  // the first two have nwchem results: their predictions are not brute force's to estimate
  await db.putPredictions(
    'r',
    id,
    new Float32Array([9, 9, 3, 5, 1, 3]),
    new Float32Array([1, 1, 1, 1, 2, 0]),
    [0, 1, 2, 3, 4, 5],
  );
}

beforeEach(async () => {
  db = openStore(path.join(dir, `store-${++n}.db`));
  const pool: MoleculeCandidate[] = [0, 1, 2, 3, 4, 5].map((idx) => ({
    kind: 'molecule',
    idx,
    label: `m${idx}`,
    smiles: 'C'.repeat(idx + 1),
    heavyAtoms: idx + 1,
  }));
  await db.putCandidates('r', pool);
  const evaluate = async (idx: number, tier: string, cpuSeconds: number, joules: number, value: number) =>
    db.putEvaluation(
      'r',
      {
        idx,
        tier,
        round: 0,
        resultKey: `${tier}-${idx}`,
        status: 'ok',
        value,
        values: { homoLumoGap: value },
        cached: false,
        cpuSeconds,
        wallSeconds: cpuSeconds,
      },
      { campaignId: 'r', round: 0, activity: `qm:${tier}`, usage: usage(cpuSeconds, joules) },
    );
  // xtb: CPU-s 1, 1, 2, 2, 3, 3 at 10 J each: median 20 J; nwchem: 100 J and 300 J: median 200 J
  for (const [idx, cpu] of [1, 1, 2, 2, 3, 3].entries()) await evaluate(idx, 'xtb', cpu, cpu * 10, idx);
  await evaluate(0, 'nwchem', 10, 100, 4);
  await evaluate(1, 'nwchem', 30, 300, 2);
  await db.record({ campaignId: 'r', round: 1, activity: 'ml:train+screen', usage: usage(8, 80) });
});

describe('storeView: the counterfactual', () => {
  it('estimates brute force’s hits at a target from the top tier’s surrogate', async () => {
    await db.saveCampaign('r', config({ target: 3 }));
    await model('r-m1', 1, 'nwchem');
    const c = (await storeView(db, 'r')).counterfactual;
    expect(c?.bruteForce).toEqual({
      firstTier: { cpuSeconds: 12, energyJoules: 120 },
      allTiers: { cpuSeconds: 132, energyJoules: 1320 },
    });
    // 120 + 400 + 80 J in the ledger
    expect(c?.actual).toEqual({
      cpuSeconds: 60,
      energyJoules: 600,
      qm: { cpuSeconds: 52, energyJoules: 520 },
    });
    expect(c?.topTierCallsAvoided).toBe(4);
    expect(c?.hits).toMatchObject({
      definition: 'target',
      threshold: 3,
      found: 1,
      bruteForceBasis: 'surrogate',
    });
    // 1 found (4 >= 3) + 0.5 + Phi(2) + Phi(-1) + 1 (a mean of 3 with no spread reaches 3)
    expect(c?.hits.bruteForce).toBeCloseTo(3.635905121983278, 6);
    expect(c?.hits.perKWh).toBeCloseTo(6000, 9);
    expect(c?.hits.bruteForcePerKWh).toBeCloseTo((3.635905121983278 * 3.6e6) / 1320, 2);
  });

  it('leaves them unknown when the latest surrogate learned a cheaper tier', async () => {
    await db.saveCampaign('r', config({ target: 3 }));
    await model('r-m1', 1, 'nwchem');
    await model('r-m2', 2, 'xtb');
    const hits = (await storeView(db, 'r')).counterfactual?.hits;
    expect(hits).toMatchObject({ found: 1, unknown: 'the latest surrogate learned xtb, not nwchem' });
    expect(hits?.bruteForce).toBeUndefined();
  });

  it('without a target, counts the top k (10 for a config stored before accounting existed)', async () => {
    const { accounting: _, ...before } = config({});
    await db.saveCampaign('r', before as CampaignConfig);
    const hits = (await storeView(db, 'r')).counterfactual?.hits;
    expect(hits).toMatchObject({ definition: 'top-k', k: 10, threshold: 2, found: 2, bruteForce: 10 });
  });
});

describe('storeView: the top candidates', () => {
  it('ranks by the objective, and with constraints keeps only the results that meet them', async () => {
    await db.saveCampaign('r', config({}));
    expect((await storeView(db, 'r')).top.map((t) => [t.label, t.value])).toEqual([
      ['m0', 4],
      ['m1', 2],
    ]);
    // the better one breaks the bound: it is never the best (as in the workflow)
    await db.saveCampaign('r', {
      ...config({}),
      constraints: [{ property: 'homoLumoGap', op: '<=', bound: 3 }],
    });
    expect((await storeView(db, 'r')).top.map((t) => [t.label, t.identity, t.value])).toEqual([
      ['m1', 'CC', 2],
    ]);
  });
});
