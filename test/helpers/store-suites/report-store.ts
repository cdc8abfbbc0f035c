/**
 * What the report reads from the store, on every backend: every model, the evaluations and ledger lines in write
 * order, the basis ladders, the codes' versions; and an older model's predictions of candidates evaluated since,
 * which stay.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Usage } from '../../../lib/domain/usage.js';
import { modelDescriptionFrom } from '../../../lib/surrogate/model.js';
import type { EvaluationRecord, Store } from '../../../store/store.js';
import type { StoreBackend } from '../store-backends.js';

export function reportStoreSuite(backend: StoreBackend): void {
  let db: Store;
  beforeEach(async () => {
    db = await backend.open();
  });

  const usage = (cpuSeconds: number, energyJoules: number): Usage => ({
    wallSeconds: cpuSeconds,
    cpuSeconds,
    gpuSeconds: 0,
    energyJoules,
    energyMethod: 'model',
  });

  const evaluation = (idx: number, tier: string, round: number, value?: number): EvaluationRecord => ({
    idx,
    tier,
    round,
    resultKey: `${tier}-${idx}`,
    status: value === undefined ? 'failed' : 'ok',
    ...(value !== undefined ? { value, values: { homoLumoGap: value } } : {}),
    cached: false,
    cpuSeconds: 1,
    wallSeconds: 1,
  });

  async function model(id: string, round: number) {
    await db.putModel(
      {
        id,
        campaignId: 'r',
        round,
        kind: 'mlp-ensemble',
        backend: 'wasm',
        description: modelDescriptionFrom({
          kind: 'mlp-ensemble',
          settings: {},
          fidelity: 'direct',
          labelTier: 'xtb',
          trainedOn: round * 2,
          nFeatures: 8,
          backend: 'wasm',
        }),
        metrics: { trainLoss: 1 / round },
      },
      new Uint8Array([round]),
    );
  }

  describe('the report’s store reads', () => {
    it('keeps an older model’s predictions of evaluated candidates, and drops the rest', async () => {
      await model('r-r1', 1);
      await db.putPredictions(
        'r',
        'r-r1',
        new Float32Array([1, 2, 3]),
        new Float32Array([0.1, 0.2, 0.3]),
        [0, 1, 2],
      );
      await db.putEvaluation('r', evaluation(1, 'xtb', 1, 2.5));
      await model('r-r2', 2);
      await db.putPredictions(
        'r',
        'r-r2',
        new Float32Array([4, 5, 6]),
        new Float32Array([1, 1, 1]),
        [0, 1, 2],
      );
      expect(await db.getPredictions('r-r1')).toEqual([{ idx: 1, mean: 2, std: expect.closeTo(0.2, 6) }]);
      expect(await db.getPredictions('r-r2')).toHaveLength(3);
      const models = await db.listModels('r');
      expect(models.map((m) => [m.id, m.round, m.backend, m.metrics.trainLoss])).toEqual([
        ['r-r1', 1, 'wasm', 1],
        ['r-r2', 2, 'wasm', 0.5],
      ]);
      expect(models[1]?.description.labelTier).toBe('xtb');
    });

    it('reads evaluations and ledger lines in the order they were written', async () => {
      await db.putEvaluation('r', evaluation(3, 'xtb', 0, 1.5), {
        campaignId: 'r',
        round: 0,
        activity: 'qm:xtb',
        usage: usage(1, 10),
      });
      await db.putEvaluation('r', evaluation(1, 'xtb', 0));
      await db.record({ campaignId: 'r', round: 1, activity: 'acquire', usage: usage(0.5, 5) });
      const timeline = await db.evaluationTimeline('r');
      expect(timeline.map((e) => [e.idx, e.status, e.value, e.cached])).toEqual([
        [3, 'ok', 1.5, false],
        [1, 'failed', undefined, false],
      ]);
      expect(timeline[0]?.values).toEqual({ homoLumoGap: 1.5 });
      expect((timeline[0]?.at ?? '') <= (timeline[1]?.at ?? '')).toBe(true);
      await db.record({
        campaignId: 'r',
        round: 1,
        activity: 'geometry',
        usage: usage(2, 20),
        idx: 3,
        tier: 'xtb',
      });
      expect(await db.ledgerByTier('r')).toEqual([
        { activity: 'acquire', cpuSeconds: 0.5, energyJoules: 5 },
        { activity: 'geometry', tier: 'xtb', cpuSeconds: 2, energyJoules: 20 },
        { activity: 'qm:xtb', tier: 'xtb', cpuSeconds: 1, energyJoules: 10 },
      ]);
      const costs = await db.costTimeline('r');
      expect(costs.map((c) => [c.cpuSeconds, c.energyJoules])).toEqual([
        [1, 10],
        [0.5, 5],
        [2, 20],
      ]);
    });

    it('lists ladders and the code versions behind the results, per tier', async () => {
      await db.recordLadder({
        campaignId: 'r',
        round: 1,
        idx: 4,
        tier: 'cbs',
        basesRun: ['cc-pVDZ', 'cc-pVTZ'],
        basesSkipped: ['cc-pVQZ'],
        cpuSeconds: 30,
        largestBasisCpuSeconds: 200,
        energy: -76.3,
        lo: -76.31,
        hi: -76.29,
        source: 'computed',
      });
      expect(await db.listLadders('r')).toEqual([
        expect.objectContaining({
          idx: 4,
          basesRun: ['cc-pVDZ', 'cc-pVTZ'],
          basesSkipped: ['cc-pVQZ'],
          energy: -76.3,
        }),
      ]);
      const result = (key: string, method: string) => ({
        key,
        code: 'xtb',
        codeVersion: '6.7.1',
        method,
        settings: {},
        geometryHash: key,
        status: 'ok' as const,
        provenance: {},
      });
      await db.putQmResult(result('gfn1-0', 'gfn1'));
      await db.putQmResult(result('gfn1-1', 'gfn1'));
      await db.putQmResult(result('gfn2-0', 'gfn2'));
      await db.putEvaluation('r', evaluation(0, 'gfn1', 0, 1));
      await db.putEvaluation('r', evaluation(1, 'gfn1', 0, 2));
      await db.putEvaluation('r', evaluation(0, 'gfn2', 0, 3));
      await db.putEvaluation('other', evaluation(0, 'gfn2', 0, 3));
      expect(await db.codeVersions('r')).toEqual([
        { tier: 'gfn1', code: 'xtb', version: '6.7.1', method: 'gfn1', results: 2 },
        { tier: 'gfn2', code: 'xtb', version: '6.7.1', method: 'gfn2', results: 1 },
      ]);
    });
  });
}
