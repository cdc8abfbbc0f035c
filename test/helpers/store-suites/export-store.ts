/** The store's read for `cascade export`, on every backend: provenance joined in, costs from the ledger or the tier's rate. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Usage } from '../../../lib/domain/usage.js';
import type { EvaluationProvenance, QmResultRecord, Store } from '../../../store/store.js';
import type { StoreBackend } from '../store-backends.js';

export function exportStoreSuite(backend: StoreBackend): void {
  let db: Store;
  let rows: EvaluationProvenance[];

  const usage = (cpuSeconds: number, energyJoules: number, energyMethod = 'model'): Usage => ({
    wallSeconds: cpuSeconds,
    cpuSeconds,
    gpuSeconds: 0,
    energyJoules,
    energyMethod,
  });

  const result = (key: string, over: Partial<QmResultRecord> = {}): QmResultRecord => ({
    key,
    code: 'xtb',
    codeVersion: '6.5.1',
    method: 'gfn2',
    settings: { task: 'energy', solvent: null },
    geometryHash: `geom-${key}`,
    status: 'ok',
    outputs: { homoLumoGap: 5 },
    provenance: {},
    ...over,
  });

  beforeAll(async () => {
    db = await backend.open();
    // #0 computed on node-a: its calculation and its geometry named in the ledger
    const run = await db.startExecution('r0', 'xtb', 'node-a');
    await db.finishExecution(run, 'ok', result('r0'));
    await db.putEvaluation(
      'c',
      {
        idx: 0,
        tier: 'xtb',
        round: 0,
        resultKey: 'r0',
        status: 'ok',
        value: 5,
        values: { homoLumoGap: 5 },
        cached: false,
        cpuSeconds: 2,
        wallSeconds: 2,
      },
      [
        { campaignId: 'c', round: 0, activity: 'qm:xtb', usage: usage(2, 20), idx: 0, tier: 'xtb' },
        { campaignId: 'c', round: 0, activity: 'geometry', usage: usage(1, 7, 'rapl'), idx: 0, tier: 'xtb' },
      ],
    );
    // #1 timed out: a circumstantial failure, and a ledger line from before lines named candidates
    const lost = await db.startExecution('r1', 'xtb', 'node-b');
    await db.finishExecution(
      lost,
      'timeout',
      result('r1', {
        status: 'failed',
        outputs: undefined,
        failure: { kind: 'timeout', message: 'ran past 60 s', retryable: true, class: 'circumstantial' },
      }),
    );
    await db.putEvaluation(
      'c',
      {
        idx: 1,
        tier: 'xtb',
        round: 0,
        resultKey: 'r1',
        status: 'failed',
        message: 'ran past 60 s',
        cached: false,
        cpuSeconds: 3,
        wallSeconds: 60,
      },
      { campaignId: 'c', round: 0, activity: 'qm:xtb', usage: usage(3, 30) },
    );
    // #2: its 3D embedding failed, so there is no result at all
    await db.putEvaluation('c', {
      idx: 2,
      tier: 'xtb',
      round: 1,
      status: 'failed',
      message: '3D embedding failed',
      cached: false,
      cpuSeconds: 0,
      wallSeconds: 0,
    });
    rows = await db.exportEvaluations('c');
  });

  describe('exportEvaluations', () => {
    it('joins each evaluation to its result’s code, version, method, settings, input hash and host', () => {
      expect(rows.map((r) => r.idx)).toEqual([0, 1, 2]);
      expect(rows[0]).toMatchObject({
        code: 'xtb',
        codeVersion: '6.5.1',
        method: 'gfn2',
        settings: { task: 'energy', solvent: null },
        geometryHash: 'geom-r0',
        host: 'node-a',
        values: { homoLumoGap: 5 },
      });
      expect(rows[0]?.at).toMatch(/^\d{4}-\d\d-\d\dT/);
    });

    it('counts the ledger lines that name a candidate: its calculation and its geometry, with their methods', () => {
      expect(rows[0]).toMatchObject({
        workCpuSeconds: 3,
        energyJoules: 27,
        energySource: 'ledger',
        energyMethods: ['model', 'rapl'],
      });
    });

    it('prices an evaluation no line names at its tier’s joules per CPU-second', () => {
      // qm:xtb lines: 2 + 3 CPU-s for 20 + 30 J = 10 J per CPU-second
      expect(rows[1]).toMatchObject({ workCpuSeconds: 3, energyJoules: 30, energySource: 'tier-rate' });
    });

    it('carries the failure’s class and kind, and an evaluation without a result as it is', () => {
      expect(rows[1]?.failure).toMatchObject({ kind: 'timeout', class: 'circumstantial' });
      expect(rows[1]?.host).toBe('node-b');
      expect(rows[2]).toMatchObject({ status: 'failed', message: '3D embedding failed', energyJoules: 0 });
      expect(rows[2]).not.toHaveProperty('code');
      expect(rows[2]).not.toHaveProperty('host');
    });

    it('is empty for a campaign it does not know', async () => {
      expect(await db.exportEvaluations('nope')).toEqual([]);
    });
  });
}
