/**
 * A crystal campaign from YAML on the real dev server with real Elk: MgO given three ways (CIF, extended XYZ,
 * POSCAR: one candidate) beside generated rock salts, a cheap Elk tier, then a converged tier that climbs the
 * rgkmax ladder with the CBS model. Checks the pool, the stored results with their formation energies, the
 * ladder's decisions, the cache (a second campaign computes nothing), and MgO against `cascade qm run`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { loadCampaign } from '../../lib/campaign/load.js';
import type { CampaignConfig } from '../../lib/campaign/schema.js';
import type { CrystalCandidate } from '../../lib/domain/candidate.js';
import { crystalToJson } from '../../qm/structure.js';
import { openStore } from '../../store/open.js';
import { startCampaign } from '../helpers/campaign-env.js';
import { environmentWithWorkers } from '../helpers/workers.js';

const env = environmentWithWorkers();
const root = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(root, 'test/fixtures/crystals');

/** Settings of the CBS data set's Elk rows (data/cbs/solids.jsonl), so the ladder's model applies. */
const DATA_SET_SETTINGS = '{kpoints: [4, 4, 4], smearingWidth: 0.01, gmaxvr: 20, mixing: adaptive}';

function campaign(name: string): CampaignConfig {
  const text = `
name: ${name}
seed: 3
crystals:
  files:
    - ${path.join(fixtures, 'mgo-fm3m.cif')}
    - ${path.join(fixtures, 'mgo.extxyz')}
    - ${path.join(fixtures, 'POSCAR-mgo-cartesian')}
  generate: {prototypes: [rockSalt], A: [Li, Na], B: [F, O]}
  filters: {maxAtoms: 8, chargeNeutral: true}
objective: {property: formationEnergy, direction: minimize}
acquisition: {strategy: greedy, batchSize: 3, initialBatch: 3}
tiers:
  - name: elk-cheap
    code: elk
    settings: {rgkmax: 5, kpoints: [2, 2, 2], smearingWidth: 0.01, gmaxvr: 20, mixing: adaptive}
    timeoutSeconds: 300
  - name: elk-converged
    code: elk
    settings: ${DATA_SET_SETTINGS}
    cbs: {rgkmax: [5, 6, 7, 8], maxIntervalMeVPerAtom: 20}
    timeoutSeconds: 600
budget: {rounds: 1}
`;
  const { config, problems } = loadCampaign(text, `${name}.yaml`);
  expect(problems).toEqual([]);
  return config as CampaignConfig;
}

describe('a crystal campaign with Elk', () => {
  it('screens crystals through two Elk tiers and an rgkmax ladder, and a second run computes nothing', {
    timeout: 900_000,
  }, async () => {
    const store = openStore();
    const first = await (await startCampaign(env(), campaign('crystals'))).result();
    expect(first.status).toBe('finished');

    // MgO three ways is one candidate; LiO and NaO are not neutral; LiF, NaF and generated MgO remain
    const pool = (await store.listCandidates('crystals')) as CrystalCandidate[];
    const summary = (await store.getCampaign('crystals'))?.pool;
    expect(summary?.read).toBe(3 + 4);
    expect(summary?.rejected).toMatchObject({ duplicate: 2, 'not charge-neutral': 2 });
    expect(pool.map((c) => c.label).sort()).toEqual(['LiF-rockSalt', 'MgO_Fm-3m', 'NaF-rockSalt']);
    for (const c of pool) {
      expect(c.kind).toBe('crystal');
      expect(c.spaceGroup).toBe(225);
      expect(c.structure.symbols).toHaveLength(2);
    }
    const cheap = await store.listEvaluations('crystals', 'elk-cheap');
    const converged = await store.listEvaluations('crystals', 'elk-converged');
    expect(cheap.length).toBe(3);
    expect(converged.length).toBe(3);
    for (const e of [...cheap, ...converged]) {
      expect(e.status, e.message).toBe('ok');
      // ionic solids against the fcc element scans: MgO -4.3, LiF -4.0, NaF -3.7 (experiment -3.1, -3.2, -3.0)
      expect(e.values?.formationEnergy).toBeLessThan(-2);
      expect(e.values?.formationEnergy).toBeGreaterThan(-6);
      expect(e.values?.bandGap).toBeGreaterThan(2); // wide-gap insulators
      expect(e.values?.energyPerAtom).toBeLessThan(0);
    }

    // the ladder ran from rgkmax 5 and stopped once the interval was narrow enough, or at the top
    const ladders = await store.listLadders('crystals');
    expect(ladders).toHaveLength(3);
    for (const l of ladders) {
      expect(l.basesRun[0]).toBe('rgkmax 5');
      expect(l.basesRun.length + l.basesSkipped.length).toBe(4);
      if (l.basesSkipped.length > 0) expect(l.hi - l.lo).toBeLessThanOrEqual((20 / 27211.386) * 2);
    }

    // a second campaign on the same crystals computes nothing: every calculation comes from the store
    const executions = (await store.listExecutions()).length;
    const second = await (await startCampaign(env(), campaign('crystals-again'))).result();
    expect(second.status).toBe('finished');
    expect((await store.listExecutions()).length).toBe(executions);
    const again = await store.listEvaluations('crystals-again', 'elk-converged');
    expect(again.every((e) => e.cached)).toBe(true);
    expect(again.map((e) => e.values?.formationEnergy).sort()).toEqual(
      converged.map((e) => e.values?.formationEnergy).sort(),
    );

    // MgO's converged tier against `cascade qm run` on the same cell and settings, in a store of its own
    const mgo = pool.find((c) => c.label === 'MgO_Fm-3m') as CrystalCandidate;
    const evaluation = converged.find((e) => e.idx === mgo.idx);
    const ran = await store.getQmResult(evaluation?.resultKey as string);
    const rgkmax = (ran?.settings as { rgkmax?: number } | undefined)?.rgkmax;
    const home = mkdtempSync(path.join(os.tmpdir(), 'cascade-mgo-'));
    const cell = path.join(home, 'mgo.json');
    writeFileSync(cell, crystalToJson(mgo.structure));
    const set = ['kpoints=[4,4,4]', 'smearingWidth=0.01', 'gmaxvr=20', 'mixing=adaptive', `rgkmax=${rgkmax}`];
    const qm = await execa(
      process.execPath,
      [
        path.join(root, 'bin/cascade.js'),
        'qm',
        'run',
        '--code',
        'elk',
        '--method',
        'pbe',
        '--structure',
        cell,
        ...set.flatMap((s) => ['--set', s]),
        '--timeout',
        '600',
        '--json',
      ],
      { env: { ...process.env, CASCADE_HOME: home }, reject: false },
    );
    expect(qm.exitCode, qm.stderr + qm.stdout).toBe(0);
    const direct = JSON.parse(qm.stdout);
    expect(direct.cached).toBe(false);
    expect(Math.abs(direct.totalEnergy - (ran?.outputs?.totalEnergy as number))).toBeLessThan(1e-6);
    expect(direct.bandGap).toBeGreaterThan(3);
    expect(evaluation?.values?.bandGap).toBeGreaterThan(3);
  });
});
