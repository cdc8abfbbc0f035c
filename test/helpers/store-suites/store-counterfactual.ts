/** The store's queries for the brute-force counterfactual, on every backend: per-candidate costs and predictions. */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Usage } from '../../../lib/domain/usage.js';
import { modelDescriptionFrom } from '../../../lib/surrogate/model.js';
import type { EvaluationRecord, Store } from '../../../store/store.js';
import type { StoreBackend } from '../store-backends.js';

export function storeCounterfactualSuite(backend: StoreBackend): void {
  let db: Store;
  beforeEach(async () => {
    db = await backend.open();
  });

  /** A usage with its energy given outright, so that the joules per CPU-second are the test's own. */
  const usage = (cpuSeconds: number, energyJoules: number): Usage => ({
    wallSeconds: cpuSeconds,
    cpuSeconds,
    gpuSeconds: 0,
    energyJoules,
    energyMethod: 'test',
  });

  const evaluation = (
    idx: number,
    tier: string,
    extra: Partial<EvaluationRecord> = {},
  ): EvaluationRecord => ({
    idx,
    tier,
    round: 0,
    resultKey: `${tier}-${idx}`,
    status: 'ok',
    value: idx,
    cached: false,
    cpuSeconds: 1,
    wallSeconds: 1,
    ...extra,
  });

  /** An evaluation with its ledger line, as evaluateBatch writes them. */
  async function computed(campaignId: string, idx: number, tier: string, cpuSeconds: number, joules: number) {
    await db.putEvaluation(campaignId, evaluation(idx, tier, { cpuSeconds, wallSeconds: cpuSeconds }), {
      campaignId,
      round: 0,
      activity: `qm:${tier}`,
      usage: usage(cpuSeconds, joules),
    });
  }

  describe('tierCosts', () => {
    beforeEach(async () => {
      // xtb: 2 + 4 + 1 CPU-s for 70 J: 10 J per CPU-second
      await computed('a', 0, 'xtb', 2, 30);
      await computed('a', 1, 'xtb', 4, 30);
      await computed('a', 3, 'xtb', 1, 10);
      await db.putEvaluation('a', evaluation(2, 'xtb', { cached: true, cpuSeconds: 0, wallSeconds: 0 }));
      // its structure failed: nothing ran
      await db.putEvaluation(
        'a',
        evaluation(4, 'xtb', { resultKey: undefined, status: 'failed', value: undefined, cpuSeconds: 0 }),
      );
      // nwchem has no ledger line of its own: the campaign's 130 J per 10 CPU-s apply
      await db.putEvaluation('a', evaluation(0, 'nwchem', { cpuSeconds: 10, wallSeconds: 10 }));
      await db.record({ campaignId: 'a', round: 0, activity: 'ml:train+screen', usage: usage(3, 60) });
      // another campaign's work is not this one's
      await computed('b', 0, 'xtb', 100, 5);
    });

    it('prices each computed candidate at its tier’s joules per CPU-second; counts every evaluation as a call', async () => {
      expect(await db.tierCosts('a')).toEqual([
        {
          tier: 'nwchem',
          calls: 1,
          costs: [{ idx: 0, cpuSeconds: 10, energyJoules: 130 }],
          withGeometry: false,
        },
        {
          tier: 'xtb',
          calls: 5,
          costs: [
            { idx: 0, cpuSeconds: 2, energyJoules: 20 },
            { idx: 1, cpuSeconds: 4, energyJoules: 40 },
            { idx: 3, cpuSeconds: 1, energyJoules: 10 },
          ],
          withGeometry: false,
        },
      ]);
      expect(await db.tierCosts('nobody')).toEqual([]);
    });

    it('adds the geometry made for a candidate from the ledger lines that name it', async () => {
      // lines that name their candidate and tier (through the store, as evaluateBatch records them)
      const geometry = (
        campaignId: string,
        cpuSeconds: number,
        energyJoules: number,
        idx?: number,
        tier?: string,
      ) =>
        db.record({
          campaignId,
          round: 0,
          activity: 'geometry',
          usage: { wallSeconds: 1, cpuSeconds, gpuSeconds: 0, energyJoules, energyMethod: 'test' },
          ...(idx !== undefined ? { idx } : {}),
          ...(tier !== undefined ? { tier } : {}),
        });
      await geometry('a', 1, 15, 0, 'xtb');
      await geometry('a', 0.5, 5, 0, 'xtb'); // a second embedding attempt of the same candidate
      await geometry('a', 9, 99); // a line from before lines named their candidate
      await geometry('b', 9, 99, 1, 'xtb');
      const [nwchem, xtb] = await db.tierCosts('a');
      expect(xtb?.withGeometry).toBe(true);
      // the ratio for xtb is its qm line's alone (10 J/CPU-s); geometry brings its own joules
      expect(xtb?.costs).toEqual([
        { idx: 0, cpuSeconds: 3.5, energyJoules: 40 },
        { idx: 1, cpuSeconds: 4, energyJoules: 40 },
        { idx: 3, cpuSeconds: 1, energyJoules: 10 },
      ]);
      expect(nwchem?.withGeometry).toBe(false);
    });

    it('measures nothing where the campaign’s ledger has no CPU time at all', async () => {
      await db.putEvaluation('c', evaluation(0, 'xtb', { cpuSeconds: 2 }));
      expect(await db.tierCosts('c')).toEqual([{ tier: 'xtb', calls: 1, costs: [], withGeometry: false }]);
    });
  });

  describe('unevaluatedPredictions', () => {
    it('returns the model’s predictions of the candidates without an evaluation at the tier', async () => {
      const description = modelDescriptionFrom({
        kind: 'mlp-ensemble',
        settings: {},
        fidelity: 'direct',
        labelTier: 'xtb',
        trainedOn: 4,
        nFeatures: 8,
        backend: 'cpu',
      });
      const model = {
        campaignId: 'a',
        round: 0,
        kind: 'mlp-ensemble',
        backend: 'cpu',
        description,
        metrics: {},
      };
      await db.putModel({ ...model, id: 'a-m0' }, new Uint8Array());
      const all = [0, 1, 2, 3, 4];
      await db.putPredictions(
        'a',
        'a-m0',
        new Float32Array([0.5, 1.5, 2.5, 3.5, 4.5]),
        new Float32Array([0.25, 0.25, 0.5, 0.5, 1]),
        all,
      );
      await db.putEvaluation('a', evaluation(0, 'xtb'));
      await db.putEvaluation('a', evaluation(1, 'xtb'));
      await db.putEvaluation('a', evaluation(3, 'xtb', { status: 'failed', value: undefined })); // evaluated: it failed
      await db.putEvaluation('a', evaluation(0, 'nwchem'));
      await db.putEvaluation('b', evaluation(2, 'xtb')); // another campaign's
      expect(await db.unevaluatedPredictions('a', 'a-m0', 'xtb')).toEqual([
        { idx: 2, mean: 2.5, std: 0.5 },
        { idx: 4, mean: 4.5, std: 1 },
      ]);
      expect((await db.unevaluatedPredictions('a', 'a-m0', 'nwchem')).map((p) => p.idx)).toEqual([
        1, 2, 3, 4,
      ]);
      expect(await db.unevaluatedPredictions('a', 'a-m9', 'xtb')).toEqual([]);
    });
  });
}
