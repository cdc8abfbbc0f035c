/**
 * xtb calculations submitted to a real single-node Slurm (test/helpers/slurm.ts) through the cache
 * (activities/qm/calculate.ts), against the same calculations run on the worker itself: the same outputs under
 * the same key, the job's own figures in the usage that goes to the ledger, its time limit and cancellation
 * ending the job (none left in squeue), and the errors a user meets when sbatch refuses the job or is missing.
 * The cluster has no slurmdbd: the figures come from the job's own GNU time report.
 */
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CalculationRequest, CalculationStopped, calculate } from '../../activities/qm/calculate.js';
import { SlurmError } from '../../activities/qm/slurm/index.js';
import { jobName } from '../../activities/qm/slurm/submit.js';
import { SlurmSettings } from '../../lib/campaign/slurm-schema.js';
import { openStore } from '../../store/open.js';
import type { Store } from '../../store/store.js';
import { fixtureMolecule } from '../helpers/fixtures.js';
import { activeJobs, useSlurm } from '../helpers/slurm.js';
import { gfn2Spec } from '../helpers/xtb-spec.js';

const slurm = useSlurm();
/** 64 waters: a GFN2 single point takes about a second, an optimisation minutes. */
const waterCluster = fixtureMolecule('xtb', 'water-cluster-sigterm');
const onSlurm = (over: Partial<SlurmSettings> = {}) => ({
  ...SlurmSettings.parse({ pollSeconds: 0.3, ...over }),
  requestedBy: 'tier "xtb-slurm"',
});

let home: string;
let store: Store;
beforeAll(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'cascade-slurm-xtb-'));
  process.env.CASCADE_HOME = home;
  store = openStore(path.join(home, 'cascade.db'));
});
afterAll(async () => {
  await store.close();
  rmSync(home, { recursive: true, force: true });
});

const singlePoint = (over: Partial<CalculationRequest> = {}): CalculationRequest => ({
  spec: gfn2Spec(),
  system: waterCluster,
  timeoutSeconds: 120,
  ...over,
});

describe('xtb through Slurm', () => {
  it('gives what a local run gives, under the same key, with the job and its figures recorded', {
    timeout: 60_000,
  }, async () => {
    const viaSlurm = await calculate(store, singlePoint({ slurm: onSlurm() }));
    // the same calculation on the worker itself (the cached result would answer otherwise)
    const local = await calculate(store, singlePoint({ recompute: 'all' }));
    expect(viaSlurm.cached).toBe(false);
    expect(local.key).toBe(viaSlurm.key);
    expect(viaSlurm.record.status).toBe('ok');
    expect(viaSlurm.record.outputs).toEqual(local.record.outputs);
    expect((viaSlurm.record.outputs as { totalEnergy: number }).totalEnergy).toBeLessThan(-300);

    const job = viaSlurm.record.provenance?.slurm as Record<string, string>;
    expect(job).toEqual({
      jobId: expect.stringMatching(/^\d+$/),
      state: 'COMPLETED',
      nodes: slurm().node,
      figuresFrom: 'job-report',
      sacctUnavailable: 'Slurm accounting storage is disabled',
    });
    expect(local.record.provenance?.slurm).toBeUndefined();
    const { stdout } = await slurm().command('squeue', [
      '--noheader',
      '--states=all',
      `--jobs=${job.jobId}`,
      '--format=%j %T',
    ]);
    expect(stdout.trim()).toMatch(/^cascade-[0-9a-f]{16} COMPLETED$/);

    // the figures the ledger gets: the job's CPU time and peak memory, its energy modelled on them
    const u = viaSlurm.usage;
    expect(u.cpuSeconds).toBeGreaterThan(0.2);
    expect(u.cpuSeconds).toBeLessThan(local.usage.cpuSeconds * 3 + 1);
    expect(u.peakMemoryBytes).toBeGreaterThan(10 * 1024 ** 2);
    expect(u.wallSeconds).toBeGreaterThan(0);
    expect(u.energyMethod).toBe('model');
    expect(u.energyJoules).toBeGreaterThan(0);
    expect(u.energyConstants).toMatchObject({
      slurmJob: job.jobId,
      cpuSecondsFrom: "the job's own GNU time report",
      sacctUnavailable: 'Slurm accounting storage is disabled',
    });
    expect(u.hardware).toMatch(new RegExp(`^Slurm node ${slurm().node}, modelled as `));
  });

  it('cancels the job an earlier worker left running in the same work directory', {
    timeout: 60_000,
  }, async () => {
    const first = await calculate(store, singlePoint({ slurm: onSlurm() }));
    const workDir = first.record.provenance?.workDir as string;
    // what a worker that died while its job ran leaves behind: a job of that name, still running
    const { stdout } = await slurm().command('sbatch', [
      '--parsable',
      `--job-name=${jobName(workDir)}`,
      '--output=/dev/null',
      '--wrap',
      'sleep 300',
    ]);
    const orphan = stdout.trim();
    const again = await calculate(store, singlePoint({ slurm: onSlurm(), recompute: 'all' }));
    expect(again.record.status).toBe('ok');
    const { stdout: state } = await slurm().command('squeue', [
      '--noheader',
      '--states=all',
      `--jobs=${orphan}`,
      '--format=%T',
    ]);
    expect(state.trim()).toBe('CANCELLED');
    expect(await activeJobs(slurm())).toEqual([]);
  });

  it('a time limit cancels the job: a timeout failure, and no job left', { timeout: 60_000 }, async () => {
    const r = await calculate(
      store,
      singlePoint({ spec: gfn2Spec({ task: 'optimize' }), timeoutSeconds: 3, slurm: onSlurm() }),
    );
    expect(r.record.failure).toMatchObject({ kind: 'timeout', class: 'circumstantial' });
    expect(r.record.provenance?.slurm).toMatchObject({ state: 'CANCELLED' });
    expect(await activeJobs(slurm())).toEqual([]);
  });

  it('cancelling the calculation cancels its job, and returns once the job is gone', {
    timeout: 60_000,
  }, async () => {
    const abort = new AbortController();
    const lines: string[] = [];
    const run = calculate(store, singlePoint({ spec: gfn2Spec({ task: 'optimize' }), slurm: onSlurm() }), {
      signal: abort.signal,
      // the runner's ticker: what keeps an activity heartbeating while the job waits and runs
      onProgress: (p) => {
        if (p.line) lines.push(p.line);
        // the code has printed: it runs on the node
        if (p.line && !p.line.startsWith('Slurm job')) abort.abort();
      },
    });
    await expect(run).rejects.toThrow(CalculationStopped);
    expect(await activeJobs(slurm())).toEqual([]);
    expect(lines.length).toBeGreaterThan(0);
  });

  it('sbatch refusing the job is an error with its message, and nothing is recorded', async () => {
    const req = singlePoint({
      spec: gfn2Spec({ settings: { accuracy: 0.5 } }),
      slurm: onSlurm({ partition: 'nosuchpartition' }),
    });
    const run = calculate(store, req);
    await expect(run).rejects.toThrow(SlurmError);
    await expect(run).rejects.toThrow(
      'tier "xtb-slurm": sbatch refused the job (exit 1): sbatch: error: invalid partition specified: nosuchpartition',
    );
    const executions = await store.listExecutions({});
    expect(executions.at(-1)?.status).toBe('error');
    expect(await store.getQmResult(executions.at(-1)?.key as string)).toBeUndefined();
  });

  it('sbatch missing is an error that names the tier and what to install, before any job', async () => {
    // a PATH with xtb on it and no Slurm
    const bin = mkdtempSync(path.join(home, 'bin-'));
    symlinkSync('/usr/bin/xtb', path.join(bin, 'xtb'));
    const saved = process.env.PATH;
    const before = await slurm().command('squeue', ['--noheader', '--states=all', '--format=%i']);
    process.env.PATH = bin;
    try {
      const run = calculate(
        store,
        singlePoint({ spec: gfn2Spec({ settings: { accuracy: 0.3 } }), slurm: onSlurm() }),
      );
      await expect(run).rejects.toThrow(
        /^tier "xtb-slurm" submits its calculations to Slurm, but sbatch is not on PATH .*apt-get install slurm-client/,
      );
    } finally {
      process.env.PATH = saved;
    }
    const after = await slurm().command('squeue', ['--noheader', '--states=all', '--format=%i']);
    expect(after.stdout).toBe(before.stdout);
    expect(existsSync(bin)).toBe(true);
  });
});
