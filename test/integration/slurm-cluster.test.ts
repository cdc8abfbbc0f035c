/**
 * The throw-away Slurm of the tests (scripts/slurm-cluster.ts): it starts, runs batch jobs, answers as a cluster
 * without slurmdbd does, shares nothing with a second one started beside it, and stopping ends exactly its own
 * daemons and jobs.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSlurmCluster } from '../../scripts/slurm-cluster.js';
import { liveProcesses, processesIn } from '../helpers/processes.js';
import { activeJobs, useSlurm } from '../helpers/slurm.js';

const slurm = useSlurm();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Live daemons of a cluster, found by the folder their command line names. */
function daemonsOf(dir: string): number[] {
  return liveProcesses()
    .filter((p) => ['munged', 'slurmctld', 'slurmd'].includes(p.comm))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p.pid}/environ`, 'utf8').includes(dir);
      } catch {
        return false;
      }
    })
    .map((p) => p.pid);
}

/** The jobs' `sleep` processes working in `dir` (a removed folder reads as "dir (deleted)"). */
const sleepsIn = (dir: string) => processesIn(dir).filter((p) => p.comm === 'sleep');

async function waitForState(
  cluster: ReturnType<typeof slurm>,
  jobId: string,
  done: (state: string) => boolean,
): Promise<string> {
  const until = Date.now() + 30_000;
  for (;;) {
    const { stdout } = await cluster.command('squeue', [
      '--noheader',
      '--states=all',
      `--jobs=${jobId}`,
      '--format=%T',
    ]);
    const state = stdout.trim();
    if (done(state) || Date.now() > until) return state;
    await sleep(200);
  }
}

describe('the test Slurm cluster', () => {
  it('has this host as its one idle node, on non-default ports', async () => {
    const c = slurm();
    const { stdout } = await c.command('sinfo', ['--noheader', '--format=%P %t %N %c']);
    expect(stdout.trim().split(/\s+/)).toEqual([
      `${c.partition}*`,
      'idle',
      c.node,
      expect.stringMatching(/^\d+$/),
    ]);
    expect([c.ports.slurmctld, c.ports.slurmd]).not.toContain(6817);
    expect([c.ports.slurmctld, c.ports.slurmd]).not.toContain(6818);
    // everything it keeps is in its own folder
    expect(c.env.SLURM_CONF).toBe(path.join(c.dir, 'slurm.conf'));
    expect(readFileSync(c.env.SLURM_CONF, 'utf8')).toMatch(
      new RegExp(`^AuthInfo=socket=${c.dir}/munge/munge.socket$`, 'm'),
    );
  });

  it('runs a batch job to its end, with its output and exit code', async () => {
    const c = slurm();
    const out = path.join(c.dir, 'job-%j.out');
    const { stdout } = await c.command('sbatch', [
      '--parsable',
      `--output=${out}`,
      '--wrap',
      'echo "on $(hostname -s) as job $SLURM_JOB_ID"; exit 3',
    ]);
    const jobId = stdout.trim();
    expect(await waitForState(c, jobId, (s) => s === 'FAILED' || s === 'COMPLETED')).toBe('FAILED');
    const { stdout: exit } = await c.command('scontrol', ['show', 'job', jobId]);
    expect(exit).toMatch(/ExitCode=3:0/);
    expect(readFileSync(out.replace('%j', jobId), 'utf8')).toBe(`on ${c.node} as job ${jobId}\n`);
  });

  it('has no accounting storage: sacct says so', async () => {
    const c = slurm();
    const r = await c
      .command('sacct', ['--noheader'])
      .catch((e: { stderr: string }) => ({ stdout: '', stderr: e.stderr }));
    expect(r.stderr).toMatch(/Slurm accounting storage is disabled/);
  });

  it('a second cluster beside it shares nothing, and stopping it ends only its daemons and jobs', {
    timeout: 90_000,
  }, async () => {
    const first = slurm();
    const second = await startSlurmCluster({ parent: path.resolve('.cascade') });
    try {
      expect(second.dir).not.toBe(first.dir);
      const firstPorts = [first.ports.slurmctld, first.ports.slurmd];
      expect(firstPorts).not.toContain(second.ports.slurmctld);
      expect(firstPorts).not.toContain(second.ports.slurmd);
      // each job works in its cluster's folder, so that its processes can be told apart
      const jobs = await Promise.all(
        [first, second].map(async (c) =>
          (
            await c.command('sbatch', [
              '--parsable',
              `--chdir=${c.dir}`,
              '--output=/dev/null',
              '--wrap',
              'sleep 300',
            ])
          ).stdout.trim(),
        ),
      );
      for (const [i, c] of [first, second].entries()) {
        expect(await waitForState(c, jobs[i] as string, (s) => s !== 'PENDING')).toBe('RUNNING');
      }
      const secondDaemons = daemonsOf(second.dir);
      expect(secondDaemons).toHaveLength(3);
      const firstDaemons = daemonsOf(first.dir);
      expect(firstDaemons).toHaveLength(3);
      expect(sleepsIn(second.dir)).toHaveLength(1);
      await second.stop();
      expect(daemonsOf(second.dir)).toEqual([]);
      expect(sleepsIn(second.dir)).toEqual([]);
      expect(existsSync(second.dir)).toBe(false);
      // the first cluster, its daemons and its job are untouched
      expect(daemonsOf(first.dir)).toEqual(firstDaemons);
      expect(sleepsIn(first.dir)).toHaveLength(1);
      expect(await activeJobs(first)).toEqual([`${jobs[0]} RUNNING`]);
      await first.command('scancel', [jobs[0] as string]);
      expect(await waitForState(first, jobs[0] as string, (s) => s === 'CANCELLED')).toBe('CANCELLED');
    } finally {
      await second.stop();
    }
  });
});
