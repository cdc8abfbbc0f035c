/**
 * The rest of the Store interface, on every backend: feature rows, lost executions, results no execution
 * produced, models per property, a candidate's usage, the order of methods and of untiered lines, ladders, and
 * pools and predictions of realistic size.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Usage } from '../../../lib/domain/usage.js';
import { modelDescriptionFrom } from '../../../lib/surrogate/model.js';
import type { EvaluationRecord, LadderRecord, Store } from '../../../store/store.js';
import type { StoreBackend } from '../store-backends.js';

export function storeRestSuite(backend: StoreBackend): void {
  let db: Store;
  beforeEach(async () => {
    db = await backend.open();
  });

  const usage = (
    cpuSeconds: number,
    energyJoules: number,
    energyMethod = 'model',
    hardware?: string,
  ): Usage => ({
    wallSeconds: cpuSeconds,
    cpuSeconds,
    gpuSeconds: 0,
    energyJoules,
    energyMethod,
    ...(hardware !== undefined ? { hardware } : {}),
  });

  const evaluation = (
    idx: number,
    tier: string,
    extra: Partial<EvaluationRecord> = {},
  ): EvaluationRecord => ({
    idx,
    tier,
    round: 0,
    status: 'ok',
    value: idx,
    cached: false,
    cpuSeconds: 1,
    wallSeconds: 1,
    ...extra,
  });

  const model = (id: string, round: number, property?: string) => ({
    id,
    campaignId: 'a',
    round,
    kind: 'mlp-ensemble',
    backend: 'cpu',
    description: modelDescriptionFrom({
      kind: 'mlp-ensemble',
      settings: {},
      trainedOn: 4,
      nFeatures: 8,
      ...(property !== undefined ? { property } : {}),
    }),
    metrics: {},
  });

  describe('feature rows', () => {
    it('answers the keys it has, in the order asked, bit for bit; a second put replaces a row', async () => {
      expect(await db.getFeatures([])).toEqual(new Map());
      const f = (...v: number[]) => Float32Array.from(v);
      await db.putFeatures([
        { key: 'k1', features: f(1, 2.5, -3) },
        { key: 'k2', features: f(0.1) },
        { key: 'k3', features: f() },
      ]);
      const got = await db.getFeatures(['k3', 'missing', 'k1', 'k2']);
      expect([...got.keys()]).toEqual(['k3', 'k1', 'k2']);
      expect([...(got.get('k1') ?? [])]).toEqual([1, 2.5, -3]);
      expect(got.get('k2')?.[0]).toBe(Math.fround(0.1));
      expect(got.get('k3')).toHaveLength(0);
      // a view into a larger buffer is stored as the view, not the buffer
      const big = f(9, 8, 7, 6);
      await db.putFeatures([{ key: 'k1', features: big.subarray(1, 3) }]);
      expect([...((await db.getFeatures(['k1'])).get('k1') ?? [])]).toEqual([8, 7]);
    });

    it('keeps thousands of rows written in one call', async () => {
      const rows = Array.from({ length: 3000 }, (_, i) => ({
        key: `mol-${i}`,
        features: Float32Array.from({ length: 256 }, (_, j) => Math.sin(i * 256 + j)),
      }));
      await db.putFeatures(rows);
      const got = await db.getFeatures(rows.map((r) => r.key));
      expect(got.size).toBe(3000);
      expect([...(got.get('mol-2999') ?? [])]).toEqual([...(rows[2999]?.features ?? [])]);
    });
  });

  describe('candidates and predictions of a realistic pool', () => {
    it('round-trips 20 000 candidates and a model’s predictions of them', async () => {
      const pool = Array.from({ length: 20_000 }, (_, idx) => ({
        kind: 'molecule' as const,
        idx,
        label: `m${idx}`,
        smiles: `C${'C'.repeat(idx % 7)}O`,
        heavyAtoms: 2 + (idx % 7),
      }));
      await db.putCandidates('a', pool);
      expect(await db.countCandidates('a')).toBe(20_000);
      const listed = await db.listCandidates('a');
      expect(listed[12_345]).toEqual(pool[12_345]);
      expect(await db.getCandidates('a', [19_999, 3, 3])).toEqual([pool[19_999], pool[3], pool[3]]);

      await db.putModel(model('a-m0', 0), new Uint8Array(1000).fill(7));
      const mean = Float32Array.from(pool, (c) => c.idx / 3);
      const std = Float32Array.from(pool, (c) => 1 / (c.idx + 1));
      await db.putPredictions(
        'a',
        'a-m0',
        mean,
        std,
        pool.map((c) => c.idx),
      );
      const predicted = await db.getPredictions('a-m0');
      expect(predicted).toHaveLength(20_000);
      // a Float32 prediction comes back as the double it is, exactly
      expect(predicted[7_777]).toEqual({ idx: 7_777, mean: mean[7_777], std: std[7_777] });
      expect((await db.getModelWeights('a-m0'))?.length).toBe(1000);
    });
  });

  describe('executions and results', () => {
    it('marks only running executions lost, and stores a result no execution produced', async () => {
      const done = await db.startExecution('k', 'xtb', 'h');
      await db.finishExecution(done, 'ok');
      const dead = await db.startExecution('k', 'xtb', 'h');
      await db.markExecutionsLost([done, dead, 999_999]);
      await db.markExecutionsLost([]);
      const runs = await db.listExecutions({ key: 'k' });
      expect(runs.map((e) => e.status)).toEqual(['ok', 'worker-died']);
      expect(runs[1]?.finishedAt).toEqual(expect.any(String));
      expect(runs[1]).toMatchObject({ host: 'h', pid: process.pid, code: 'xtb' });

      await db.putQmResult({
        key: 'k',
        code: 'xtb',
        codeVersion: '6.7.1',
        method: 'gfn2',
        settings: { nested: { list: [1, null, 'x'] } },
        geometryHash: 'g',
        status: 'failed',
        failure: { kind: 'killed-worker', message: 'died', retryable: false, lostExecutions: [dead] },
        provenance: { lostExecutions: [{ id: dead, host: 'h' }] },
      });
      expect(await db.getQmResult('k')).toMatchObject({
        settings: { nested: { list: [1, null, 'x'] } },
        failure: { kind: 'killed-worker', lostExecutions: [dead] },
        outputs: undefined,
      });
    });
  });

  describe('campaigns, evaluations and models', () => {
    it('forgets a campaign that never ran; a missing evaluation reads as undefined', async () => {
      const config = { name: 'gone' } as unknown as Parameters<Store['saveCampaign']>[1];
      await db.saveCampaign('gone', config);
      await db.deleteCampaign('gone');
      expect(await db.getCampaign('gone')).toBeUndefined();
      expect(await db.getEvaluation('a', 0, 'xtb')).toBeUndefined();
      await db.putEvaluation('a', evaluation(0, 'xtb', { values: { homoLumoGap: 0, dipole: 1.5 } }));
      expect(await db.getEvaluation('a', 0, 'xtb')).toEqual({
        ...evaluation(0, 'xtb', { values: { homoLumoGap: 0, dipole: 1.5 } }),
        resultKey: undefined,
        message: undefined,
      });
    });

    it('lists a round’s candidate at several tiers in tier order, and moves a rewrite to the end of the timeline', async () => {
      await db.putEvaluation('a', evaluation(1, 'xtb'));
      await db.putEvaluation('a', evaluation(1, 'dft'));
      await db.putEvaluation('a', evaluation(0, 'xtb'));
      expect((await db.listEvaluations('a')).map((e) => `${e.idx}${e.tier}`)).toEqual([
        '0xtb',
        '1dft',
        '1xtb',
      ]);
      await db.putEvaluation('a', evaluation(1, 'xtb', { value: 9 }));
      expect((await db.evaluationTimeline('a')).map((e) => `${e.idx}${e.tier}`)).toEqual([
        '1dft',
        '0xtb',
        '1xtb',
      ]);
    });

    it('keeps the latest model per property apart from the objective’s, and lists models oldest first', async () => {
      await db.putModel(model('a-r1', 1), new Uint8Array());
      await db.putModel(model('a-r1-dipole', 1, 'dipole'), new Uint8Array());
      await db.putModel(model('a-r2-dipole', 2, 'dipole'), new Uint8Array());
      expect((await db.latestModel('a'))?.id).toBe('a-r1');
      expect((await db.latestModel('a', 'dipole'))?.id).toBe('a-r2-dipole');
      expect(await db.latestModel('a', 'gap')).toBeUndefined();
      expect(await db.latestModel('nobody')).toBeUndefined();
      expect((await db.listModels('a')).map((m) => m.id)).toEqual(['a-r1', 'a-r1-dipole', 'a-r2-dipole']);
      expect(await db.getPredictionSamples('a-r1')).toBeUndefined();
    });
  });

  describe('the ledger', () => {
    it('sums a candidate’s lines, with its methods in the order first written', async () => {
      expect(await db.candidateUsage('a', { round: 0, idx: 3, tier: 'xtb' })).toBeUndefined();
      const where = { campaignId: 'a', round: 0, idx: 3, tier: 'xtb' };
      await db.putEvaluation('a', evaluation(3, 'xtb'), [
        { ...where, activity: 'geometry', usage: usage(1, 10, 'rapl') },
        { ...where, activity: 'qm:xtb', usage: usage(2, 30, 'model') },
      ]);
      await db.record({ ...where, activity: 'qm:xtb', usage: usage(4, 40, 'rapl') });
      await db.record({ ...where, round: 1, activity: 'qm:xtb', usage: usage(100, 100) });
      expect(await db.candidateUsage('a', { round: 0, idx: 3, tier: 'xtb' })).toEqual({
        activity: 'candidate 3 at xtb',
        calls: 3,
        wallSeconds: 7,
        cpuSeconds: 7,
        energyJoules: 80,
        energyMethods: ['rapl', 'model'],
      });
    });

    it('names methods and hardware once each, in the order first written, and leaves out hardware never named', async () => {
      await db.record({ campaignId: 'a', activity: 'qm:xtb', usage: usage(1, 1, 'sacct', 'node B') });
      await db.record({ campaignId: 'a', activity: 'qm:xtb', usage: usage(1, 1, 'model') });
      await db.record({ campaignId: 'a', activity: 'qm:xtb', usage: usage(1, 1, 'sacct', 'node A') });
      await db.record({ campaignId: 'a', activity: 'acquire', usage: usage(1, 1, 'model') });
      const totals = await db.ledgerTotals('a');
      expect(totals.map((t) => t.activity)).toEqual(['acquire', 'qm:xtb']);
      expect(totals[0]).not.toHaveProperty('hardware');
      expect(totals[1]).toMatchObject({
        calls: 3,
        energyMethods: ['sacct', 'model'],
        hardware: ['node B', 'node A'],
      });
      // work outside a campaign is recorded under none
      await db.record({ activity: 'qm run', usage: usage(5, 5) });
      expect(await db.campaignTotals('')).toEqual({ cpuSeconds: 5, energyJoules: 5 });
    });

    it('sorts by activity in byte order, and a line for no tier before the tiers of its activity', async () => {
      await db.record({ campaignId: 'a', activity: 'geometry', usage: usage(1, 1), idx: 0, tier: 'xtb' });
      await db.record({ campaignId: 'a', activity: 'geometry', usage: usage(2, 2) });
      await db.record({ campaignId: 'a', activity: 'Zeta', usage: usage(3, 3) });
      await db.record({ campaignId: 'a', activity: 'geometry', usage: usage(4, 4), idx: 0, tier: 'Dft' });
      expect(await db.ledgerByTier('a')).toEqual([
        { activity: 'Zeta', cpuSeconds: 3, energyJoules: 3 },
        { activity: 'geometry', cpuSeconds: 2, energyJoules: 2 },
        { activity: 'geometry', tier: 'Dft', cpuSeconds: 4, energyJoules: 4 },
        { activity: 'geometry', tier: 'xtb', cpuSeconds: 1, energyJoules: 1 },
      ]);
      expect((await db.ledgerTotals('a')).map((t) => t.activity)).toEqual(['Zeta', 'geometry']);
    });
  });

  describe('basis ladders', () => {
    const ladder = (idx: number, skipped: string[], cpuSeconds: number): LadderRecord => ({
      campaignId: 'a',
      round: 0,
      idx,
      tier: 'cbs',
      basesRun: ['cc-pVDZ'],
      basesSkipped: skipped,
      cpuSeconds,
      largestBasisCpuSeconds: 100,
      energy: -1,
      lo: -1.1,
      hi: -0.9,
      source: 'computed',
    });

    it('sums what the ladders saved; none when the campaign ran none; a rerun replaces its ladder', async () => {
      expect(await db.ladderSavings('a')).toBeUndefined();
      await db.recordLadder(ladder(0, ['cc-pVTZ'], 10));
      await db.recordLadder(ladder(1, [], 100));
      await db.recordLadder(ladder(1, [], 90));
      expect(await db.ladderSavings('a')).toEqual({
        molecules: 2,
        stoppedEarly: 1,
        cpuSeconds: 100,
        largestBasisCpuSeconds: 200,
        savedCpuSeconds: 100,
      });
    });
  });
}
