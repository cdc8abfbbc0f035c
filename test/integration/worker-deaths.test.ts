/**
 * Workers come and go: real `cascade worker` processes SIGKILLed while they work. Five deaths inside one batch
 * and the campaign finishes with every candidate evaluated once; a candidate whose calculation is running each
 * time its worker dies becomes a failed evaluation after three deaths, and the campaign goes on; a worker killed
 * while training is replaced within the ML heartbeat timeout. The times from each SIGKILL to the work running
 * again are measured and printed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_WORKER_DEATHS } from '../../activities/qm/calculate.js';
import { openStore } from '../../store/open.js';
import type { Execution } from '../../store/store.js';
import { progressQuery } from '../../workflows/campaign.js';
import { startCampaign, testEnv, tinyCampaign } from '../helpers/campaign-env.js';
import { until, WorkerProcesses } from '../helpers/worker-process.js';

let workers: WorkerProcesses | undefined;
afterEach(() => workers?.stopAll());

const STARTED = 2; // PENDING_ACTIVITY_STATE_STARTED

/** A protobuf timestamp in ms since the epoch (0 when absent). */
const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  t ? Number(String(t.seconds ?? 0)) * 1000 + (t.nanos ?? 0) / 1e6 : 0;

/** The executions of this worker process still running. */
const runningOn = (ex: Execution[], pid: number | undefined) =>
  ex.filter((e) => e.pid === pid && e.status === 'running');

/** Runs of this calculation that a worker died under (or is found dead under): all but `pid`'s, unfinished. */
const deathsOf = (ex: Execution[], key: string, pid: number | undefined) =>
  ex.filter((e) => e.key === key && e.pid !== pid && (e.status === 'running' || e.status === 'worker-died'));

describe('worker deaths', () => {
  it('finishes a campaign whose worker is SIGKILLed 5 times inside one batch, every candidate evaluated once', {
    timeout: 400_000,
  }, async () => {
    const env = await testEnv();
    const config = tinyCampaign('five-kills', {
      candidates: {
        source: '/usr/share/RDKit/Data/NCI/first_5K.smi',
        limit: 300,
        filters: { maxHeavyAtoms: 20, minHeavyAtoms: 10 },
      },
      // one round: its 40 candidates go out in 8 QM batches of 5
      acquisition: { strategy: 'ucb', batchSize: 4, initialBatch: 40, kappa: 1 },
      budget: { rounds: 1, callsPerTier: { xtb: 40 } },
    });
    // one calculation at a time: what runs when the worker dies is the held batch's
    workers = new WorkerProcesses(env, ['--qm-concurrency', '1']);
    let worker = workers.start();
    const handle = await startCampaign(env, config, { heartbeatSeconds: 4 });
    const store = openStore();

    // the QM batches a worker holds now, with their attempts
    const held = async () =>
      new Map(
        ((await handle.describe()).raw.pendingActivities ?? [])
          .filter((a) => a.activityType?.name === 'evaluateBatch' && Number(a.state) === STARTED)
          .map((a) => [a.activityId as string, a.attempt ?? 1]),
      );
    // the batch that dies 5 times: the first one seen held (3 deaths failed the campaign before)
    let target: string | undefined;
    let attempt = 0;
    const noticedAfter: number[] = [];
    const resumedAfter: number[] = [];
    for (let kill = 1; kill <= 5; kill++) {
      const pid = worker.pid;
      // while this worker holds the batch's next attempt and runs a calculation no earlier kill hit twice: the
      // deaths are the machine's, and none may be blamed on a calculation
      await until(
        async () => {
          const now = await held();
          // before the first kill, a batch may finish between two polls (a loaded machine polls slowly): then
          // another one held is the target
          if (attempt === 0 && target !== undefined && !now.has(target)) target = undefined;
          target ??= [...now.keys()][0];
          if (target === undefined || (now.get(target) ?? 0) <= attempt) return false;
          const ex = await store.listExecutions();
          const mine = runningOn(ex, pid);
          const ready =
            mine.length > 0 && mine.every((m) => deathsOf(ex, m.key, pid).length < MAX_WORKER_DEATHS - 1);
          if (ready) attempt = now.get(target) ?? 0;
          return ready;
        },
        120_000,
        `worker ${kill} to work on the batch`,
      );
      const killedAt = await workers.kill(worker);
      worker = workers.start();
      // Temporal notices: the batch is given its next attempt (after the heartbeat timeout)
      await until(
        async () => {
          const pending = ((await handle.describe()).raw.pendingActivities ?? []).find(
            (a) => a.activityId === target,
          );
          const retried = (pending?.attempt ?? 0) > attempt;
          if (retried) noticedAfter.push((Date.now() - killedAt) / 1000);
          return retried;
        },
        120_000,
        `the batch to be retried after kill ${kill}`,
      );
      // and the work goes on, on the next worker (which takes a while to start here)
      let first: Execution | undefined;
      await until(
        async () => {
          first = (await store.listExecutions()).find((e) => e.pid === worker.pid);
          return first !== undefined;
        },
        120_000,
        `worker ${kill + 1} to calculate`,
      );
      resumedAfter.push((Date.parse((first as Execution).startedAt) - killedAt) / 1000);
    }
    expect(attempt).toBe(5);
    console.info(
      `QM (heartbeat timeout 4 s): SIGKILL to the batch's retry, s: ${noticedAfter}; ` +
        `to the next worker calculating (its start included), s: ${resumedAfter}`,
    );

    const result = await handle.result();
    expect(result.round).toBe(1);
    expect(result.calls.xtb).toBe(40);
    const evaluations = await store.listEvaluations('five-kills');
    expect(evaluations).toHaveLength(40);
    expect(evaluations.filter((e) => e.status !== 'ok')).toEqual([]);

    const all = await store.listExecutions();
    const ok = all.filter((e) => e.status === 'ok');
    // every candidate's calculation finished exactly once; the runs the kills cut short are all accounted for
    expect(new Set(ok.map((e) => e.key)).size).toBe(40);
    expect(ok).toHaveLength(40);
    expect(all.filter((e) => e.status === 'running')).toEqual([]);
    const died = all.filter((e) => e.status === 'worker-died');
    expect(died.length).toBeGreaterThanOrEqual(5);
    expect(new Set(died.map((e) => e.pid)).size).toBe(5);
    // the batch died 5 times and its sixth attempt finished it
    expect((await handle.describe()).raw.pendingActivities ?? []).toEqual([]);
    expect(all.filter((e) => !['ok', 'worker-died'].includes(e.status))).toEqual([]);
    // a death is noticed within the heartbeat timeout (4 s here) of the last heartbeat before it
    for (const s of noticedAfter) expect(s).toBeLessThan(10);
  });

  it('records a candidate that kills its worker 3 times as a failed evaluation, and the campaign goes on', {
    timeout: 300_000,
  }, async () => {
    const env = await testEnv();
    workers = new WorkerProcesses(env);
    const config = tinyCampaign('poison', {
      // optimisations: long enough (a second or more) to be seen running from here and killed meanwhile
      tiers: [{ code: 'xtb', method: 'gfn2', optimize: true, timeoutSeconds: 120 }],
      acquisition: { strategy: 'ucb', batchSize: 2, initialBatch: 6, kappa: 1 },
      budget: { rounds: 1, callsPerTier: { xtb: 6 } },
    });
    let worker = workers.start();
    const handle = await startCampaign(env, config, { heartbeatSeconds: 4 });
    const store = openStore();

    // the first calculation to start is the poisoned one: its worker dies whenever it runs
    let poison: string | undefined;
    for (let kill = 1; kill <= MAX_WORKER_DEATHS; kill++) {
      const pid = worker.pid;
      await until(
        async () => {
          const ex = await store.listExecutions();
          poison ??= ex.find((e) => e.status === 'running')?.key;
          return runningOn(ex, pid).some((e) => e.key === poison);
        },
        120_000,
        `the poisoned calculation to start on worker ${kill}`,
      );
      await workers.kill(worker);
      worker = workers.start();
    }

    const result = await handle.result();
    expect(result.round).toBe(1);
    const evaluations = await store.listEvaluations('poison');
    expect(evaluations).toHaveLength(6);
    const failed = evaluations.filter((e) => e.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.resultKey).toBe(poison);
    expect(failed[0]?.message).toMatch(/^xtb killed its worker 3 times \(pid \d+ on .*, pid \d+ on .*\)/);
    expect(evaluations.filter((e) => e.status === 'ok')).toHaveLength(5);

    const record = await store.getQmResult(poison as string);
    expect(record?.failure).toMatchObject({
      kind: 'killed-worker',
      class: 'circumstantial',
      limits: { timeoutSeconds: 120, threads: 1 },
    });
    // it ran three times and was not run a fourth; every other calculation finished once
    const all = await store.listExecutions();
    const poisonRuns = all.filter((e) => e.key === poison);
    expect(poisonRuns.map((e) => e.status)).toEqual(['worker-died', 'worker-died', 'worker-died']);
    expect(record?.failure?.lostExecutions).toEqual(poisonRuns.map((e) => e.id));
    expect(all.filter((e) => e.status === 'ok')).toHaveLength(5);
    expect(all.filter((e) => e.status === 'running')).toEqual([]);
  });

  it('resumes training within the ML heartbeat timeout after a SIGKILL', { timeout: 300_000 }, async () => {
    const env = await testEnv();
    workers = new WorkerProcesses(env);
    const config = tinyCampaign('train-kill', {
      // training long enough (tens of seconds) that the kill lands while it runs, not after it has reported
      surrogate: { ensembleSize: 3, hiddenLayers: [256, 256], epochs: 4000, features: { morganBits: 512 } },
      acquisition: { strategy: 'ucb', batchSize: 2, initialBatch: 6, kappa: 1 },
      budget: { rounds: 2, callsPerTier: { xtb: 8 } },
    });
    let worker = workers.start();
    const handle = await startCampaign(env, config, { heartbeatSeconds: 4 });
    const trainingNow = async () =>
      ((await handle.describe()).raw.pendingActivities ?? []).find(
        (a) => a.activityType?.name === 'trainSurrogate' && Number(a.state) === STARTED,
      );
    // round 1's training, the long one: round 0 also calls trainSurrogate, which returns at once (nothing to learn
    // yet), and a kill that lands just after it has answered leaves nothing to retry
    const roundOneTraining = async () => {
      const p = await handle.query(progressQuery);
      return p.round >= 1 && p.phase === 'training' && (await trainingNow()) !== undefined;
    };
    await until(roundOneTraining, 240_000, 'round 1 training to start');
    const killedAt = await workers.kill(worker);
    worker = workers.start();
    const result = await handle.result();
    expect(result.round).toBe(2);
    // when the attempt after the kill started, from the history (a short retry may end before a poll sees it)
    const events = (await handle.fetchHistory()).events ?? [];
    const trainings = new Set(
      events
        .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'trainSurrogate')
        .map((e) => String(e.eventId)),
    );
    const retried = events.find(
      (e) =>
        trainings.has(String(e.activityTaskStartedEventAttributes?.scheduledEventId ?? '')) &&
        (e.activityTaskStartedEventAttributes?.attempt ?? 1) >= 2,
    );
    if (!retried?.eventTime) throw new Error('no training attempt after the kill in the history');
    const resumedAfter = (ms(retried.eventTime) - killedAt) / 1000;
    console.info(
      `training (heartbeat timeout 20 s): SIGKILL to the next attempt starting: ${resumedAfter} s`,
    );
    // the heartbeat timeout (20 s), the retry's first interval (1 s) and a restarted worker picking it up (on a
    // loaded 2-core machine, up to ~20 s more); it was 2 minutes
    expect(resumedAfter).toBeGreaterThan(15);
    expect(resumedAfter).toBeLessThan(60);
    expect(await openStore().latestModel('train-kill')).toBeDefined();
  });
});
