/**
 * A throw-away single-node Slurm for one test file (scripts/slurm-cluster.ts), under the project's .cascade/:
 * started before its tests, with SLURM_CONF set for this process (the worker, the activities and the test itself
 * reach it so; each test file runs in its own process), stopped and removed after them.
 */
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type SlurmCluster, startSlurmCluster } from '../../scripts/slurm-cluster.js';

const PARENT = path.resolve(import.meta.dirname, '../../.cascade');

export function useSlurm(): () => SlurmCluster {
  let cluster: SlurmCluster | undefined;
  let saved: string | undefined;
  beforeAll(async () => {
    cluster = await startSlurmCluster({ parent: PARENT });
    saved = process.env.SLURM_CONF;
    process.env.SLURM_CONF = cluster.env.SLURM_CONF;
  }, 120_000);
  afterAll(async () => {
    if (saved === undefined) delete process.env.SLURM_CONF;
    else process.env.SLURM_CONF = saved;
    await cluster?.stop();
  }, 60_000);
  return () => {
    if (!cluster) throw new Error('the Slurm cluster is not started (useSlurm() outside a test file?)');
    return cluster;
  };
}

/** The cluster's jobs that are queued or running (squeue's default states), as "id state" lines. */
export async function activeJobs(cluster: SlurmCluster): Promise<string[]> {
  const { stdout } = await cluster.command('squeue', ['--noheader', '--format=%i %T']);
  return stdout.split('\n').filter((l) => l.trim() !== '');
}
