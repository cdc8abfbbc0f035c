/**
 * A real xtb -> NWChem campaign whose surrogate learns the DFT gap as the xtb gap plus a learned correction
 * (surrogate.fidelity: delta), with its spread recalibrated on held-out folds, configured from YAML.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { poolFeatures } from '../../activities/campaign/features.js';
import { restoreCampaign } from '../../activities/campaign/restore.js';
import { readDeltaModel } from '../../activities/ml/delta.js';
import { QuantileForest } from '../../activities/ml/qrf/forest.js';
import { formatProgress } from '../../cli/format.js';
import { formatProblem, loadCampaign } from '../../lib/campaign/load.js';
import { openStore } from '../../store/open.js';
import { startCampaign } from '../helpers/campaign-env.js';
import { environmentWithWorkers } from '../helpers/workers.js';

const env = environmentWithWorkers();

const YAML = `name: delta
seed: 3
candidates:
  source: /usr/share/RDKit/Data/NCI/first_5K.smi
  limit: 60
  filters: {maxHeavyAtoms: 5, elements: [C, N, O]}
objective: {property: homoLumoGap, direction: maximize}
tiers:
  - code: xtb
  - {code: nwchem, method: b3lyp, basis: STO-3G}
surrogate:
  kind: qrf
  forest: {trees: 30, minSamplesLeaf: 2}
  features: {morganBits: 256}
  fidelity: delta
  recalibrate: true
acquisition: {strategy: ucb, batchSize: 4, initialBatch: 6, kappa: 1}
budget:
  rounds: 3
  callsPerTier: {xtb: 20, nwchem: 20}
`;

describe('Delta-learning campaign', () => {
  it('learns NWChem gaps as xtb gaps plus a correction, from YAML', { timeout: 300_000 }, async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'cascade-delta-')), 'delta.yaml');
    writeFileSync(file, YAML);
    const { config, problems } = loadCampaign(readFileSync(file, 'utf8'), file);
    expect(problems.map(formatProblem)).toEqual([]);
    if (!config) throw new Error('no config');
    const handle = await startCampaign(env(), config);
    const result = await handle.result();
    // 6 random, then 4 and 4 by UCB; with no promotion rule every xtb success climbs to NWChem
    expect(result.calls).toEqual({ xtb: 14, nwchem: 14 });
    expect(result.failures).toBe(0);

    const db = openStore();
    const model = await db.latestModel('delta');
    // the xtb gaps known when the model was trained (a round's batch is evaluated after its retrain)
    const xtb = new Map(
      (await db.listEvaluations('delta', 'xtb'))
        .filter((e) => e.round < (model?.round ?? 0))
        .map((e) => [e.idx, e.value as number]),
    );
    expect(xtb.size).toBe(10);
    expect(model).toMatchObject({ kind: 'qrf', round: 2 });
    // the store records the mode the model used, with the tiers and label counts
    expect(model?.description).toMatchObject({
      fidelity: 'delta',
      labelTier: 'nwchem',
      baseTier: 'xtb',
      trainedOn: 10,
      baseTrainedOn: 10,
      // the campaign's surrogate settings it was trained with
      settings: { kind: 'qrf', fidelity: 'delta', recalibrate: true },
    });
    const m = model?.metrics ?? {};
    expect(m.stdScale).toBeGreaterThan(0);
    expect(m.baseStdScale).toBeGreaterThan(0);
    expect(m.recalibrationFolds).toBe(5);
    expect(m.recalibrationPoints).toBe(10);
    expect(m.trainLoss).toBeGreaterThanOrEqual(0);
    expect(m.meanStd).toBeGreaterThan(0);
    // the round-1 model, tested on the 4 candidates it chose, against their NWChem gaps
    expect(m.lastN).toBe(4);
    expect(m.lastMae).toBeGreaterThan(0);
    expect(m.lastCoverage90).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(m.lastNll)).toBe(true);

    // the stored predictions are (measured xtb gap, else the base's) + the correction
    const parts = readDeltaModel((await db.getModelWeights(model?.id as string)) as Uint8Array);
    const base = await QuantileForest.load(parts.base, { threads: 1 });
    const correction = await QuantileForest.load(parts.delta, { threads: 1 });
    const pool = await db.listCandidates('delta');
    const { matrix } = await poolFeatures(db, pool, config.surrogate.features);
    const b = await base.predict(matrix, pool.length);
    const d = await correction.predict(matrix, pool.length);
    const stored = await db.getPredictions(model?.id as string);
    expect(stored).toHaveLength(pool.length);
    for (const p of stored) {
      const below = xtb.get(p.idx) ?? (b.mean[p.idx] as number);
      expect(p.mean).toBeCloseTo(below + (d.mean[p.idx] as number), 4);
    }

    // what `cascade status` shows, from the workflow and from the store
    expect(result.lastModel).toMatchObject({ fidelity: 'delta', baseTier: 'xtb', labelTier: 'nwchem' });
    const text = formatProgress(result, { execution: 'COMPLETED' });
    expect(text).toContain('trained on 10 nwchem results, as differences from xtb');
    expect(text).toMatch(/spread scale \d+\.\d{3} \(base \d+\.\d{3}\), from 5-fold held-out predictions/);
    expect((await restoreCampaign(db, { campaignId: 'delta' })).lastModel).toMatchObject({
      fidelity: 'delta',
      baseTier: 'xtb',
    });
  });
});
