/**
 * The ledger's figures for a calculation that ran as a Slurm job: Slurm's measured energy when its accounting
 * recorded some, else the model on the job's CPU time, with the constants saying where that came from.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseSacct } from '../../activities/energy/sacct.js';
import type { SlurmJobRecord } from '../../activities/qm/slurm/job-record.js';

afterEach(() => vi.unstubAllEnvs());

/** A fresh copy: the energy settings are read once per process (activities/usage.ts), after the env is stubbed. */
async function slurmJobUsage(
  ...args: Parameters<typeof import('../../activities/qm/slurm/usage.js').slurmJobUsage>
) {
  vi.resetModules();
  return (await import('../../activities/qm/slurm/usage.js')).slurmJobUsage(...args);
}

const work = { wallSeconds: 100, cpuSeconds: 380, peakMemoryBytes: 2e9 };

describe('slurmJobUsage', () => {
  it("uses sacct's ConsumedEnergyRaw when the cluster recorded it, times the PUE", async () => {
    vi.stubEnv('CASCADE_PUE', '1.5');
    // what sacct printed for a job on a cluster with acct_gather_energy/rapl
    const sacct = parseSacct(
      '812|45210|00:06:20|0|00:01:40\n812.batch|45210|00:06:20|1953125K|00:01:40\n812.extern|45210|00:00:00|0|00:01:40\n',
      '812',
    );
    if (!sacct.available) throw new Error(sacct.reason);
    const job: SlurmJobRecord = {
      jobId: '812',
      state: 'COMPLETED',
      nodes: 'cn17',
      figuresFrom: 'sacct',
      joules: sacct.joules,
    };
    const u = await slurmJobUsage(job, { ...work, cpuSeconds: sacct.cpuSeconds });
    expect(u).toMatchObject({
      wallSeconds: 100,
      cpuSeconds: 380,
      energyJoules: 45210 * 1.5,
      energyMethod: 'sacct',
      hardware: 'Slurm node cn17',
    });
    expect(u.energyConstants).toMatchObject({ slurmJob: '812', consumedEnergyRawJoules: 45210, pue: 1.5 });
  });

  it("models the energy on the job's own CPU time where nothing was measured, and says so", async () => {
    vi.stubEnv('CASCADE_WATTS_PER_CORE', '10');
    const job: SlurmJobRecord = {
      jobId: '7',
      state: 'COMPLETED',
      nodes: 'vm',
      figuresFrom: 'job-report',
      sacctUnavailable: 'Slurm accounting storage is disabled',
    };
    const u = await slurmJobUsage(job, work);
    expect(u.energyMethod).toBe('model');
    // 380 CPU-s x 10 W + 2 GB x 0.3725 W/GB x 100 s
    expect(u.energyJoules).toBeCloseTo(380 * 10 + 2 * 0.3725 * 100, 6);
    expect(u.energyConstants).toMatchObject({
      slurmJob: '7',
      cpuSecondsFrom: "the job's own GNU time report",
      sacctUnavailable: 'Slurm accounting storage is disabled',
      wattsPerCore: 10,
    });
    expect(u.hardware).toMatch(/^Slurm node vm, modelled as /);
  });

  it("models every attempt when a restart ran several jobs (only the last one's joules are known)", async () => {
    vi.stubEnv('CASCADE_WATTS_PER_CORE', '10');
    const job: SlurmJobRecord = { jobId: '9', nodes: 'vm', figuresFrom: 'sacct', joules: 500 };
    const u = await slurmJobUsage(job, work, 2);
    expect(u.energyMethod).toBe('model');
    expect(u.energyConstants).toMatchObject({
      cpuSecondsFrom: "Slurm's accounting (sacct TotalCPU, MaxRSS)",
    });
  });
});
