/**
 * configs/multi-objective.yaml, made small, on the real dev server with real xtb: two objectives (GFN2 gap up,
 * SA score down), a constraint (dipole moment <= 5 D), EHVI. The front the workflow keeps is checked against
 * one recomputed from the store, the hypervolume against the search attribute, and the history replays.
 */
import { readFileSync } from 'node:fs';
import { Worker as TemporalWorker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { loadCampaign } from '../../lib/campaign/load.js';
import { CampaignConfig } from '../../lib/campaign/schema.js';
import { dominates, hypervolume, paretoFront, toScores } from '../../lib/domain/pareto.js';
import * as attrs from '../../lib/temporal/search-attributes.js';
import { openStore } from '../../store/open.js';
import { workflowsPath } from '../../workers/main.js';
import { startCampaign } from '../helpers/campaign-env.js';
import { environmentWithWorkers } from '../helpers/workers.js';

const env = environmentWithWorkers();

describe('a multi-objective campaign with a constraint', () => {
  it('keeps the feasible Pareto front and its hypervolume', { timeout: 300_000 }, async () => {
    const file = 'configs/multi-objective.yaml';
    const loaded = loadCampaign(readFileSync(file, 'utf8'), file);
    expect(loaded.problems).toEqual([]);
    const config = CampaignConfig.parse({
      ...loaded.config,
      name: 'multi-objective',
      candidates: { ...loaded.config?.candidates, limit: 120 },
      acquisition: { ...loaded.config?.acquisition, batchSize: 4, initialBatch: 8 },
      budget: { rounds: 3, callsPerTier: { xtb: 16 } },
      // optimisations with few cycles (1, then 3 and 9 from the restart handlers): the floppier molecules fail,
      // so the classifier has both outcomes to learn from
      tiers: [{ code: 'xtb', method: 'gfn2', timeoutSeconds: 120, optimize: true, settings: { cycles: 1 } }],
      classifier: { ...loaded.config?.classifier, epochs: 40, minFailures: 2 },
    });
    const handle = await startCampaign(env(), config, { heartbeatSeconds: 20 });
    const result = await handle.result();
    expect(result.status).toBe('finished');
    expect(result.calls.xtb).toBe(16); // 8 random, then two EHVI batches of 4

    // a surrogate for the constrained property, beside the objective's; none for the exact SA score
    const store = openStore();
    expect((await store.latestModel('multi-objective'))?.description.property).toBeUndefined();
    const dipole = await store.latestModel('multi-objective', 'dipoleMoment');
    expect(dipole?.description.property).toBe('dipoleMoment');
    expect(await store.latestModel('multi-objective', 'saScore')).toBeUndefined();

    // the failure classifier learned from the failed and the successful candidates, with its figures and the
    // same network's without the penalty; its predictions are probabilities for the whole pool
    const evaluations = await store.listEvaluations('multi-objective', 'xtb');
    const failed = evaluations.filter((e) => e.status === 'failed').length;
    expect(failed).toBeGreaterThanOrEqual(2);
    expect(evaluations.length - failed).toBeGreaterThanOrEqual(2);
    const classifier = await store.latestModel('multi-objective', 'success');
    expect(classifier?.kind).toBe('latent-binary-classifier');
    const m = classifier?.metrics ?? {};
    for (const key of [
      'accuracy',
      'brier',
      'ece',
      'nc1',
      'meanBinarity',
      'plainAccuracy',
      'plainBrier',
      'plainEce',
    ] as const) {
      expect(Number.isFinite(m[key])).toBe(true);
    }
    expect(m.accuracy).toBeGreaterThanOrEqual(0);
    expect(m.accuracy).toBeLessThanOrEqual(1);
    const success = await store.getPredictions(classifier?.id as string);
    expect(success.length).toBe(result.poolSize);
    expect(success.every((p) => p.mean >= 0 && p.mean <= 1 && p.std === 0)).toBe(true);
    console.info(
      `failure classifier: ${failed} of ${evaluations.length} failed; accuracy ${m.accuracy} (plain ${m.plainAccuracy}), ECE ${m.ece} (plain ${m.plainEce}), NC1 ${m.nc1} (plain ${m.plainNc1}), binarity ${m.meanBinarity} (plain ${m.plainMeanBinarity})`,
    );

    // the front, recomputed from the store: feasible results, gap and SA score, nothing dominated
    const sa = new Map(
      (await store.listCandidates('multi-objective')).map((c) => [
        c.idx,
        c.kind === 'molecule' ? c.saScore : undefined,
      ]),
    );
    const rows = (await store.listEvaluations('multi-objective', 'xtb')).flatMap((e) => {
      const gap = e.values?.homoLumoGap;
      const dipoleMoment = e.values?.dipoleMoment;
      const s = sa.get(e.idx);
      if (e.status !== 'ok' || gap === undefined || s === undefined || dipoleMoment === undefined) return [];
      return [{ idx: e.idx, gap, sa: s, feasible: dipoleMoment <= 5 }];
    });
    expect(rows.length).toBeGreaterThan(10);
    const feasible = rows.filter((r) => r.feasible);
    const objectives = [{ direction: 'maximize' as const }, { direction: 'minimize' as const }];
    const scores = toScores(
      objectives,
      feasible.map((r) => [r.gap, r.sa]),
    );
    const expected = paretoFront(scores)
      .map((i) => (feasible[i] as (typeof feasible)[number]).idx)
      .sort((a, b) => a - b);
    const front = result.front;
    expect(front?.points.map((p) => p.idx).sort((a, b) => a - b)).toEqual(expected);
    for (const p of front?.points ?? []) {
      const row = rows.find((r) => r.idx === p.idx);
      expect(row?.feasible).toBe(true);
      expect(p.values).toEqual([row?.gap, row?.sa]);
    }
    // nothing infeasible is the best either
    expect(feasible.map((r) => r.idx)).toContain(result.best?.idx);
    // SA reference 6 from the file (score -6); the gap's corner 10% beyond the first results' worst
    expect(front?.reference[1]).toBe(-6);
    const hv = hypervolume(
      paretoFront(scores).map((i) => scores[i] as number[]),
      front?.reference as number[],
    );
    expect(front?.hypervolume).toBeGreaterThan(0);
    // the reference came from the first round: with later, worse points the recomputed corner may differ, so
    // compare at the workflow's own corner
    expect(front?.hypervolume).toBeCloseTo(hv, 9);
    expect(
      scores.every(
        (s) =>
          !(front?.points ?? []).some((p) => dominates(s, toScores(objectives, [p.values])[0] as number[])),
      ),
    ).toBe(true);

    const d = await handle.describe();
    expect(d.typedSearchAttributes.get(attrs.BEST_VALUE)).toBeCloseTo(front?.hypervolume as number, 9);

    const history = await handle.fetchHistory();
    await TemporalWorker.runReplayHistory({ workflowsPath: workflowsPath() }, history);
  });
});
