/**
 * What every store backend must do (test/unit/store.test.ts runs it on SQLite, test/integration/store-postgres.test.ts
 * on PostgreSQL): what goes in comes back out, in the same order, missing rows read as missing, and resets forget
 * what they should.
 */
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { usageOf } from '../../../activities/usage.js';
import { CampaignConfig } from '../../../lib/campaign/schema.js';
import type { MoleculeCandidate } from '../../../lib/domain/candidate.js';
import { modelDescriptionFrom } from '../../../lib/surrogate/model.js';
import type { EvaluationRecord, QmResultRecord, Store } from '../../../store/store.js';
import { json, type StoreBackend } from '../store-backends.js';

export function storeSuite(backend: StoreBackend): void {
  let db: Store;
  const savedWatts = process.env.CASCADE_WATTS_PER_CORE;
  // a fresh store per test
  beforeEach(async () => {
    db = await backend.open();
  });
  afterEach(() => {
    if (savedWatts === undefined) delete process.env.CASCADE_WATTS_PER_CORE;
    else process.env.CASCADE_WATTS_PER_CORE = savedWatts;
  });

  const config = (name: string, direction: 'maximize' | 'minimize' = 'maximize') =>
    CampaignConfig.parse({
      name,
      candidates: { source: '/data/mols.smi', limit: 10 },
      objective: { property: 'homoLumoGap', direction },
      tiers: [{ code: 'xtb' }],
      budget: { rounds: 3, callsPerTier: { xtb: 12 } },
    });

  const mols: MoleculeCandidate[] = [
    { kind: 'molecule', idx: 0, label: 'm0', smiles: 'C', heavyAtoms: 1 },
    { kind: 'molecule', idx: 1, label: 'm1', smiles: 'CC', heavyAtoms: 2 },
    { kind: 'molecule', idx: 2, label: 'm2', smiles: 'CCO', heavyAtoms: 3 },
    { kind: 'molecule', idx: 3, label: 'm3', smiles: 'CC#N', heavyAtoms: 3 },
    { kind: 'molecule', idx: 4, label: 'm4', smiles: 'c1ccccc1', heavyAtoms: 6 },
  ];

  const evaluation = (idx: number, value: number | undefined, extra: Partial<EvaluationRecord> = {}) => ({
    idx,
    tier: 'xtb',
    round: 0,
    status: 'ok' as const,
    value,
    cached: false,
    cpuSeconds: 1,
    wallSeconds: 1,
    ...extra,
  });

  describe('campaigns', () => {
    it('saves and reads back a config, and the latest save wins', async () => {
      expect(await db.getCampaign('a')).toBeUndefined();
      await db.saveCampaign('a', config('a'), 'configs/a.yaml');
      const first = await db.getCampaign('a');
      expect(first).toEqual({
        id: 'a',
        name: 'a',
        config: config('a'),
        configFile: 'configs/a.yaml',
        pool: undefined,
      });

      const changed = { ...config('a'), seed: 42 };
      await db.saveCampaign('a', changed); // no file: the recorded one stays
      expect(await db.getCampaign('a')).toMatchObject({ config: { seed: 42 }, configFile: 'configs/a.yaml' });
      await db.saveCampaign('a', changed, 'other.yaml');
      expect((await db.getCampaign('a'))?.configFile).toBe('other.yaml');
    });

    it('records the pool summary', async () => {
      await db.saveCampaign('a', config('a'));
      const pool = { source: '/data/mols.smi', read: 20, kept: 5, rejected: { duplicate: 3, charged: 12 } };
      await db.setPoolSummary('a', pool);
      expect((await db.getCampaign('a'))?.pool).toEqual(pool);
    });

    it('reset forgets evaluations, models, predictions and the ledger of that campaign only', async () => {
      for (const id of ['a', 'b']) {
        await db.saveCampaign(id, config(id));
        await db.putCandidates(id, mols);
        await db.putEvaluation(id, evaluation(1, 5));
        await db.putModel({ ...model(id, `${id}-m0`, 0) }, new Uint8Array([1]));
        await db.putPredictions(id, `${id}-m0`, new Float32Array([1]), new Float32Array([0.5]), [0]);
        await db.record({
          campaignId: id,
          round: 0,
          activity: 'qm:xtb',
          usage: usageOf({ wallSeconds: 1, cpuSeconds: 1 }),
        });
      }
      await putQmResult(qmResult('k1'));
      await db.resetCampaign('a');

      expect(await db.listEvaluations('a')).toEqual([]);
      expect(await db.latestModel('a')).toBeUndefined();
      expect(await db.getPredictions('a-m0')).toEqual([]);
      expect(await db.ledgerTotals('a')).toEqual([]);
      // what is expensive or defines the campaign stays
      expect((await db.getCampaign('a'))?.config.name).toBe('a');
      expect(await db.countCandidates('a')).toBe(5);
      expect(await db.getQmResult('k1')).toBeDefined();
      // and the other campaign is untouched
      expect(await db.listEvaluations('b')).toHaveLength(1);
      expect((await db.latestModel('b'))?.id).toBe('b-m0');
      expect(await db.getPredictions('b-m0')).toHaveLength(1);
      expect(await db.ledgerTotals('b')).toHaveLength(1);
    });
  });

  describe('candidates', () => {
    it('keeps crystals as candidates, with their structure', async () => {
      const crystal = {
        kind: 'crystal' as const,
        idx: 0,
        label: 'MgO',
        key: 'rocksalt:Mg1O1:a=7.96',
        structure: {
          kind: 'crystal' as const,
          lattice: [
            [0, 3.98, 3.98],
            [3.98, 0, 3.98],
            [3.98, 3.98, 0],
          ] as [[number, number, number], [number, number, number], [number, number, number]],
          symbols: ['Mg', 'O'],
          fractional: [
            [0, 0, 0],
            [0.5, 0.5, 0.5],
          ] as [number, number, number][],
        },
      };
      await db.putCandidates('x', [crystal, { ...mols[1], idx: 1 } as MoleculeCandidate]);
      expect(await db.getCandidates('x', [0, 1])).toEqual([crystal, mols[1]]);
    });

    it('inserts, counts, lists in index order and fetches by index', async () => {
      await db.putCandidates('a', [...mols].reverse());
      expect(await db.countCandidates('a')).toBe(5);
      expect(await db.listCandidates('a')).toEqual(mols);
      expect(await db.getCandidates('a', [4, 0])).toEqual([mols[4], mols[0]]);
      expect(await db.countCandidates('other')).toBe(0);
    });

    it('a second insert replaces the pool', async () => {
      await db.putCandidates('a', mols);
      await db.putCandidates('a', [{ kind: 'molecule', idx: 0, label: 'x', smiles: 'O', heavyAtoms: 1 }]);
      expect(await db.listCandidates('a')).toEqual([
        { kind: 'molecule', idx: 0, label: 'x', smiles: 'O', heavyAtoms: 1 },
      ]);
    });

    it('appending adds to the pool a batch at a time, an index already there replaced', async () => {
      await db.putCandidates('a', mols.slice(0, 2));
      await db.appendCandidates('a', mols.slice(2));
      await db.appendCandidates('a', []);
      expect(await db.listCandidates('a')).toEqual(mols);
      const renamed = { ...(mols[4] as MoleculeCandidate), label: 'renamed' };
      await db.appendCandidates('a', [renamed]);
      expect(await db.countCandidates('a')).toBe(5);
      expect(await db.getCandidates('a', [4])).toEqual([renamed]);
      expect(await db.countCandidates('other')).toBe(0);
    });

    it('asking for a candidate that does not exist is an error naming it', async () => {
      await db.putCandidates('a', mols);
      await expect(db.getCandidates('a', [1, 9])).rejects.toThrow('campaign a has no candidate #9');
      // a page of consecutive indices (read as one range) past the pool's end
      await expect(db.getCandidates('a', [3, 4, 5, 6])).rejects.toThrow('campaign a has no candidate #5');
    });

    it('fetches a page of consecutive indices in order, as single ones are fetched', async () => {
      await db.putCandidates('a', mols);
      expect(await db.getCandidates('a', [1, 2, 3])).toEqual(mols.slice(1, 4));
      expect(await db.getCandidates('a', [0, 1, 2, 3, 4])).toEqual(mols);
      expect(await db.getCandidates('a', [2, 3, 1])).toEqual([mols[2], mols[3], mols[1]]);
    });
  });

  /** A result as calculate() stores it: at the end of its execution. */
  async function putQmResult(r: QmResultRecord): Promise<void> {
    await db.finishExecution(await db.startExecution(r.key, r.code, 'test-host'), r.status, r);
  }

  function qmResult(key: string, extra: Partial<QmResultRecord> = {}): QmResultRecord {
    return {
      key,
      code: 'xtb',
      codeVersion: '6.6.1',
      method: 'gfn2',
      settings: { solvent: null, optimize: false },
      geometryHash: 'sha256:abc',
      status: 'ok',
      outputs: { homoLumoGap: 7.25, totalEnergy: -5.07 },
      provenance: { host: 'h', seconds: 0.2 },
      ...extra,
    };
  }

  describe('QM results and executions', () => {
    it('puts and gets results by key, successes and failures', async () => {
      expect(await db.getQmResult('nope')).toBeUndefined();
      await putQmResult(qmResult('ok1'));
      expect(await db.getQmResult('ok1')).toEqual({ ...qmResult('ok1'), failure: undefined });
      const failed = qmResult('bad1', {
        status: 'failed',
        outputs: undefined,
        failure: { kind: 'scf', message: 'SCF did not converge', retryable: false },
      });
      await putQmResult(failed);
      expect(await db.getQmResult('bad1')).toEqual(failed);
      // the same key again replaces the row
      await putQmResult(qmResult('ok1', { outputs: { homoLumoGap: 1 } }));
      expect((await db.getQmResult('ok1'))?.outputs).toEqual({ homoLumoGap: 1 });
    });

    it('logs each execution from start to finish', async () => {
      const a = await db.startExecution('k1', 'xtb', 'node-1');
      const b = await db.startExecution('k1', 'xtb', 'node-2');
      expect(b).toBeGreaterThan(a);
      await db.finishExecution(a, 'ok');
      const rows = (await backend.rows(db, 'SELECT * FROM qm_executions ORDER BY id')) as {
        id: number;
        key: string;
        host: string;
        pid: number;
        status: string;
        started_at: string;
        finished_at: string | null;
      }[];
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatchObject({ id: a, key: 'k1', host: 'node-1', pid: process.pid, status: 'ok' });
      expect(Date.parse(rows[0]?.finished_at ?? '')).toBeGreaterThanOrEqual(
        Date.parse(rows[0]?.started_at ?? ''),
      );
      expect(rows[1]).toMatchObject({ id: b, host: 'node-2', status: 'running', finished_at: null });
      // the same through the interface, filtered or not
      const listed = await db.listExecutions();
      expect(listed.map((e) => [e.id, e.status, e.finishedAt === undefined])).toEqual([
        [a, 'ok', false],
        [b, 'running', true],
      ]);
      await db.startExecution('k2', 'nwchem', 'node-1');
      expect((await db.listExecutions({ key: 'k1' })).map((e) => e.id)).toEqual([a, b]);
      expect((await db.listExecutions({ code: 'nwchem' })).map((e) => e.key)).toEqual(['k2']);
      expect(await db.listExecutions({ key: 'k2', code: 'xtb' })).toEqual([]);
    });

    it('caches one geometry per SMILES and generator; the first one stays', async () => {
      expect(await db.getGeometry('CCO', 'obabel-3d')).toBeUndefined();
      await db.putGeometry('CCO', 'obabel-3d', '{"n":1}');
      await db.putGeometry('CCO', 'obabel-3d', '{"n":2}');
      await db.putGeometry('CCO', 'rdkit-etkdg', '{"n":3}');
      expect(await db.getGeometry('CCO', 'obabel-3d')).toBe('{"n":1}');
      expect(await db.getGeometry('CCO', 'rdkit-etkdg')).toBe('{"n":3}');
    });
  });

  describe('evaluations', () => {
    it('puts and lists by round then index, optionally for one tier; one row per candidate and tier', async () => {
      await db.putEvaluation('a', evaluation(3, 1.5, { round: 1, cached: true, resultKey: 'k3' }));
      await db.putEvaluation('a', evaluation(2, 2.5, { round: 0 }));
      await db.putEvaluation(
        'a',
        evaluation(1, undefined, { round: 1, status: 'failed', message: 'xtb crashed' }),
      );
      await db.putEvaluation('a', evaluation(2, 9, { round: 2, tier: 'dft' }));
      await db.putEvaluation('b', evaluation(0, 1));

      expect((await db.listEvaluations('a')).map((e) => [e.round, e.idx, e.tier])).toEqual([
        [0, 2, 'xtb'],
        [1, 1, 'xtb'],
        [1, 3, 'xtb'],
        [2, 2, 'dft'],
      ]);
      expect((await db.listEvaluations('a', 'dft')).map((e) => e.idx)).toEqual([2]);
      const xtb = await db.listEvaluations('a', 'xtb');
      expect(xtb[1]).toEqual({
        idx: 1,
        tier: 'xtb',
        round: 1,
        resultKey: undefined,
        status: 'failed',
        value: undefined,
        message: 'xtb crashed',
        cached: false,
        cpuSeconds: 1,
        wallSeconds: 1,
      });
      expect(xtb[2]).toMatchObject({ idx: 3, cached: true, resultKey: 'k3', value: 1.5 });

      // re-evaluating a candidate at a tier replaces its row
      await db.putEvaluation('a', evaluation(1, 4, { round: 1 }));
      expect(await db.listEvaluations('a', 'xtb')).toHaveLength(3);
      expect((await db.listEvaluations('a', 'xtb')).find((e) => e.idx === 1)).toMatchObject({
        status: 'ok',
        value: 4,
      });
    });

    it('topEvaluations: best first in the objective direction, with labels and identities, ok results only', async () => {
      await db.putCandidates('a', mols);
      await db.putEvaluation('a', evaluation(0, 3.0));
      await db.putEvaluation('a', evaluation(1, -1.0));
      await db.putEvaluation('a', evaluation(2, 7.5));
      await db.putEvaluation('a', evaluation(3, undefined, { status: 'failed', message: 'boom' }));
      await db.putEvaluation('a', evaluation(4, 100, { tier: 'dft' })); // another tier
      await db.putCandidates('b', mols);
      await db.putEvaluation('b', evaluation(4, 50)); // another campaign

      expect(await db.topEvaluations('a', 'xtb', { direction: 'maximize' }, 10)).toEqual([
        { idx: 2, label: 'm2', identity: 'CCO', kind: 'molecule', value: 7.5 },
        { idx: 0, label: 'm0', identity: 'C', kind: 'molecule', value: 3 },
        { idx: 1, label: 'm1', identity: 'CC', kind: 'molecule', value: -1 },
      ]);
      expect((await db.topEvaluations('a', 'xtb', { direction: 'minimize' }, 10)).map((t) => t.idx)).toEqual([
        1, 0, 2,
      ]);
      expect((await db.topEvaluations('a', 'xtb', { direction: 'maximize' }, 2)).map((t) => t.idx)).toEqual([
        2, 0,
      ]);
      expect(await db.topEvaluations('a', 'xtb', { direction: 'minimize' }, 1)).toEqual([
        { idx: 1, label: 'm1', identity: 'CC', kind: 'molecule', value: -1 },
      ]);
      expect((await db.topEvaluations('a', 'dft', { direction: 'maximize' }, 5)).map((t) => t.value)).toEqual(
        [100],
      );
    });
  });

  describe('the ledger', () => {
    it('models energy as CPU-seconds x watts per core plus memory, and keeps the method, constants and hardware', async () => {
      process.env.CASCADE_WATTS_PER_CORE = '20';
      // 2.5 CPU-s x 20 W + 2 GB x 0.3725 W/GB x 3 s = 50 + 2.235 J
      const usage = usageOf({ wallSeconds: 3, cpuSeconds: 2.5, peakMemoryBytes: 2e9 });
      await db.record({ campaignId: 'a', round: 0, activity: 'qm:xtb', usage, idx: 7, tier: 'xtb' });
      const [row = {}] = await backend.rows(db, 'SELECT * FROM ledger');
      expect(row).toMatchObject({
        campaign_id: 'a',
        round: 0,
        activity: 'qm:xtb',
        host: hostname(),
        wall_seconds: 3,
        cpu_seconds: 2.5,
        gpu_seconds: 0,
        energy_method: 'model',
        idx: 7,
        tier: 'xtb',
      });
      expect(row.energy_joules).toBeCloseTo(52.235, 9);
      expect(usage.energyJoules).toBeCloseTo(52.235, 9);
      expect(row.peak_memory_bytes).toBe(2e9);
      expect(json(row.energy_constants_json)).toMatchObject({
        wattsPerCore: 20,
        wattsPerCoreSource: 'CASCADE_WATTS_PER_CORE',
      });
      expect(row.hardware).toEqual(expect.any(String));
    });

    it('totals calls, wall, CPU and energy per activity of one campaign', async () => {
      delete process.env.CASCADE_WATTS_PER_CORE;
      const add = (campaignId: string, activity: string, wallSeconds: number, cpuSeconds: number) =>
        db.record({ campaignId, round: 0, activity, usage: usageOf({ wallSeconds, cpuSeconds }) });
      await add('a', 'qm:xtb', 2, 1.5);
      await add('a', 'ml:train+screen', 10, 8);
      await add('a', 'qm:xtb', 3, 2.5);
      await add('b', 'qm:xtb', 100, 100);
      const sample = usageOf({ wallSeconds: 1, cpuSeconds: 1 });
      const method = [sample.energyMethod];
      const hardware = [sample.hardware];
      expect(await db.ledgerTotals('a')).toEqual([
        {
          activity: 'ml:train+screen',
          calls: 1,
          wallSeconds: 10,
          cpuSeconds: 8,
          energyJoules: 96,
          energyMethods: method,
          hardware,
        },
        {
          activity: 'qm:xtb',
          calls: 2,
          wallSeconds: 5,
          cpuSeconds: 4,
          energyJoules: 48,
          energyMethods: method,
          hardware,
        },
      ]);
      expect(await db.campaignTotals('a')).toEqual({ cpuSeconds: 12, energyJoules: 144 });
      expect(await db.ledgerTotals('nobody')).toEqual([]);
      expect(await db.campaignTotals('nobody')).toEqual({ cpuSeconds: 0, energyJoules: 0 });
    });
  });

  function model(campaignId: string, id: string, round: number) {
    return {
      id,
      campaignId,
      round,
      kind: 'mlp-ensemble',
      backend: 'cpu',
      // a full description, as the store reads one back
      description: modelDescriptionFrom({
        kind: 'mlp-ensemble',
        settings: { hiddenLayers: [16] },
        fidelity: 'direct',
        labelTier: 'xtb',
        trainedOn: 6,
        nFeatures: 2068,
        backend: 'cpu',
      }),
      metrics: { trainLoss: 0.5, lastN: 4 },
    };
  }

  describe('models and predictions', () => {
    it('the latest model is the one of the highest round', async () => {
      await db.putModel(model('a', 'a-m1', 1), new Uint8Array([1, 2, 3]));
      await db.putModel(model('a', 'a-m0', 0), new Uint8Array([4]));
      expect(await db.latestModel('a')).toEqual(model('a', 'a-m1', 1));
      const [weights = {}] = await backend.rows(db, 'SELECT weights FROM models WHERE id = ?', ['a-m1']);
      expect([...(weights.weights as Buffer)]).toEqual([1, 2, 3]);
      expect([...((await db.getModelWeights('a-m1')) ?? [])]).toEqual([1, 2, 3]);
      expect(await db.getModelWeights('nope')).toBeUndefined();
    });

    it("a new model's predictions replace the older models' rows of the same campaign only", async () => {
      await db.putModel(model('a', 'a-m0', 0), new Uint8Array());
      await db.putModel(model('a', 'a-m1', 1), new Uint8Array());
      await db.putModel(model('b', 'b-m0', 0), new Uint8Array());
      await db.putPredictions('a', 'a-m0', new Float32Array([1, 2]), new Float32Array([0.1, 0.2]), [0, 1]);
      await db.putPredictions('b', 'b-m0', new Float32Array([5]), new Float32Array([0.5]), [0]);
      expect(await db.getPredictions('a-m0')).toHaveLength(2);

      await db.putPredictions(
        'a',
        'a-m1',
        new Float32Array([3.5, -1.25]),
        new Float32Array([0.25, 0]),
        [4, 2],
      );
      expect(await db.getPredictions('a-m0')).toEqual([]);
      expect(await db.getPredictions('a-m1')).toEqual([
        { idx: 2, mean: -1.25, std: 0 },
        { idx: 4, mean: 3.5, std: 0.25 },
      ]);
      expect(await db.getPredictions('b-m0')).toEqual([{ idx: 0, mean: 5, std: 0.5 }]);
      // the older model itself (its weights) stays
      expect(await backend.rows(db, 'SELECT COUNT(*) AS n FROM models WHERE campaign_id = ?', ['a'])).toEqual(
        [{ n: 2 }],
      );
    });
  });
}
