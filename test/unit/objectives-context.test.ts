/**
 * The several-objectives part of the acquisition context (lib/acquisition/objectives-context.ts) on a pool of
 * four, worked by hand: which properties it reads, the columns in objective order, the SA score taken as exact
 * and merged into the observed rows, infeasible results left out of them, and the constraints' probability
 * times the classifier's; and acquireBatch reading them from a store (the SA scores from the candidates).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireBatch } from '../../activities/campaign/acquire.js';
import {
  type ObjectivesConfig,
  objectivesContext,
  predictedProperties,
} from '../../lib/acquisition/objectives-context.js';
import { CampaignConfig, type CampaignInput } from '../../lib/campaign/schema.js';
import { modelDescriptionFrom } from '../../lib/surrogate/model.js';
import { closeStores, openStore } from '../../store/open.js';

const gap = { mean: Float64Array.from([1, 2, 3, 4]), std: Float64Array.from([0.1, 0.1, 0.1, 0.1]) };
const dipole = { mean: Float64Array.from([1, 9, 1, 9]), std: new Float64Array(4) };
const sa = Float64Array.from([2, 5, Number.NaN, 3]);

const twoObjectives: ObjectivesConfig = {
  objective: { property: 'homoLumoGap', direction: 'maximize' },
  objectives: [
    { property: 'homoLumoGap', direction: 'maximize' },
    { property: 'saScore', direction: 'minimize', reference: 6 },
  ],
  constraints: [],
};

describe('predictedProperties', () => {
  it('lists every objective and constrained property once, without the SA score', () => {
    expect(
      predictedProperties({
        ...twoObjectives,
        constraints: [
          { property: 'dipoleMoment', op: '<=', bound: 5 },
          { property: 'saScore', op: '<=', bound: 4 },
          { property: 'homoLumoGap', op: '>=', bound: 1 },
        ],
      }),
    ).toEqual(['homoLumoGap', 'dipoleMoment']);
  });
});

describe('objectivesContext', () => {
  it('gives each objective its column and merges the SA score into the observed rows', () => {
    const ctx = objectivesContext({
      config: twoObjectives,
      poolSize: 4,
      predictions: { homoLumoGap: gap },
      saScores: sa,
      observed: [
        { idx: 0, values: { homoLumoGap: 1.5 } },
        // no SA score known: the row lacks an objective and is left out
        { idx: 2, values: { homoLumoGap: 3.5 } },
        { idx: 3, values: { homoLumoGap: 4.5 } },
      ],
    });
    expect(ctx.feasibility).toBeUndefined();
    expect(ctx.multi?.objectives).toEqual([
      { direction: 'maximize' },
      { direction: 'minimize', reference: 6 },
    ]);
    expect(ctx.multi?.predictions.mean).toEqual([gap.mean, sa]);
    expect(Array.from(ctx.multi?.predictions.std[1] ?? [])).toEqual([0, 0, 0, 0]);
    expect(ctx.multi?.observed).toEqual([
      [1.5, 2],
      [4.5, 3],
    ]);
  });

  it('weights by the constraints times the classifier, and drops infeasible observed rows', () => {
    const config: ObjectivesConfig = {
      ...twoObjectives,
      constraints: [
        { property: 'dipoleMoment', op: '<=', bound: 5 },
        { property: 'saScore', op: '<=', bound: 4 },
      ],
    };
    const success = Float64Array.from([0.5, 1, 1, 0.25]);
    const ctx = objectivesContext({
      config,
      poolSize: 4,
      predictions: { homoLumoGap: gap, dipoleMoment: dipole },
      saScores: sa,
      observed: [
        { idx: 0, values: { homoLumoGap: 1.5, dipoleMoment: 1 } },
        { idx: 1, values: { homoLumoGap: 2.5, dipoleMoment: 1 } }, // SA 5 breaks saScore <= 4
        { idx: 3, values: { homoLumoGap: 4.5, dipoleMoment: 8 } }, // breaks dipoleMoment <= 5
      ],
      success,
    });
    // exact predictions: 0/1 per bound; the NaN SA score gives NaN (ranked last)
    expect(Array.from(ctx.feasibility ?? [])).toEqual([0.5, 0, Number.NaN, 0]);
    expect(ctx.multi?.observed).toEqual([[1.5, 2]]);
  });

  it('passes the classifier alone with one objective and no constraint', () => {
    const success = Float64Array.from([0.9, 0.1, 0.5, 0.5]);
    const ctx = objectivesContext({
      config: { objective: { property: 'homoLumoGap', direction: 'maximize' } },
      poolSize: 4,
      predictions: { homoLumoGap: gap },
      observed: [],
      success,
    });
    expect(ctx).toEqual({ feasibility: success });
  });

  it('refuses a missing prediction or SA scores rather than guessing', () => {
    expect(() =>
      objectivesContext({
        config: twoObjectives,
        poolSize: 4,
        predictions: { homoLumoGap: gap },
        observed: [],
      }),
    ).toThrow(/SA scores/);
    expect(() =>
      objectivesContext({ config: twoObjectives, poolSize: 4, predictions: {}, saScores: sa, observed: [] }),
    ).toThrow(/no prediction of homoLumoGap/);
  });
});

describe('acquireBatch with several objectives or constraints', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cascade-objectives-'));
  afterAll(async () => {
    await closeStores();
    rmSync(dir, { recursive: true, force: true });
  });
  const SA = [2, 4, 1.5, 3, 1.2, 6];
  const GAP = [3, 8, 2, 5, 9, 12];

  /** A store with six molecules (SA scores above), one evaluation (#0) and exact gap predictions (GAP). */
  async function campaign(name: string, input: Partial<CampaignInput>) {
    const store = openStore(path.join(dir, `${name}.db`));
    const config = CampaignConfig.parse({
      name,
      candidates: { source: 'mols.smi' },
      surrogate: { features: { morganBits: 256, descriptors: false } },
      tiers: [{ code: 'xtb' }],
      ...input,
    });
    await store.saveCampaign(name, config);
    await store.putCandidates(
      name,
      SA.map((saScore, idx) => ({
        kind: 'molecule' as const,
        idx,
        label: `m${idx}`,
        smiles: 'C'.repeat(idx + 1),
        heavyAtoms: idx + 1,
        saScore,
      })),
    );
    await store.putModel(
      {
        id: `${name}-m0`,
        campaignId: name,
        round: 0,
        kind: 'qrf',
        backend: 'cpu',
        description: modelDescriptionFrom({
          kind: 'qrf',
          settings: config.surrogate,
          fidelity: 'direct',
          labelTier: 'xtb',
          trainedOn: 1,
          nFeatures: 256,
          backend: 'cpu',
        }),
        metrics: {},
      },
      new Uint8Array(),
    );
    await store.putPredictions(
      name,
      `${name}-m0`,
      Float32Array.from(GAP),
      new Float32Array(GAP.length),
      GAP.map((_, i) => i),
    );
    await store.putEvaluation(name, {
      idx: 0,
      tier: 'xtb',
      round: 0,
      status: 'ok',
      value: 3,
      values: { homoLumoGap: 3, saScore: 2 },
      cached: false,
      cpuSeconds: 1,
      wallSeconds: 1,
    });
    const indices = (size: number) =>
      acquireBatch(store, {
        campaignId: name,
        round: 1,
        modelId: `${name}-m0`,
        size,
        seed: 1,
        acquisition: config.acquisition,
        objective: config.objective,
      }).then((r) => r.indices);
    return { indices };
  }

  it('ehvi takes the SA scores from the candidates: the molecule best on both axes first', async () => {
    const { indices } = await campaign('ehvi', {
      objectives: [
        { property: 'homoLumoGap', direction: 'maximize' },
        { property: 'saScore', direction: 'minimize', reference: 7 },
      ],
      acquisition: { strategy: 'ehvi', batchSize: 1 },
    });
    // #4 (gap 9, SA 1.2) adds the most volume beyond #0 (3, 2) below the corner (gap 10% under 3, SA 7)
    expect(await indices(1)).toEqual([4]);
  });

  it('a constraint on the SA score puts the molecules that break it last', async () => {
    const { indices } = await campaign('bound', {
      objective: { property: 'homoLumoGap', direction: 'maximize' },
      constraints: ['saScore <= 3'],
      acquisition: { strategy: 'greedy', batchSize: 5 },
    });
    // by gap: 5 (12, SA 6: broken), 4, 1 (SA 4: broken), 3, 2; the feasible first, the broken last by index
    expect(await indices(5)).toEqual([4, 3, 2, 1, 5]);
  });
});
