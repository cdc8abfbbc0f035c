/** The SQLite store on real files in a temporary folder: what goes in comes back out, and resets forget what they should. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os, { hostname } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  getCampaign,
  resetCampaign,
  saveCampaign,
  setPoolSummary,
} from '../../activities/store/campaigns.js';
import {
  countCandidates,
  getCandidates,
  insertCandidates,
  listCandidates,
} from '../../activities/store/candidates.js';
import { cascadeHome, closeStores, type Db, openStore } from '../../activities/store/db.js';
import { listEvaluations, putEvaluation, topEvaluations } from '../../activities/store/evaluations.js';
import { campaignTotals, record, totals, wattsPerCore } from '../../activities/store/ledger.js';
import { getPredictions, latestModel, putModel, putPredictions } from '../../activities/store/models.js';
import {
  finishExecution,
  getGeometry,
  getQmResult,
  putGeometry,
  putQmResult,
  type QmResultRecord,
  startExecution,
} from '../../activities/store/qm-results.js';
import { CampaignConfig } from '../../lib/campaign/schema.js';

let dir: string;
let db: Db;
let n = 0;
const savedHome = process.env.CASCADE_HOME;
const savedWatts = process.env.CASCADE_WATTS_PER_CORE;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cascade-store-'));
});
// a fresh database file per test
beforeEach(() => {
  db = openStore(path.join(dir, `store-${++n}.db`));
});
afterEach(() => {
  if (savedWatts === undefined) delete process.env.CASCADE_WATTS_PER_CORE;
  else process.env.CASCADE_WATTS_PER_CORE = savedWatts;
});
afterAll(() => {
  closeStores();
  if (savedHome === undefined) delete process.env.CASCADE_HOME;
  else process.env.CASCADE_HOME = savedHome;
  rmSync(dir, { recursive: true, force: true });
});

const config = (name: string, direction: 'maximize' | 'minimize' = 'maximize') =>
  CampaignConfig.parse({
    name,
    candidates: { source: '/data/mols.smi', limit: 10 },
    objective: { property: 'homoLumoGap', direction },
    tiers: [{ code: 'xtb' }],
    budget: { rounds: 3, callsPerTier: { xtb: 12 } },
  });

const mols = [
  { idx: 0, label: 'm0', smiles: 'C', heavyAtoms: 1 },
  { idx: 1, label: 'm1', smiles: 'CC', heavyAtoms: 2 },
  { idx: 2, label: 'm2', smiles: 'CCO', heavyAtoms: 3 },
  { idx: 3, label: 'm3', smiles: 'CC#N', heavyAtoms: 3 },
  { idx: 4, label: 'm4', smiles: 'c1ccccc1', heavyAtoms: 6 },
];

const evaluation = (
  idx: number,
  value: number | undefined,
  extra: Partial<Parameters<typeof putEvaluation>[2]> = {},
) => ({
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

describe('opening the store', () => {
  it('lives under $CASCADE_HOME by default and is opened once per file', () => {
    const home = path.join(dir, 'home');
    process.env.CASCADE_HOME = home;
    expect(cascadeHome()).toBe(home);
    const a = openStore();
    expect(a.name).toBe(path.join(home, 'cascade.db'));
    expect(existsSync(path.join(home, 'cascade.db'))).toBe(true);
    expect(openStore()).toBe(a);
    expect(a.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('reopens a closed store, keeping what was written', () => {
    const file = path.join(dir, 'reopen.db');
    saveCampaign(openStore(file), 'kept', config('kept'));
    closeStores();
    const again = openStore(file);
    expect(again.open).toBe(true);
    expect(getCampaign(again, 'kept')?.config.name).toBe('kept');
  });
});

describe('campaigns', () => {
  it('saves and reads back a config, and the latest save wins', () => {
    expect(getCampaign(db, 'a')).toBeUndefined();
    saveCampaign(db, 'a', config('a'), 'configs/a.yaml');
    const first = getCampaign(db, 'a');
    expect(first).toEqual({
      id: 'a',
      name: 'a',
      config: config('a'),
      configFile: 'configs/a.yaml',
      pool: undefined,
    });

    const changed = { ...config('a'), seed: 42 };
    saveCampaign(db, 'a', changed); // no file: the recorded one stays
    expect(getCampaign(db, 'a')).toMatchObject({ config: { seed: 42 }, configFile: 'configs/a.yaml' });
    saveCampaign(db, 'a', changed, 'other.yaml');
    expect(getCampaign(db, 'a')?.configFile).toBe('other.yaml');
  });

  it('records the pool summary', () => {
    saveCampaign(db, 'a', config('a'));
    const pool = { source: '/data/mols.smi', read: 20, kept: 5, rejected: { duplicate: 3, charged: 12 } };
    setPoolSummary(db, 'a', pool);
    expect(getCampaign(db, 'a')?.pool).toEqual(pool);
  });

  it('reset forgets evaluations, models, predictions and the ledger of that campaign only', () => {
    for (const id of ['a', 'b']) {
      saveCampaign(db, id, config(id));
      insertCandidates(db, id, mols);
      putEvaluation(db, id, evaluation(1, 5));
      putModel(db, { ...model(id, `${id}-m0`, 0) }, new Uint8Array([1]));
      putPredictions(db, id, `${id}-m0`, new Float32Array([1]), new Float32Array([0.5]), [0]);
      record(db, { campaignId: id, round: 0, activity: 'qm:xtb', wallSeconds: 1, cpuSeconds: 1 });
    }
    putQmResult(db, qmResult('k1'));
    resetCampaign(db, 'a');

    expect(listEvaluations(db, 'a')).toEqual([]);
    expect(latestModel(db, 'a')).toBeUndefined();
    expect(getPredictions(db, 'a-m0')).toEqual([]);
    expect(totals(db, 'a')).toEqual([]);
    // what is expensive or defines the campaign stays
    expect(getCampaign(db, 'a')?.config.name).toBe('a');
    expect(countCandidates(db, 'a')).toBe(5);
    expect(getQmResult(db, 'k1')).toBeDefined();
    // and the other campaign is untouched
    expect(listEvaluations(db, 'b')).toHaveLength(1);
    expect(latestModel(db, 'b')?.id).toBe('b-m0');
    expect(getPredictions(db, 'b-m0')).toHaveLength(1);
    expect(totals(db, 'b')).toHaveLength(1);
  });
});

describe('candidates', () => {
  it('inserts, counts, lists in index order and fetches by index', () => {
    insertCandidates(db, 'a', [...mols].reverse());
    expect(countCandidates(db, 'a')).toBe(5);
    expect(listCandidates(db, 'a')).toEqual(mols);
    expect(getCandidates(db, 'a', [4, 0])).toEqual([mols[4], mols[0]]);
    expect(countCandidates(db, 'other')).toBe(0);
  });

  it('a second insert replaces the pool', () => {
    insertCandidates(db, 'a', mols);
    insertCandidates(db, 'a', [{ idx: 0, label: 'x', smiles: 'O', heavyAtoms: 1 }]);
    expect(listCandidates(db, 'a')).toEqual([{ idx: 0, label: 'x', smiles: 'O', heavyAtoms: 1 }]);
  });

  it('asking for a candidate that does not exist is an error naming it', () => {
    insertCandidates(db, 'a', mols);
    expect(() => getCandidates(db, 'a', [1, 9])).toThrow('campaign a has no candidate #9');
  });
});

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
  it('puts and gets results by key, successes and failures', () => {
    expect(getQmResult(db, 'nope')).toBeUndefined();
    putQmResult(db, qmResult('ok1'));
    expect(getQmResult(db, 'ok1')).toEqual({ ...qmResult('ok1'), failure: undefined });
    const failed = qmResult('bad1', {
      status: 'failed',
      outputs: undefined,
      failure: { kind: 'scf', message: 'SCF did not converge', retryable: false },
    });
    putQmResult(db, failed);
    expect(getQmResult(db, 'bad1')).toEqual(failed);
    // the same key again replaces the row
    putQmResult(db, qmResult('ok1', { outputs: { homoLumoGap: 1 } }));
    expect(getQmResult(db, 'ok1')?.outputs).toEqual({ homoLumoGap: 1 });
  });

  it('logs each execution from start to finish', () => {
    const a = startExecution(db, 'k1', 'xtb', 'node-1');
    const b = startExecution(db, 'k1', 'xtb', 'node-2');
    expect(b).toBeGreaterThan(a);
    finishExecution(db, a, 'ok');
    const rows = db.prepare('SELECT * FROM qm_executions ORDER BY id').all() as {
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
  });

  it('caches one geometry per SMILES and generator; the first one stays', () => {
    expect(getGeometry(db, 'CCO', 'obabel-3d')).toBeUndefined();
    putGeometry(db, 'CCO', 'obabel-3d', '{"n":1}');
    putGeometry(db, 'CCO', 'obabel-3d', '{"n":2}');
    putGeometry(db, 'CCO', 'rdkit-etkdg', '{"n":3}');
    expect(getGeometry(db, 'CCO', 'obabel-3d')).toBe('{"n":1}');
    expect(getGeometry(db, 'CCO', 'rdkit-etkdg')).toBe('{"n":3}');
  });
});

describe('evaluations', () => {
  it('puts and lists by round then index, optionally for one tier; one row per candidate and tier', () => {
    putEvaluation(db, 'a', evaluation(3, 1.5, { round: 1, cached: true, resultKey: 'k3' }));
    putEvaluation(db, 'a', evaluation(2, 2.5, { round: 0 }));
    putEvaluation(db, 'a', evaluation(1, undefined, { round: 1, status: 'failed', message: 'xtb crashed' }));
    putEvaluation(db, 'a', evaluation(2, 9, { round: 2, tier: 'dft' }));
    putEvaluation(db, 'b', evaluation(0, 1));

    expect(listEvaluations(db, 'a').map((e) => [e.round, e.idx, e.tier])).toEqual([
      [0, 2, 'xtb'],
      [1, 1, 'xtb'],
      [1, 3, 'xtb'],
      [2, 2, 'dft'],
    ]);
    expect(listEvaluations(db, 'a', 'dft').map((e) => e.idx)).toEqual([2]);
    const xtb = listEvaluations(db, 'a', 'xtb');
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
    putEvaluation(db, 'a', evaluation(1, 4, { round: 1 }));
    expect(listEvaluations(db, 'a', 'xtb')).toHaveLength(3);
    expect(listEvaluations(db, 'a', 'xtb').find((e) => e.idx === 1)).toMatchObject({
      status: 'ok',
      value: 4,
    });
  });

  it('topEvaluations: best first in the objective direction, with labels and SMILES, ok results only', () => {
    insertCandidates(db, 'a', mols);
    putEvaluation(db, 'a', evaluation(0, 3.0));
    putEvaluation(db, 'a', evaluation(1, -1.0));
    putEvaluation(db, 'a', evaluation(2, 7.5));
    putEvaluation(db, 'a', evaluation(3, undefined, { status: 'failed', message: 'boom' }));
    putEvaluation(db, 'a', evaluation(4, 100, { tier: 'dft' })); // another tier
    insertCandidates(db, 'b', mols);
    putEvaluation(db, 'b', evaluation(4, 50)); // another campaign

    expect(topEvaluations(db, 'a', 'xtb', 'maximize', 10)).toEqual([
      { idx: 2, label: 'm2', smiles: 'CCO', value: 7.5 },
      { idx: 0, label: 'm0', smiles: 'C', value: 3 },
      { idx: 1, label: 'm1', smiles: 'CC', value: -1 },
    ]);
    expect(topEvaluations(db, 'a', 'xtb', 'minimize', 10).map((t) => t.idx)).toEqual([1, 0, 2]);
    expect(topEvaluations(db, 'a', 'xtb', 'maximize', 2).map((t) => t.idx)).toEqual([2, 0]);
    expect(topEvaluations(db, 'a', 'xtb', 'minimize', 1)).toEqual([
      { idx: 1, label: 'm1', smiles: 'CC', value: -1 },
    ]);
    expect(topEvaluations(db, 'a', 'dft', 'maximize', 5).map((t) => t.value)).toEqual([100]);
  });
});

describe('the ledger', () => {
  it('estimates energy as CPU-seconds x watts per core and says so with each entry', () => {
    process.env.CASCADE_WATTS_PER_CORE = '20';
    const joules = record(db, {
      campaignId: 'a',
      round: 0,
      activity: 'qm:xtb',
      wallSeconds: 3,
      cpuSeconds: 2.5,
    });
    const row = db.prepare('SELECT * FROM ledger').get() as Record<string, unknown>;
    expect(row).toMatchObject({
      campaign_id: 'a',
      round: 0,
      activity: 'qm:xtb',
      host: hostname(),
      wall_seconds: 3,
      cpu_seconds: 2.5,
      gpu_seconds: 0,
      energy_joules: 50,
      energy_method: 'estimate: cpu-seconds x 20 W/core',
    });
    expect(joules).toBe(50);
  });

  it('defaults to 12 W per core, also for a value that is not a positive number', () => {
    delete process.env.CASCADE_WATTS_PER_CORE;
    expect(wattsPerCore()).toBe(12);
    for (const bad of ['abc', '0', '-5', '']) {
      process.env.CASCADE_WATTS_PER_CORE = bad;
      expect(wattsPerCore()).toBe(12);
    }
    process.env.CASCADE_WATTS_PER_CORE = '7.5';
    expect(wattsPerCore()).toBe(7.5);
  });

  it('totals calls, wall, CPU and energy per activity of one campaign', () => {
    delete process.env.CASCADE_WATTS_PER_CORE;
    const add = (campaignId: string, activity: string, wallSeconds: number, cpuSeconds: number) =>
      record(db, { campaignId, round: 0, activity, wallSeconds, cpuSeconds });
    add('a', 'qm:xtb', 2, 1.5);
    add('a', 'ml:train+screen', 10, 8);
    add('a', 'qm:xtb', 3, 2.5);
    add('b', 'qm:xtb', 100, 100);
    expect(totals(db, 'a')).toEqual([
      { activity: 'ml:train+screen', calls: 1, wallSeconds: 10, cpuSeconds: 8, energyJoules: 96 },
      { activity: 'qm:xtb', calls: 2, wallSeconds: 5, cpuSeconds: 4, energyJoules: 48 },
    ]);
    expect(campaignTotals(db, 'a')).toEqual({ cpuSeconds: 12, energyJoules: 144 });
    expect(totals(db, 'nobody')).toEqual([]);
    expect(campaignTotals(db, 'nobody')).toEqual({ cpuSeconds: 0, energyJoules: 0 });
  });
});

function model(campaignId: string, id: string, round: number) {
  return {
    id,
    campaignId,
    round,
    kind: 'mlp-ensemble',
    backend: 'cpu',
    description: { hiddenLayers: [16] },
    metrics: { rmse: 0.5 },
  };
}

describe('models and predictions', () => {
  it('the latest model is the one of the highest round', () => {
    putModel(db, model('a', 'a-m1', 1), new Uint8Array([1, 2, 3]));
    putModel(db, model('a', 'a-m0', 0), new Uint8Array([4]));
    expect(latestModel(db, 'a')).toEqual(model('a', 'a-m1', 1));
    const weights = db.prepare('SELECT weights FROM models WHERE id = ?').get('a-m1') as { weights: Buffer };
    expect([...weights.weights]).toEqual([1, 2, 3]);
  });

  it("a new model's predictions replace the older models' rows of the same campaign only", () => {
    putModel(db, model('a', 'a-m0', 0), new Uint8Array());
    putModel(db, model('a', 'a-m1', 1), new Uint8Array());
    putModel(db, model('b', 'b-m0', 0), new Uint8Array());
    putPredictions(db, 'a', 'a-m0', new Float32Array([1, 2]), new Float32Array([0.1, 0.2]), [0, 1]);
    putPredictions(db, 'b', 'b-m0', new Float32Array([5]), new Float32Array([0.5]), [0]);
    expect(getPredictions(db, 'a-m0')).toHaveLength(2);

    putPredictions(db, 'a', 'a-m1', new Float32Array([3.5, -1.25]), new Float32Array([0.25, 0]), [4, 2]);
    expect(getPredictions(db, 'a-m0')).toEqual([]);
    expect(getPredictions(db, 'a-m1')).toEqual([
      { idx: 2, mean: -1.25, std: 0 },
      { idx: 4, mean: 3.5, std: 0.25 },
    ]);
    expect(getPredictions(db, 'b-m0')).toEqual([{ idx: 0, mean: 5, std: 0.5 }]);
    // the older model itself (its weights) stays
    expect(db.prepare('SELECT COUNT(*) AS n FROM models WHERE campaign_id = ?').get('a')).toEqual({ n: 2 });
  });
});
