/**
 * The campaign's rounds without a server: CampaignRounds with fake activities and hooks. Promotion up the
 * ladder, the best candidate (maximising and minimising), calls against their limits, failures, stop reasons,
 * pause / resume / stop and their refusals, continue-as-new and resume, and summaries recorded in older
 * histories (`value`, `smiles`, `cpuSeconds`).
 */
import { ApplicationFailure, type SearchAttributeUpdatePair } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { CampaignState } from '../../lib/campaign/progress.js';
import { CampaignConfig, type CampaignInput } from '../../lib/campaign/schema.js';
import { limitsFromConfig } from '../../lib/campaign/stopping.js';
import type { Usage } from '../../lib/domain/usage.js';
import * as attrs from '../../lib/temporal/search-attributes.js';
import {
  CampaignRounds,
  type Evaluated,
  type RoundActivities,
  type RoundsInput,
  type WorkflowHooks,
} from '../../workflows/campaign-rounds.js';
import { REFUSALS } from '../../workflows/messages.js';

const usage = (cpuSeconds: number): Usage => ({
  wallSeconds: cpuSeconds,
  cpuSeconds,
  gpuSeconds: 0,
  energyJoules: 12 * cpuSeconds,
  energyMethod: 'model: 12 W per core',
});

function config(overrides: Partial<CampaignInput> = {}): CampaignConfig {
  return CampaignConfig.parse({
    name: 'fake',
    seed: 5,
    candidates: { source: 'mols.smi' },
    objective: { property: 'homoLumoGap', direction: 'maximize' },
    acquisition: { strategy: 'ucb', batchSize: 4, initialBatch: 4, kappa: 1 },
    tiers: [{ code: 'xtb' }],
    budget: { rounds: 3 },
    ...overrides,
  });
}

const twoTiers = (promote: { top: number } | { threshold: number }, budget?: CampaignInput['budget']) =>
  config({
    tiers: [{ code: 'xtb' }, { code: 'nwchem', method: 'pbe', basis: 'def2-SVP', promote }],
    ...(budget ? { budget } : {}),
  });

interface World {
  /** The homoLumoGap each candidate gets at each tier; undefined: the calculation fails. */
  value: (idx: number, tier: number) => number | undefined;
  pool?: number;
  /** Summaries as histories recorded before `values`/`usage`/`identity` carry them. */
  legacy?: boolean;
  qmBatches?: boolean;
  continueAsNewSuggested?: () => boolean;
  restored?: CampaignState;
  /** Awaited by every evaluation: holds a round in its evaluating phase. */
  gate?: () => Promise<void>;
  /** CPU seconds each training reports (default 10). */
  trainCpu?: number;
  /** The patches of surrogate.policy and the platform's ledger lines. */
  choosingPolicy?: boolean;
  platformLedger?: boolean;
}

interface Call {
  activity: string;
  args: Record<string, unknown>;
}

/** Fake activities and hooks around a pool of `pool` candidates whose values `value` decides. */
function fake(world: World) {
  const pool = world.pool ?? 20;
  const calls: Call[] = [];
  const published: SearchAttributeUpdatePair[][] = [];
  const details: string[] = [];
  const evaluated = new Set<number>();
  const summary = (idx: number, tier: number): Evaluated => {
    const v = world.value(idx, tier);
    const status = v === undefined ? ('failed' as const) : ('ok' as const);
    return world.legacy
      ? { idx, label: `m${idx}`, smiles: `C${idx}`, status, value: v, cpuSeconds: 2, energyJoules: 24 }
      : {
          idx,
          label: `m${idx}`,
          identity: `C${idx}`,
          status,
          values: v === undefined ? {} : { homoLumoGap: v, totalEnergy: -v },
          usage: usage(2),
        };
  };
  const activities: RoundActivities = {
    restoreCampaign: async (args) => {
      calls.push({ activity: 'restoreCampaign', args });
      if (!world.restored) throw new Error('nothing to restore');
      return world.restored;
    },
    preparePool: async (args) => {
      calls.push({ activity: 'preparePool', args });
      return { read: pool + 3, kept: pool, rejected: { tooLarge: 3 } };
    },
    trainSurrogate: async (args) => {
      calls.push({ activity: 'trainSurrogate', args });
      if (evaluated.size === 0) return undefined;
      const base = {
        id: `model-r${args.round}`,
        backend: 'cpu',
        trainedOn: evaluated.size,
        labelTier: 'xtb',
        fidelity: 'direct' as const,
        metrics: { mae: 0.1 },
      };
      return world.legacy
        ? { ...base, cpuSeconds: 10, energyJoules: 120 }
        : { ...base, usage: usage(world.trainCpu ?? 10) };
    },
    acquireBatch: async (args) => {
      calls.push({ activity: 'acquireBatch', args });
      const indices: number[] = [];
      for (let i = 0; i < pool && indices.length < args.size; i++) if (!evaluated.has(i)) indices.push(i);
      for (const i of indices) evaluated.add(i);
      return world.legacy ? indices : { indices, usage: usage(1) };
    },
    evaluateBatch: async (args) => {
      calls.push({ activity: 'evaluateBatch', args });
      await world.gate?.();
      return args.idxs.map((i) => summary(i, args.tier));
    },
    evaluateCandidate: async (args) => {
      calls.push({ activity: 'evaluateCandidate', args });
      await world.gate?.();
      return summary(args.idx, args.tier);
    },
    accountPlatform: async (args) => {
      calls.push({ activity: 'accountPlatform', args });
      return { usage: usage(args.start ? 0 : 0.5) };
    },
  };
  const hooks: WorkflowHooks = {
    qmBatches: () => world.qmBatches ?? true,
    publish: (pairs) => {
      published.push(pairs);
    },
    condition: (ready) =>
      new Promise<void>((resolve) => {
        const check = () => (ready() ? resolve() : setTimeout(check, 1));
        check();
      }),
    continueAsNewSuggested: world.continueAsNewSuggested ?? (() => false),
    choosingPolicy: () => world.choosingPolicy ?? false,
    platformLedger: () => world.platformLedger ?? false,
    details: (text) => {
      details.push(text);
    },
  };
  const rounds = (c: CampaignConfig, extra: Partial<RoundsInput> = {}) =>
    new CampaignRounds(
      { campaignId: c.name, config: c, limits: limitsFromConfig(c), ...extra },
      activities,
      hooks,
    );
  /** The candidates each tier evaluated, in call order. */
  const evaluatedAt = (tier: number) =>
    calls
      .filter((c) => c.args.tier === tier)
      .flatMap((c) => (c.activity === 'evaluateBatch' ? (c.args.idxs as number[]) : [c.args.idx as number]));
  const lastPublished = () => new Map((published.at(-1) ?? []).map((p) => [p.key.name, p.value]));
  return { activities, hooks, calls, published, details, rounds, evaluatedAt, lastPublished };
}

describe('a campaign run with fake activities', () => {
  it('prepares the pool, runs rounds to the round budget and publishes its progress', async () => {
    const f = fake({ value: (i) => i / 10 });
    const r = f.rounds(config());
    expect(await r.run()).toBe('finished');
    const p = r.progress();
    expect(p).toMatchObject({
      status: 'finished',
      phase: 'idle',
      round: 3,
      poolSize: 20,
      calls: { xtb: 12 },
      failures: 0,
      stopReason: 'round budget spent (3 rounds)',
    });
    expect(f.calls.map((c) => c.activity)).toEqual([
      'preparePool',
      ...Array(3)
        .fill([
          'trainSurrogate',
          'acquireBatch',
          'evaluateBatch',
          'evaluateBatch',
          'evaluateBatch',
          'evaluateBatch',
        ])
        .flat(),
    ]);
    // the first round has no model: a random initial batch of initialBatch, seeded by round
    expect(f.calls[2]?.args).toMatchObject({ campaignId: 'fake', round: 0, size: 4, seed: 5 });
    expect(f.calls[2]?.args.modelId).toBeUndefined();
    expect(f.calls[8]?.args).toMatchObject({ round: 1, modelId: 'model-r1', size: 4, seed: 6 });
    // training 2 x 10 s, acquiring 3 x 1 s, 12 calculations x 2 s
    expect(p.cpuSeconds).toBe(20 + 3 + 24);
    expect(p.energyJoules).toBe(12 * (20 + 3 + 24));
    expect(p.lastModel).toEqual({
      id: 'model-r2',
      backend: 'cpu',
      trainedOn: 8,
      labelTier: 'xtb',
      fidelity: 'direct',
      metrics: { mae: 0.1 },
    });
    // running after preparing, after each round, finished at the end
    expect(f.published.map((ps) => ps.find((x) => x.key.name === attrs.STATUS.name)?.value)).toEqual([
      'running',
      'running',
      'running',
      'running',
      'finished',
    ]);
    expect(Object.fromEntries(f.lastPublished())).toMatchObject({
      [attrs.CAMPAIGN.name]: 'fake',
      [attrs.ROUND.name]: 3,
      [attrs.EVALUATIONS.name]: 12,
      [attrs.BEST_VALUE.name]: 1.1,
    });
  });

  it('fails clearly when no candidate survives filtering', async () => {
    const f = fake({ value: () => 1, pool: 0 });
    await expect(f.rounds(config()).run()).rejects.toMatchObject({
      type: 'EmptyPool',
      nonRetryable: true,
      message: expect.stringContaining('no candidates left in mols.smi after filtering (read 3'),
    });
  });

  it('ends when every candidate in the pool has been evaluated', async () => {
    const f = fake({ value: (i) => i, pool: 6 });
    const r = f.rounds(config({ budget: { rounds: 10 } }));
    await r.run();
    expect(r.progress()).toMatchObject({
      round: 2,
      calls: { xtb: 6 },
      stopReason: 'every candidate in the pool has been evaluated',
    });
  });
});

describe('the ladder', () => {
  it('promotes the best fraction of a tier to the next, best first', async () => {
    const f = fake({ value: (i, tier) => (tier === 0 ? [3, 9, 1, 7][i % 4] : 100 + i) });
    const r = f.rounds(twoTiers({ top: 0.5 }, { rounds: 1 }));
    await r.run();
    expect(f.evaluatedAt(0)).toEqual([0, 1, 2, 3]);
    expect(f.evaluatedAt(1)).toEqual([1, 3]); // 9 and 7
    expect(r.progress().calls).toEqual({ xtb: 4, nwchem: 2 });
    // the best is read at the top tier only
    expect(r.progress().best).toEqual({ idx: 3, label: 'm3', identity: 'C3', value: 103 });
  });

  it('promotes by threshold in the objective direction, minimising', async () => {
    const f = fake({ value: (i, tier) => (tier === 0 ? [3, 9, 1, 7][i % 4] : 10 - i) });
    const c = twoTiers({ threshold: 3 }, { rounds: 1 });
    c.objective.direction = 'minimize';
    const r = f.rounds(c);
    await r.run();
    expect(f.evaluatedAt(1)).toEqual([0, 2]); // 3 and 1 reach "at most 3"
    expect(r.progress().best).toMatchObject({ idx: 2, value: 8 });
  });

  it("cuts a tier's candidates to its remaining calls, and the batch to the first tier's", async () => {
    const f = fake({ value: (i) => i });
    const r = f.rounds(twoTiers({ top: 1 }, { rounds: 5, callsPerTier: { xtb: 6, nwchem: 5 } }));
    await r.run();
    // round 0: 4 at xtb, all 4 at nwchem; round 1: 2 at xtb (the rest of its 6), 1 of them at nwchem (its 5th)
    expect(f.calls.filter((c) => c.activity === 'acquireBatch').map((c) => c.args.size)).toEqual([4, 2]);
    expect(f.evaluatedAt(0)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(f.evaluatedAt(1)).toEqual([3, 2, 1, 0, 5]);
    expect(r.progress()).toMatchObject({
      round: 2,
      calls: { xtb: 6, nwchem: 5 },
      stopReason: 'call budget for tier xtb spent (6 calls)',
    });
  });

  it('a spent call budget at any tier ends the campaign', async () => {
    const f = fake({ value: (i) => i });
    const r = f.rounds(twoTiers({ top: 1 }, { rounds: 5, callsPerTier: { nwchem: 3 } }));
    await r.run();
    expect(f.evaluatedAt(1)).toEqual([3, 2, 1]);
    expect(r.progress()).toMatchObject({
      round: 1,
      calls: { xtb: 4, nwchem: 3 },
      stopReason: 'call budget for tier nwchem spent (3 calls)',
    });
  });

  it('counts failures, never promotes them and never makes one the best', async () => {
    const f = fake({
      value: (i, tier) => (i === 1 ? undefined : tier === 1 && i === 3 ? undefined : 50 - i),
    });
    const r = f.rounds(twoTiers({ top: 1 }, { rounds: 1 }));
    await r.run();
    expect(f.evaluatedAt(1)).toEqual([0, 2, 3]);
    expect(r.progress()).toMatchObject({ failures: 2, calls: { xtb: 4, nwchem: 3 } });
    expect(r.progress().best).toMatchObject({ idx: 0, value: 50 });
  });

  it('splits a large tier into batches of activities, and goes one by one when replaying older histories', async () => {
    const batched = fake({ value: (i) => i, pool: 100 });
    await batched
      .rounds(config({ acquisition: { batchSize: 60, initialBatch: 60 }, budget: { rounds: 1 } }))
      .run();
    const sizes = batched.calls
      .filter((c) => c.activity === 'evaluateBatch')
      .map((c) => (c.args.idxs as number[]).length);
    expect(sizes).toEqual([7, 8, 7, 8, 7, 8, 7, 8]);

    const old = fake({ value: (i) => i, qmBatches: false });
    await old.rounds(config({ budget: { rounds: 1 } })).run();
    expect(old.calls.filter((c) => c.activity.startsWith('evaluate')).map((c) => c.activity)).toEqual(
      Array(4).fill('evaluateCandidate'),
    );
    expect(old.evaluatedAt(0)).toEqual([0, 1, 2, 3]);
  });
});

describe('the best candidate', () => {
  const gaps = [5, 2, 8, 1, 9, 0, 7, 3, 6, 4, 5.5, 4.5];

  it('maximising: the largest value so far, and rounds without improvement counted', async () => {
    const f = fake({ value: (i) => gaps[i] });
    const r = f.rounds(config());
    await r.run();
    expect(r.progress().best).toEqual({ idx: 4, label: 'm4', identity: 'C4', value: 9 });
    // round 0 found 8, round 1 found 9, round 2 nothing better
    expect(r.progress().roundsWithoutImprovement).toBe(1);
  });

  it('minimising: the smallest value so far', async () => {
    const f = fake({ value: (i) => gaps[i] });
    const c = config();
    c.objective.direction = 'minimize';
    const r = f.rounds(c);
    await r.run();
    expect(r.progress().best).toMatchObject({ idx: 5, value: 0 });
    expect(r.progress().roundsWithoutImprovement).toBe(1);
  });

  it("reads the objective's property among the values a tier reports", async () => {
    const f = fake({ value: (i) => gaps[i] });
    const c = config({ objective: { property: 'totalEnergy', direction: 'minimize' } });
    const r = f.rounds(c);
    await r.run();
    // totalEnergy is -gap in the fake: the lowest energy is the largest gap
    expect(r.progress().best).toMatchObject({ idx: 4, value: -9 });
  });

  it('stops at the target, or after `patience` rounds without improvement', async () => {
    const target = fake({ value: (i) => gaps[i] });
    const t = target.rounds(config({ budget: { rounds: 10 }, stopping: { target: 8.5 } }));
    await t.run();
    expect(t.progress()).toMatchObject({ round: 2, stopReason: 'target reached (9 vs 8.5)' });

    const stale = fake({ value: () => 1 });
    const s = stale.rounds(config({ budget: { rounds: 10 }, stopping: { patience: 2 } }));
    await s.run();
    expect(s.progress()).toMatchObject({ round: 3, stopReason: 'no improvement for 2 rounds' });
  });
});

describe('summaries recorded in older histories', () => {
  it('give the same campaign as today’s (value, smiles, cpuSeconds instead of values, identity, usage)', async () => {
    const value = (i: number, tier: number) => (tier === 0 ? (i * 7) % 11 : i % 2 === 0 ? i : undefined);
    const today = fake({ value });
    const recorded = fake({ value, legacy: true });
    const a = today.rounds(twoTiers({ top: 0.5 }));
    const b = recorded.rounds(twoTiers({ top: 0.5 }));
    await a.run();
    await b.run();
    expect(recorded.calls.map((c) => [c.activity, c.args])).toEqual(
      today.calls.map((c) => [c.activity, c.args]),
    );
    const { cpuSeconds, energyJoules, ...rest } = b.progress();
    const { cpuSeconds: todayCpu, energyJoules: todayJoules, ...todayRest } = a.progress();
    expect(rest).toEqual(todayRest);
    // acquiring reports its usage only today
    expect(todayCpu - cpuSeconds).toBe(3);
    expect(todayJoules - energyJoules).toBe(36);
  });
});

describe('pause, resume and stop', () => {
  it('a pause holds the campaign between rounds until resumed', async () => {
    const f = fake({ value: (i) => i });
    const r = f.rounds(config());
    expect(r.pause()).toBe('will pause before the first round');
    const running = r.run();
    await until(() => r.progress().status === 'paused');
    expect(r.progress()).toMatchObject({ status: 'paused', phase: 'idle', round: 0 });
    expect(f.calls.map((c) => c.activity)).toEqual(['preparePool']);
    expect(() => r.validatePause()).toThrow(REFUSALS.paused);
    expect(() => r.validateResume()).not.toThrow();
    expect(r.resume()).toBe('running again');
    expect(await running).toBe('finished');
    expect(r.progress().round).toBe(3);
  });

  it('a pause asked for mid-round takes effect when the round ends', async () => {
    const gate = new Gate();
    const f = fake({ value: (i) => i, gate: gate.wait });
    const r = f.rounds(config());
    const running = r.run();
    await until(() => r.progress().phase === 'evaluating');
    expect(() => r.validatePause()).not.toThrow();
    expect(r.pause()).toBe('will pause when the current round ends (now evaluating)');
    expect(() => r.validatePause()).toThrow(REFUSALS.paused);
    expect(r.progress().status).toBe('running');
    gate.open();
    await until(() => r.progress().status === 'paused');
    expect(r.progress()).toMatchObject({ round: 1, phase: 'idle', calls: { xtb: 4 } });
    expect(r.resume()).toBe('running again');
    expect(await running).toBe('finished');
    expect(r.progress().round).toBe(3);
  });

  it('a resume before a pause took effect cancels it', async () => {
    const gate = new Gate();
    const f = fake({ value: (i) => i, gate: gate.wait });
    const r = f.rounds(config());
    const running = r.run();
    await until(() => r.progress().phase === 'evaluating');
    expect(() => r.validateResume()).toThrow(REFUSALS.notPaused);
    r.pause();
    expect(r.resume()).toBe('the pause was cancelled before it took effect');
    expect(() => r.validateResume()).toThrow(REFUSALS.notPaused);
    gate.open();
    await running;
    expect(r.progress().round).toBe(3);
    const statuses = f.published.map((ps) => ps.find((x) => x.key.name === attrs.STATUS.name)?.value);
    expect(statuses).not.toContain('paused');
  });

  it('stop ends the campaign after the round in flight, with its reason, and refuses what comes after', async () => {
    const gate = new Gate();
    const f = fake({ value: (i) => i, gate: gate.wait });
    const r = f.rounds(config({ budget: { rounds: 50 } }));
    const running = r.run();
    await until(() => r.progress().phase === 'evaluating');
    expect(() => r.validateStop()).not.toThrow();
    expect(r.stop('enough')).toBe('will stop when the current round ends (now evaluating)');
    expect(() => r.validateStop()).toThrow(REFUSALS.stopping);
    expect(() => r.validatePause()).toThrow(REFUSALS.stopping);
    gate.open();
    await running;
    expect(r.progress()).toMatchObject({ status: 'stopped', round: 1, stopReason: 'enough' });
    for (const validate of [r.validatePause, r.validateResume, r.validateStop]) {
      expect(() => validate.call(r)).toThrow(REFUSALS.finished);
    }
  });

  it('a stopped campaign says so: stopping while the round ends, then "stopped" in its search attribute', async () => {
    const gate = new Gate();
    const f = fake({ value: (i) => i, gate: gate.wait });
    const r = f.rounds(config({ budget: { rounds: 50 } }));
    const running = r.run();
    await until(() => r.progress().phase === 'evaluating');
    const publishedBefore = f.published.length;
    r.stop('enough');
    expect(r.progress().status).toBe('stopping');
    // nothing published at the request itself: the commands a workflow issues stay those of before
    expect(f.published).toHaveLength(publishedBefore);
    gate.open();
    await running;
    expect(f.lastPublished().get(attrs.STATUS.name)).toBe('stopped');
    expect(f.details.at(-1)).toMatch(/\| rounds \| 1 of 50 done \|/);
    expect(f.details.at(-1)).toMatch(/\| calls \| xtb 4 \|/);
    expect(f.details.at(-1)).toMatch(/\| status \| stopped by the user: enough \|/);
    // a campaign its budget ended is "finished", as before
    const g = fake({ value: (i) => i });
    await g.rounds(config()).run();
    expect(g.lastPublished().get(attrs.STATUS.name)).toBe('finished');
    expect(g.details.at(-1)).toMatch(/\| rounds \| 3 of 3 done \|/);
    expect(g.details.at(-1)).toMatch(/\| status \| finished: round budget spent \(3 rounds\) \|/);
  });

  it('a failure that fails the workflow is published as "failed" with its reason, then propagates', async () => {
    const f = fake({ value: (i) => i });
    const failing = {
      ...f.activities,
      trainSurrogate: async () => {
        throw ApplicationFailure.nonRetryable('model exploded', 'Boom');
      },
    };
    const c = config();
    const r = new CampaignRounds(
      { campaignId: c.name, config: c, limits: limitsFromConfig(c) },
      failing,
      f.hooks,
    );
    await expect(r.run()).rejects.toThrow('model exploded');
    expect(r.progress()).toMatchObject({ status: 'failed', stopReason: 'model exploded' });
    expect(f.lastPublished().get(attrs.STATUS.name)).toBe('failed');
    expect(() => r.validateStop()).toThrow(REFUSALS.finished);
    // a plain Error fails only the workflow task (it is retried): nothing published for it
    const g = fake({ value: (i) => i });
    const broken = { ...g.activities, trainSurrogate: async () => Promise.reject(new Error('bug')) };
    const r2 = new CampaignRounds(
      { campaignId: c.name, config: c, limits: limitsFromConfig(c) },
      broken,
      g.hooks,
    );
    await expect(r2.run()).rejects.toThrow('bug');
    expect(g.lastPublished().get(attrs.STATUS.name)).toBe('running');
  });

  it('a stop while paused ends the campaign at once', async () => {
    const f = fake({ value: (i) => i });
    const r = f.rounds(config());
    r.pause();
    const running = r.run();
    await until(() => r.progress().status === 'paused');
    expect(r.stop()).toBe('stopping now (it was paused)');
    await running;
    expect(r.progress()).toMatchObject({ status: 'stopped', round: 0, stopReason: 'stopped by user' });
  });
});

describe('runs and resumes', () => {
  it('hands over to a new run after roundsPerRun (or when the server suggests it), carrying its state', async () => {
    const f = fake({ value: (i) => i });
    const c = config();
    const first = f.rounds(c, { roundsPerRun: 2 });
    expect(await first.run()).toBe('continue-as-new');
    const carried = first.getState();
    expect(carried.state).toMatchObject({ round: 2, calls: { xtb: 8 }, poolSize: 20 });

    const second = f.rounds(c, { ...carried, roundsPerRun: 2 });
    expect(await second.run()).toBe('finished');
    expect(second.progress()).toMatchObject({ round: 3, calls: { xtb: 12 } });
    // the pool was prepared once
    expect(f.calls.filter((x) => x.activity === 'preparePool')).toHaveLength(1);

    const g = fake({
      value: (i) => i,
      continueAsNewSuggested: () => g.calls.filter((x) => x.activity === 'acquireBatch').length >= 2,
    });
    const r = g.rounds(config({ budget: { rounds: 10 } }));
    expect(await r.run()).toBe('continue-as-new');
    expect(r.getState().state.round).toBe(2);
  });

  it('does not hand over when the campaign is done anyway', async () => {
    const f = fake({ value: (i) => i });
    const r = f.rounds(config({ budget: { rounds: 2 } }), { roundsPerRun: 2 });
    expect(await r.run()).toBe('finished');
  });

  it('resume: rebuilds the state from the store, adds the new budget and reads an older best', async () => {
    const restored = {
      round: 3,
      calls: { xtb: 12 },
      failures: 1,
      cpuSeconds: 100,
      energyJoules: 1200,
      roundsWithoutImprovement: 0,
      poolSize: 20,
      // restored (or carried) from before `identity`
      best: { idx: 9, label: 'm9', smiles: 'C9', value: 9 },
    } as unknown as CampaignState;
    const f = fake({ value: (i) => i, restored });
    const c = config();
    const r = f.rounds(c, { resume: { rounds: 1 } });
    await r.run();
    expect(f.calls[0]).toMatchObject({ activity: 'restoreCampaign', args: { campaignId: 'fake' } });
    expect(f.calls.some((x) => x.activity === 'preparePool')).toBe(false);
    expect(r.progress()).toMatchObject({
      limits: { rounds: 4 },
      round: 4,
      stopReason: 'round budget spent (4 rounds)',
    });
    // the fake's next candidates (0..3) are no better than 9
    expect(r.progress().best).toEqual({ idx: 9, label: 'm9', identity: 'C9', value: 9 });
  });
});

async function until(ready: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 0));
  }
}

/** Holds evaluations until opened. */
class Gate {
  private opened = false;
  private waiters: (() => void)[] = [];
  get waiting(): number {
    return this.waiters.length;
  }
  wait = (): Promise<void> =>
    this.opened ? Promise.resolve() : new Promise<void>((resolve) => this.waiters.push(resolve));
  open(): void {
    this.opened = true;
    for (const w of this.waiters.splice(0)) w();
  }
  close(): void {
    this.opened = false;
  }
}

describe('what choosing and the platform cost', () => {
  it('charges the platform lines, dropping what came before the campaign', async () => {
    const f = fake({ value: (i) => i, platformLedger: true });
    const r = f.rounds(config());
    await r.run();
    const platform = f.calls.filter((c) => c.activity === 'accountPlatform');
    // at the start (dropping the past), beside each round's training, and once at the end
    expect(platform.map((c) => c.args.start ?? false)).toEqual([true, false, false, false, false]);
    // training 2 x 10 s, acquiring 3 x 1 s, 12 calculations x 2 s, 4 platform lines x 0.5 s
    expect(r.progress().cpuSeconds).toBe(20 + 3 + 24 + 2);
  });

  it('under policy auto, a surrogate that costs more than its batch gives way to the forest, then trains less often', async () => {
    // each training 100 CPU-s, each batch 4 calculations x 2 s = 8 CPU-s; the rest of the pool costs far more
    const f = fake({ value: (i) => i, choosingPolicy: true, trainCpu: 100, pool: 1000 });
    const r = f.rounds(config({ budget: { rounds: 5 } }));
    await r.run();
    const trainings = f.calls.filter((c) => c.activity === 'trainSurrogate');
    const kinds = trainings.map((c) => (c.args.config as CampaignConfig).surrogate.kind);
    // round 0 has nothing to learn; round 1 trains the MLP ensemble, too dear: round 2 the forest, still too
    // dear: retrain every 2 rounds, so round 3 acquires from round 2's model and round 4 trains again
    expect(trainings.map((c) => c.args.round)).toEqual([0, 1, 2, 4]);
    expect(kinds).toEqual(['mlp-ensemble', 'mlp-ensemble', 'qrf', 'qrf']);
    const acquisitions = f.calls.filter((c) => c.activity === 'acquireBatch');
    expect(acquisitions[3]?.args).toMatchObject({ round: 3, modelId: 'model-r2', size: 4 });
    const choosing = r.progress().choosing;
    expect(choosing?.actions).toEqual([
      'round 1: switched the surrogate from mlp-ensemble to qrf',
      'round 2: retraining every 2 rounds',
      'round 4: retraining every 4 rounds',
    ]);
    expect(choosing?.verdict).toContain('more than the calculations it picked');
  });

  it('under policy always, it trains every round and only reports', async () => {
    const f = fake({ value: (i) => i, choosingPolicy: true, trainCpu: 100 });
    const c = config({ budget: { rounds: 4 } });
    const r = f.rounds({ ...c, surrogate: { ...c.surrogate, policy: 'always' } });
    await r.run();
    expect(f.calls.filter((x) => x.activity === 'trainSurrogate')).toHaveLength(4);
    expect(r.progress().choosing?.actions).toEqual([]);
    expect(r.progress().choosing?.verdict).toContain('surrogate.policy: always');
  });

  it('once choosing costs more than the rest of the pool at tier 1, tier 1 runs over the rest', async () => {
    // 12 candidates at 24 J each; training 100 CPU-s = 1200 J > the 4 left after round 1 (96 J)
    const f = fake({ value: (i) => i, choosingPolicy: true, trainCpu: 100, pool: 12 });
    const r = f.rounds(config({ budget: { rounds: 5 } }));
    await r.run();
    const p = r.progress();
    expect(p.choosing?.exhaustive).toBe(true);
    expect(p.calls.xtb).toBe(12);
    const last = f.calls.filter((c) => c.activity === 'acquireBatch').at(-2);
    expect(last?.args).toMatchObject({ size: 4 });
    expect(last?.args.modelId).toBeUndefined();
  });
});
