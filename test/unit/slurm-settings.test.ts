/** A tier's `slurm:` settings: what the schema accepts and the sbatch command line they give. */
import { describe, expect, it } from 'vitest';
import { jobMinutes, sbatchArgs, submittedJobId } from '../../activities/qm/slurm/sbatch-args.js';
import { jobName } from '../../activities/qm/slurm/submit.js';
import { CampaignConfig } from '../../lib/campaign/schema.js';
import { SlurmSettings } from '../../lib/campaign/slurm-schema.js';
import { tinyCampaign } from '../helpers/campaign-env.js';

const shape = {
  name: 'cascade-0123456789abcdef',
  workDir: '/home/u/.cascade/work/abc',
  script: '/home/u/.cascade/work/abc/.cascade-job.sh',
  slurmOutput: '/home/u/.cascade/work/abc/.cascade-slurm.out',
  threads: 4,
  timeoutSeconds: 600,
};

describe('sbatchArgs', () => {
  it("by default: one node, one task with the tier's threads, the tier's time limit plus a minute", () => {
    expect(sbatchArgs(SlurmSettings.parse({}), shape)).toEqual([
      '--parsable',
      '--job-name=cascade-0123456789abcdef',
      '--chdir=/home/u/.cascade/work/abc',
      '--output=/home/u/.cascade/work/abc/.cascade-slurm.out',
      '--no-requeue',
      '--nodes=1',
      '--ntasks=1',
      '--cpus-per-task=4',
      '--time=11',
      '/home/u/.cascade/work/abc/.cascade-job.sh',
    ]);
  });

  it('passes every setting, extra options last before the script', () => {
    const s = SlurmSettings.parse({
      partition: 'short',
      account: 'chem-01',
      timeLimit: '1:30:00',
      nodes: 2,
      ntasks: 8,
      cpusPerTask: 2,
      memory: '16G',
      extraArgs: ['--qos=debug', '--constraint=avx2'],
    });
    const args = sbatchArgs(s, shape);
    expect(args).toEqual(
      expect.arrayContaining([
        '--nodes=2',
        '--ntasks=8',
        '--cpus-per-task=2',
        '--time=1:30:00',
        '--partition=short',
        '--account=chem-01',
        '--mem=16G',
      ]),
    );
    expect(args.slice(-3)).toEqual(['--qos=debug', '--constraint=avx2', shape.script]);
  });

  it('rounds a time limit up to whole minutes', () => {
    expect(jobMinutes(60)).toBe(2);
    expect(jobMinutes(61)).toBe(3);
    expect(jobMinutes(1)).toBe(2);
  });
});

describe('SlurmSettings', () => {
  it('refuses what sbatch would misread or what cascade sets itself', () => {
    const problems = (input: unknown) =>
      SlurmSettings.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(problems({ partition: 'a b' })[0]).toMatch(/^partition: expected a partition name/);
    expect(problems({ timeLimit: '90 minutes' })[0]).toMatch(/^timeLimit: expected a Slurm time/);
    expect(problems({ memory: '16 GB' })[0]).toMatch(/^memory: expected a memory size/);
    expect(problems({ extraArgs: ['--output=x.log'] })[0]).toBe(
      'extraArgs: --output is set by cascade for every job (it writes the job script and follows its output)',
    );
    expect(problems({ extraArgs: ['-Jname'] })[0]).toMatch(/^extraArgs: -J is set by cascade/);
    expect(problems({ extraArgs: ['debug'] })[0]).toMatch(/"debug" is not an sbatch option/);
    expect(problems({ nodes: 0 })[0]).toMatch(/^nodes:/);
    expect(problems({ queue: 'x' })[0]).toMatch(/queue/);
    for (const t of ['90', '30:00', '1:30:00', '2-12', '2-12:30', '2-12:30:00']) {
      expect(problems({ timeLimit: t })).toEqual([]);
    }
  });

  it('is part of every tier', () => {
    const config = tinyCampaign('slurm-tier', {
      tiers: [{ code: 'xtb', slurm: { partition: 'short', pollSeconds: 1 } }],
    });
    expect(config.tiers[0]?.slurm).toEqual({
      partition: 'short',
      nodes: 1,
      ntasks: 1,
      extraArgs: [],
      pollSeconds: 1,
    });
    const wrong = CampaignConfig.safeParse({
      ...config,
      tiers: [{ code: 'xtb', slurm: { partiton: 'short' } }],
    });
    expect(wrong.error?.issues[0]?.path).toEqual(['tiers', 0, 'slurm']);
  });
});

describe('what sbatch answers', () => {
  it('reads the job id of --parsable, on one cluster or several', () => {
    expect(submittedJobId('123\n')).toBe('123');
    expect(submittedJobId('123;cluster2\n')).toBe('123');
    expect(submittedJobId('sbatch: warning: x\n77\n')).toBe('77');
    expect(submittedJobId('Submitted batch job 5\n')).toBeUndefined();
    expect(submittedJobId('')).toBeUndefined();
  });

  it('names the jobs of one work directory alike, and those of others not', () => {
    expect(jobName('/a/work/x')).toBe(jobName('/a/work/x'));
    expect(jobName('/a/work/x')).not.toBe(jobName('/b/work/x'));
    expect(jobName('/a/work/x')).toMatch(/^cascade-[0-9a-f]{16}$/);
  });
});
