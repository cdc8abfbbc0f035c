/**
 * A tiny real campaign on the real dev server with real xtb: ~100 NCI molecules, 2 rounds, 10 xtb calls.
 * Checks the workflow's result against the store, the search attributes, the cache, and replays the history.
 */
import { writeFileSync } from 'node:fs';
import { Worker as TemporalWorker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import * as attrs from '../../lib/temporal/search-attributes.js';
import { openStore } from '../../store/open.js';
import { workflowsPath } from '../../workers/main.js';
import { progressQuery } from '../../workflows/campaign.js';
import { startCampaign, tinyCampaign } from '../helpers/campaign-env.js';
import { environmentWithWorkers } from '../helpers/workers.js';

const env = environmentWithWorkers();

describe('CampaignWorkflow', () => {
  it('runs a tiny campaign end to end with real xtb', { timeout: 180_000 }, async () => {
    const config = tinyCampaign('tiny');
    const handle = await startCampaign(env(), config, { heartbeatSeconds: 20 });
    const result = await handle.result();

    expect(result.status).toBe('finished');
    expect(result.stopReason).toMatch(/round budget/);
    expect(result.round).toBe(2);
    expect(result.failures).toBe(0);
    expect(result.calls.xtb).toBe(10); // 6 random, then 4 chosen by UCB
    expect(result.poolSize).toBe(await openStore().countCandidates('tiny'));
    expect(result.poolSize).toBeGreaterThan(50);

    const evals = await openStore().listEvaluations('tiny', 'xtb');
    expect(evals).toHaveLength(10);
    const values = evals.map((e) => e.value as number);
    for (const v of values) expect(v).toBeGreaterThan(0.1); // HOMO-LUMO gaps in eV
    expect(result.best?.value).toBeCloseTo(Math.max(...values), 10);
    // the workflow's totals are the ledger's: every line written was counted, also round 0's look for data
    const ledger = await openStore().campaignTotals('tiny');
    expect(result.cpuSeconds).toBeCloseTo(ledger.cpuSeconds, 6);
    expect(result.energyJoules).toBeCloseTo(ledger.energyJoules, 4);

    // the round-1 batch was chosen by a trained surrogate, recorded with its backend
    const model = await openStore().latestModel('tiny');
    expect(model?.round).toBe(1);
    expect(['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']).toContain(model?.backend);
    expect(result.lastModel?.trainedOn).toBe(6);

    // every xtb calculation ran exactly once
    const okRuns = (await openStore().listExecutions()).filter((e) => e.status === 'ok');
    const runsPerKey = new Map<string, number>();
    for (const e of okRuns) runsPerKey.set(e.key, (runsPerKey.get(e.key) ?? 0) + 1);
    expect(runsPerKey.size).toBe(10);
    expect([...runsPerKey.values()].every((n) => n === 1)).toBe(true);

    // search attributes make it findable in the Web UI
    const d = await handle.describe();
    expect(d.typedSearchAttributes.get(attrs.CAMPAIGN)).toBe('tiny');
    expect(d.typedSearchAttributes.get(attrs.ROUND)).toBe(2);
    expect(d.typedSearchAttributes.get(attrs.EVALUATIONS)).toBe(10);
    expect(d.typedSearchAttributes.get(attrs.STATUS)).toBe('finished');
    expect(d.typedSearchAttributes.get(attrs.BEST_VALUE)).toBeCloseTo(result.best?.value as number, 10);

    // and the Web UI's search finds it by them (visibility is eventually consistent: poll briefly)
    const query = `CascadeCampaign="tiny" AND CascadeRound=2 AND CascadeBestValue > 0`;
    const listed: string[] = [];
    for (let i = 0; i < 50 && listed.length === 0; i++) {
      for await (const w of env().client.workflow.list({ query })) listed.push(w.workflowId);
      if (listed.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(listed).toEqual([handle.workflowId]);

    // the history replays deterministically against the current workflow code
    const history = await handle.fetchHistory();
    await TemporalWorker.runReplayHistory({ workflowsPath: workflowsPath() }, history);
    // protobufjs's own JSON form (History.toJSON); read back with History.fromObject
    if (process.env.RECORD_HISTORY) writeFileSync(process.env.RECORD_HISTORY, JSON.stringify(history));
  });

  it('stops when its energy budget is spent, everything it ran counted', { timeout: 180_000 }, async () => {
    // ~300 J: a round or two of embeddings, xtb and training at the modelled 12 W per core
    const config = tinyCampaign('energy-budget', { budget: { rounds: 30, energyKWh: 300 / 3.6e6 } });
    const result = await (await startCampaign(env(), config, { heartbeatSeconds: 20 })).result();
    expect(result.status).toBe('finished');
    expect(result.stopReason).toBe(`energy budget spent (${300 / 3.6e6} kWh)`);
    expect(result.round).toBeLessThan(30);
    expect(result.energyJoules).toBeGreaterThanOrEqual(300);
    // the workflow's total is the ledger's: calculations, geometry, models and the platform
    const lines = await openStore().ledgerTotals('energy-budget');
    const ledger = lines.reduce((sum, l) => sum + l.energyJoules, 0);
    expect(lines.map((l) => l.activity)).toEqual(expect.arrayContaining(['geometry', 'platform:worker']));
    expect(Math.abs(ledger - result.energyJoules) / ledger).toBeLessThan(0.05);
  });

  it('continues as new between rounds without losing its state', { timeout: 180_000 }, async () => {
    const config = tinyCampaign('chained', { budget: { rounds: 3 } });
    const handle = await startCampaign(env(), config, { roundsPerRun: 1 });
    const firstRunId = handle.firstExecutionRunId;
    const result = await handle.result(); // follows the chain of runs
    expect(result.round).toBe(3);
    expect(result.calls.xtb).toBe(14); // 6 + 4 + 4, counted across runs
    const first = await env().client.workflow.getHandle(handle.workflowId, firstRunId).describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');
    const last = await env().client.workflow.getHandle(handle.workflowId).describe();
    expect(last.runId).not.toBe(firstRunId);
    expect(await openStore().listEvaluations('chained')).toHaveLength(14);
    // the round-2 model records how the round-1 model did on the 4 candidates it chose, before seeing them
    const m = result.lastModel?.metrics ?? {};
    expect(m.lastN).toBe(4);
    expect(m.lastMae).toBeGreaterThan(0);
    expect(m.lastCoverage90).toBeGreaterThanOrEqual(0);
    expect(m.lastCoverage90).toBeLessThanOrEqual(1);
    expect(Number.isFinite(m.lastNll)).toBe(true);
  });

  it('runs with a quantile regression forest as its surrogate', { timeout: 180_000 }, async () => {
    const config = tinyCampaign('forest', {
      surrogate: { kind: 'qrf', forest: { trees: 50, minSamplesLeaf: 2 }, features: { morganBits: 512 } },
    });
    const handle = await startCampaign(env(), config);
    const result = await handle.result();
    expect(result.round).toBe(2);
    expect(result.calls.xtb).toBe(10);
    const model = await openStore().latestModel('forest');
    expect(model).toMatchObject({ kind: 'qrf', backend: 'js-threads', round: 1 });
    // the forest's predictions screened the whole pool, with a spread per candidate
    const preds = await openStore().getPredictions(model?.id as string);
    expect(preds).toHaveLength(result.poolSize);
    expect(preds.some((p) => p.std > 0)).toBe(true);
  });

  it('draws Thompson samples from the ensemble members its surrogate stored', {
    timeout: 180_000,
  }, async () => {
    const config = tinyCampaign('thompson', {
      acquisition: { strategy: 'thompson', batchSize: 4, initialBatch: 6, diversity: 0 },
    });
    const result = await (await startCampaign(env(), config)).result();
    expect(result.calls.xtb).toBe(10);
    const model = await openStore().latestModel('thompson');
    const samples = await openStore().getPredictionSamples(model?.id as string);
    // one array per member (tinyCampaign's ensemble has 3), a value for every pool candidate
    expect(samples?.members).toHaveLength(3);
    expect(samples?.indices).toHaveLength(result.poolSize);
    const preds = await openStore().getPredictions(model?.id as string);
    const first = preds[0] as { mean: number };
    const draws = (samples?.members ?? []).map((m) => m[0] as number);
    expect(draws.reduce((a, b) => a + b, 0) / draws.length).toBeCloseTo(first.mean, 4);
  });

  it('answers progress queries and stops gracefully on the stop signal', { timeout: 180_000 }, async () => {
    const config = tinyCampaign('stoppable', { budget: { rounds: 50 } });
    const handle = await startCampaign(env(), config);
    let p = await handle.query(progressQuery);
    while (p.round < 1) {
      await new Promise((r) => setTimeout(r, 300));
      p = await handle.query(progressQuery);
    }
    expect(p.campaign).toBe('stoppable');
    await handle.signal('stop', 'enough');
    const result = await handle.result();
    expect(result.stopReason).toBe('enough');
    expect(result.round).toBeLessThan(50);
    // in-flight calculations finished and were recorded: the store agrees with the workflow
    expect(await openStore().listEvaluations('stoppable')).toHaveLength(result.calls.xtb ?? 0);
  });

  it('evaluates a tier in batches, never more calculations at once than the worker runs', {
    timeout: 180_000,
  }, async () => {
    // molecules the other tests here do not use (they take at most 12 heavy atoms), so every one runs
    const config = tinyCampaign('batched', {
      candidates: {
        source: '/usr/share/RDKit/Data/NCI/first_5K.smi',
        limit: 300,
        filters: { minHeavyAtoms: 13, maxHeavyAtoms: 16, elements: ['C', 'N', 'O'] },
      },
      acquisition: { strategy: 'random', batchSize: 20, initialBatch: 20 },
      // optimisations (a second or more each): a candidate's slot also embeds its molecule (seconds, with a
      // seeded embedding), and single points (tens of ms) would seldom overlap however the slots are shared
      tiers: [{ code: 'xtb', method: 'gfn2', optimize: true, timeoutSeconds: 120 }],
      budget: { rounds: 1, callsPerTier: { xtb: 20 } },
    });
    const handle = await startCampaign(env(), config);
    const result = await handle.result();
    expect(result.calls.xtb).toBe(20);
    expect(result.batch).toMatchObject({ tier: 'xtb', size: 20, done: 20 });

    // 8 activities of 2 or 3 candidates, one summary per candidate in the store
    const history = await handle.fetchHistory();
    const batches = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes)
      .filter((a) => a?.activityType?.name === 'evaluateBatch');
    expect(batches).toHaveLength(8);
    const evals = await openStore().listEvaluations('batched', 'xtb');
    expect(evals).toHaveLength(20);
    expect(evals.filter((e) => e.status === 'ok').length + result.failures).toBe(20);

    // the worker's 2 calculation slots were shared by its batches: 2 at once, never 3
    const keys = new Set(evals.map((e) => e.resultKey));
    const runs = (await openStore().listExecutions())
      .filter((x) => keys.has(x.key))
      .map((x) => ({ a: x.startedAt, b: x.finishedAt as string }));
    expect(runs).toHaveLength(20);
    const edges = runs
      .flatMap((r) => [
        { t: Date.parse(r.a), d: 1 },
        { t: Date.parse(r.b), d: -1 },
      ])
      .sort((x, y) => x.t - y.t || x.d - y.d); // an end and a start in the same millisecond: the end first
    let running = 0;
    let most = 0;
    for (const e of edges) {
      running += e.d;
      most = Math.max(most, running);
    }
    expect(most).toBe(2);
  });
});
