/**
 * A real xtb -> NWChem campaign whose DFT tier climbs a basis ladder (cbs:), configured from YAML: with a loose
 * tolerance every molecule stops at cc-pVDZ, its totalEnergy is the model's converged-energy prediction, and the
 * store and `cascade status` account the CPU time saved against cc-pVQZ.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatLadder } from '../../cli/format.js';
import { storeView } from '../../cli/report-data.js';
import { formatProblem, loadCampaign } from '../../lib/campaign/load.js';
import { openStore } from '../../store/open.js';
import { startCampaign } from '../helpers/campaign-env.js';
import { environmentWithWorkers } from '../helpers/workers.js';

const env = environmentWithWorkers();

const YAML = `name: cbs-campaign
seed: 5
candidates:
  source: /usr/share/RDKit/Data/NCI/first_5K.smi
  limit: 40
  filters: {maxHeavyAtoms: 3, elements: [C, N, O]}
objective: {property: totalEnergy, direction: minimize}
tiers:
  - code: xtb
  - code: nwchem
    method: pbe
    promote: {top: 0.5}
    cbs: {bases: [cc-pVDZ, cc-pVTZ, cc-pVQZ], maxIntervalMeVPerAtom: 100000}
surrogate:
  kind: qrf
  forest: {trees: 20, minSamplesLeaf: 2}
  features: {morganBits: 128}
acquisition: {strategy: ucb, batchSize: 2, initialBatch: 4}
budget:
  rounds: 1
  callsPerTier: {xtb: 6, nwchem: 3}
`;

describe('campaign with a basis ladder', () => {
  it('stops at the smallest basis when the interval is narrow enough and accounts the saving', {
    timeout: 300_000,
  }, async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'cascade-cbs-')), 'cbs.yaml');
    writeFileSync(file, YAML);
    const { config, problems } = loadCampaign(readFileSync(file, 'utf8'), file);
    expect(problems.map(formatProblem)).toEqual([]);
    if (!config) throw new Error('no config');
    const handle = await startCampaign(env(), config);
    const result = await handle.result();
    expect(result.failures).toBe(0);

    const db = openStore();
    const dft = await db.listEvaluations('cbs-campaign', 'nwchem');
    expect(dft.length).toBeGreaterThan(0);
    for (const e of dft) {
      const rec = await db.getQmResult(e.resultKey as string);
      if (!rec?.outputs) throw new Error(`no stored result for #${e.idx}`);
      // the stored calculation is the cc-pVDZ one; the evaluation's value is the predicted converged energy
      expect(rec.settings.basis).toBe('cc-pVDZ');
      const dz = rec.outputs.totalEnergy as number;
      expect(e.value).toBeLessThan(dz);
      expect(e.value).toBeGreaterThan(dz - 0.2);
    }
    const saved = await db.ladderSavings('cbs-campaign');
    expect(saved).toMatchObject({ molecules: dft.length, stoppedEarly: dft.length });
    expect(saved?.savedCpuSeconds).toBeGreaterThan(0);
    expect(formatLadder((await storeView(db, 'cbs-campaign')).basisLadder)).toMatch(
      /stopped before the largest basis[\s\S]*saved [\d.]+ CPU-s/,
    );
  });
});
