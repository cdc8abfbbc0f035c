/**
 * Versioned workers: a campaign stays on the worker version it started on. A worker of build A starts (and,
 * the deployment having no current version, makes itself current), a campaign starts on it and is paused; a
 * real `cascade worker` of build B starts beside it, polling the same queues, and is made current with
 * `cascade deployment current`; a second campaign then starts on B while the first resumes, continues as new and
 * finishes. The histories say who did what: every workflow task of the first campaign, in every run, was
 * completed by version A and its activities by A's worker; every one of the second's by B. A third campaign,
 * started on B, is moved to A by `cascade deployment move` and finishes there.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeploymentView, deploymentView } from '../../cli/deployment-view.js';
import { deploymentName, describeDeployment } from '../../lib/temporal/deployment.js';
import { campaignWorkflowId } from '../../lib/temporal/queues.js';
import { createWorkers, type Workers } from '../../workers/main.js';
import { pauseUpdate, resumeUpdate } from '../../workflows/messages.js';
import { startCampaign, type TestEnv, testEnv, tinyCampaign } from '../helpers/campaign-env.js';
import { cascade } from '../helpers/cascade-cli.js';
import { activityWorkers, runHistories, workflowTaskBuilds } from '../helpers/run-histories.js';
import { until } from '../helpers/worker-process.js';

const root = path.resolve(import.meta.dirname, '../..');
const NAMESPACE = 'default';
let env: TestEnv;
let a: Workers | undefined;
let aRunning: Promise<unknown> | undefined;
const children: ChildProcess[] = [];

beforeAll(async () => {
  env = await testEnv();
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const w of a?.workers ?? []) w.shutdown();
  await aRunning;
});

const cli = (args: string[]) => cascade(args, env.env);

/** A real `cascade worker` on every queue, named build `build`; what it prints to stderr is kept. */
function workerProcess(build: string): { child: ChildProcess; said: () => string } {
  const child = spawn(
    process.execPath,
    [path.join(root, 'bin/cascade.js'), 'worker', '--qm-concurrency', '2'],
    {
      env: { ...process.env, ...env.env, CASCADE_BUILD_ID: build },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  children.push(child);
  let said = '';
  child.stderr?.on('data', (d) => {
    said += d;
    process.stderr.write(d);
  });
  return { child, said: () => said };
}

describe('versioned workers', () => {
  it('never give a campaign pinned to one build to a worker of another; new campaigns go to the current one', {
    timeout: 360_000,
  }, async () => {
    const [A, B] = ['build-a', 'build-b'];
    const name = deploymentName(env.prefix);
    const service = env.client.workflowService;
    const current = async () => (await describeDeployment(service, NAMESPACE, name))?.current;

    // the first worker of a deployment with no current version makes itself current
    expect(await describeDeployment(service, NAMESPACE, name)).toBeUndefined();
    a = await createWorkers({
      queues: ['default', 'ml', 'qm'],
      prefix: env.prefix,
      qmConcurrency: 2,
      buildId: A,
    });
    const started = a.workers;
    aRunning = Promise.all(started.map((w) => w.run()));
    expect(a.version).toEqual({ deploymentName: name, buildId: A });
    expect(a.atStart).toEqual({ current: true, made: true });
    expect(await current()).toBe(A);
    const aIdentity = started[0]?.options.identity;

    // campaign 1 starts on A (two rounds, a run each: it continues as new) and pauses
    const first = await startCampaign(env, tinyCampaign('pinned'), { roundsPerRun: 1 });
    expect(await first.executeUpdate(pauseUpdate)).toBeTruthy();

    // B starts beside A: it says which version it is, and that A stays current while A's workers live
    const b = workerProcess(B);
    await until(
      async () =>
        (await describeDeployment(service, NAMESPACE, name))?.versions.some((v) => v.buildId === B) ?? false,
      120_000,
      'the worker of build B to poll',
    );
    expect(b.said()).toContain(`cascade worker: deployment ${name}, build ${B}: not current`);
    expect(b.said()).toContain(`new campaigns start on build ${A}`);
    // its first look at the deployment comes 3 s after it starts; A's live workers keep A current
    await new Promise((r) => setTimeout(r, 5_000));
    expect(await current()).toBe(A);

    // the operator makes B current (accepted once B's workers poll every queue that A's do)
    let made = { code: null as number | null, out: '' };
    await until(
      async () => {
        made = await cli(['deployment', 'current', B]);
        return made.code === 0;
      },
      60_000,
      `cascade deployment current ${B} to be accepted`,
    );
    expect(made.out).toContain(
      `build ${B} is current: new campaigns start on it; those on build ${A} finish there`,
    );
    expect(await current()).toBe(B);

    // campaign 2 starts on B while campaign 1 waits, paused and pinned to A
    const second = await startCampaign(env, tinyCampaign('current', { budget: { rounds: 1 } }));
    let view: DeploymentView | undefined;
    await until(
      async () => {
        view = await deploymentView(env.client, NAMESPACE, env.prefix);
        return view?.campaigns[B]?.length === 1;
      },
      60_000,
      'campaign 2 to start on build B',
    );
    expect(view?.campaigns).toEqual({ [A]: ['pinned'], [B]: ['current'] });
    expect(Object.fromEntries(view?.versions.map((v) => [v.buildId, v.status]) ?? [])).toEqual({
      [A]: 'draining',
      [B]: 'current',
    });
    const status = await cli(['deployment', 'status']);
    expect(status.code, status.out).toBe(0);
    expect(status.out).toContain(`deployment ${name}: current build ${B}`);
    expect(status.out).toMatch(new RegExp(`${A} +draining .* 1 \\(pinned\\)`));

    expect(await first.executeUpdate(resumeUpdate)).toBeTruthy();
    const [one, two] = await Promise.all([first.result(), second.result()]);
    expect(one.status).toBe('finished');
    expect(one.round).toBe(2);
    expect(two.status).toBe('finished');

    // campaign 1: every workflow task of every run completed by version A, every activity run by A's worker,
    // also in the run that began after B became current
    const runs = await runHistories(env.client, first.workflowId, first.firstExecutionRunId);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    const builds = runs.flatMap(workflowTaskBuilds);
    expect(builds.length).toBeGreaterThan(10);
    expect(new Set(builds)).toEqual(new Set([A]));
    expect(new Set(runs.flatMap(activityWorkers))).toEqual(new Set([aIdentity]));

    // campaign 2: all on B, workflow tasks and activities (B's worker names itself pid@host)
    const secondRuns = await runHistories(env.client, second.workflowId, second.firstExecutionRunId);
    const secondBuilds = secondRuns.flatMap(workflowTaskBuilds);
    expect(secondBuilds.length).toBeGreaterThan(2);
    expect(new Set(secondBuilds)).toEqual(new Set([B]));
    const bWorkers = new Set(secondRuns.flatMap(activityWorkers));
    expect(bWorkers.size).toBe(1);
    expect([...bWorkers][0]).toMatch(new RegExp(`^${b.child.pid}@`));

    // campaign 3 starts on B and pauses; `cascade deployment move` pins it to A, where it finishes
    const third = await startCampaign(env, tinyCampaign('moved-by-cli', { budget: { rounds: 1 } }), {
      workflowId: campaignWorkflowId('moved-by-cli'),
    });
    expect(await third.executeUpdate(pauseUpdate)).toBeTruthy();
    const moved = await cli(['deployment', 'move', 'moved-by-cli', '--to', A]);
    expect(moved.code, moved.out).toBe(0);
    expect(moved.out).toContain(`campaign "moved-by-cli" moved to build ${A}`);
    expect(await third.executeUpdate(resumeUpdate)).toBeTruthy();
    expect((await third.result()).status).toBe('finished');
    const thirdBuilds = (await runHistories(env.client, third.workflowId, third.firstExecutionRunId)).flatMap(
      workflowTaskBuilds,
    );
    expect(thirdBuilds[0]).toBe(B);
    expect(thirdBuilds.at(-1)).toBe(A);
    expect(thirdBuilds.filter((x) => x === A).length).toBeGreaterThan(2);
  });
});
