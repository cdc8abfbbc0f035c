/**
 * The same config and seed in two fresh stores give the same campaign: the same candidates evaluated in the
 * same rounds, with bit-identical values and the same cache keys (which hash the 3D geometries). Real xtb,
 * real workers, each pair of stores and workers in its own CASCADE_HOME. Before geometries were seeded, Open
 * Babel's clock-seeded embedding made the values (and so the picks) differ from store to store.
 *
 * Then a stopped campaign: "stopped" in its search attribute and result (not "finished"), and a resumed run
 * that keeps its summary in the Web UI.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { GEOMETRY_GENERATOR } from '../../activities/qm/stored-geometry.js';
import * as attrs from '../../lib/temporal/search-attributes.js';
import { closeStores, openStore } from '../../store/open.js';
import { createWorkers } from '../../workers/main.js';
import { progressQuery, stopUpdate } from '../../workflows/campaign.js';
import { startCampaign, type TestEnv, testEnv, tinyCampaign } from '../helpers/campaign-env.js';

let stopWorkers: (() => Promise<void>) | undefined;
afterAll(async () => {
  await stopWorkers?.();
  await closeStores();
});

/** A fresh CASCADE_HOME (so a fresh store) with its own workers; the previous ones are shut down first. */
async function freshHome(): Promise<TestEnv> {
  await stopWorkers?.();
  const env = await testEnv();
  const { workers } = await createWorkers({
    queues: ['default', 'ml', 'qm'],
    prefix: env.prefix,
    qmConcurrency: 2,
  });
  const running = Promise.all(workers.map((w) => w.run()));
  stopWorkers = async () => {
    for (const w of workers) w.shutdown();
    await running;
    stopWorkers = undefined;
  };
  return env;
}

async function campaignIn(env: TestEnv) {
  // surrogate.policy auto adapts to measured CPU time, which differs run to run: a reproducible campaign trains
  // every round (policy: always)
  const config = tinyCampaign('repro', {
    surrogate: {
      ensembleSize: 3,
      hiddenLayers: [32],
      epochs: 30,
      features: { morganBits: 512 },
      policy: 'always',
    },
  });
  const result = await (await startCampaign(env, config, { heartbeatSeconds: 20 })).result();
  const store = openStore(); // the store of env.home
  const evaluations = (await store.listEvaluations('repro', 'xtb'))
    .map((e) => ({
      idx: e.idx,
      round: e.round,
      status: e.status,
      value: e.value,
      values: e.values,
      key: e.resultKey,
    }))
    .sort((a, b) => a.idx - b.idx);
  return { home: env.home, result, evaluations };
}

let lastEnv: TestEnv | undefined;

describe('reproducible campaigns', () => {
  it('two fresh stores, same config and seed: identical evaluated sets and values', {
    timeout: 420_000,
  }, async () => {
    const a = await campaignIn(await freshHome());
    lastEnv = await freshHome();
    const b = await campaignIn(lastEnv);
    expect(a.home).not.toBe(b.home);
    expect(a.result.status).toBe('finished');
    expect(a.evaluations).toHaveLength(10);
    expect(a.evaluations.every((e) => e.status === 'ok' && typeof e.value === 'number')).toBe(true);
    // the same candidates, rounds, values (to the bit) and cache keys
    expect(b.evaluations).toEqual(a.evaluations);
    expect(b.result.best).toEqual(a.result.best);
    expect(b.result.calls).toEqual(a.result.calls);
    // and the geometries came from the seeded embedding, stored under its name
    expect(GEOMETRY_GENERATOR).toMatch(/^openchemlib-[\d.]+-seed\d+-/);
  });

  it('a stopped campaign is "stopped", not "finished"; its resumed run keeps a summary', {
    timeout: 300_000,
  }, async () => {
    const env = lastEnv ?? (await freshHome());
    const config = tinyCampaign('halted', { budget: { rounds: 50 } });
    const handle = await startCampaign(env, config, { heartbeatSeconds: 20 });
    while ((await handle.query(progressQuery)).round < 1) await new Promise((r) => setTimeout(r, 300));
    expect(await handle.executeUpdate(stopUpdate, { args: ['enough for today'] })).toMatch(/will stop/);
    expect((await handle.query(progressQuery)).status).toMatch(/^(stopping|stopped)$/);
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'stopped', stopReason: 'enough for today' });
    const d = await handle.describe();
    expect(d.status.name).toBe('COMPLETED');
    expect(d.typedSearchAttributes.get(attrs.STATUS)).toBe('stopped');

    // cascade resume of a closed campaign: a new run, with the summary and what it continues from
    const resumed = await startCampaign(env, config, {
      workflowId: handle.workflowId,
      resume: { rounds: 1 },
    });
    const r = await resumed.describe();
    expect(r.runId).not.toBe(d.runId);
    expect(await r.staticSummary()).toBe('cascade campaign halted: maximize homoLumoGap with xtb gfn2');
    const details = await r.staticDetails();
    expect(details).toMatch(/^\*\*Resumed\*\*: continued from its stored results with 1 more rounds\n/);
    // the campaign as parsed (no file here), in a YAML block the Web UI renders
    expect(details).toContain('```yaml\nversion: 1\nname: halted\n');
    const end = await resumed.result();
    expect(end.status).toBe('finished');
    expect((await resumed.describe()).typedSearchAttributes.get(attrs.STATUS)).toBe('finished');
  });
});
