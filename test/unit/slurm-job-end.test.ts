/**
 * How a calculation's job ended, read back from its work directory and Slurm's accounting (activities/qm/slurm/
 * job-end.ts): the job's own report and GNU time's figures on a cluster without accounting, sacct's figures and
 * energy where the cluster keeps them (the captured records behind test/fixtures/energy/bin/sacct), and the
 * failure a final state is when the job left no report.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REPORT_FILE, SLURM_OUTPUT_FILE } from '../../activities/qm/slurm/batch-script.js';
import { jobEnd } from '../../activities/qm/slurm/job-end.js';

const FAKE_SACCT = join(import.meta.dirname, '../fixtures/energy/bin/sacct');
const root = mkdtempSync(join(tmpdir(), 'cascade-job-end-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

let work: string;
let files: { workDir: string; stdoutFile: string; stderrFile: string; rusageFile: string };
beforeEach(() => {
  work = mkdtempSync(join(root, 'w-'));
  files = {
    workDir: work,
    stdoutFile: join(work, '.cascade-stdout'),
    stderrFile: join(work, '.cascade-stderr'),
    rusageFile: join(work, '.cascade-rusage'),
  };
  writeFileSync(files.stdoutFile, 'normal termination\n');
  writeFileSync(files.stderrFile, '');
});

const entry = (jobId: string, state: string, reason = 'None') => ({ jobId, state, nodes: 'cn1', reason });
/** GNU time's report, in the format the runner asks for (activities/qm/accounting.ts). */
const rusage = (user: number, sys: number, maxrss: number, signal?: number) =>
  `${signal ? `Command terminated by signal ${signal}\n` : ''}cascade-rusage wall=1.00 user=${user} sys=${sys} maxrss=${maxrss}\n`;

describe('jobEnd on a cluster without accounting', () => {
  // the fake sacct answers as a cluster without slurmdbd does
  beforeEach(() => {
    vi.stubEnv('CASCADE_SACCT', FAKE_SACCT);
    vi.stubEnv('FAKE_SACCT_DISABLED', '1');
  });

  it("takes the exit status and run time from the job's report, CPU and memory from GNU time", async () => {
    writeFileSync(join(work, REPORT_FILE), 'job=31 exit=0 started=1000.5 ended=1012.75\n');
    writeFileSync(files.rusageFile, rusage(11.5, 0.25, 204_800));
    const end = await jobEnd('31', { last: entry('31', 'COMPLETED') }, files);
    expect(end).toEqual({
      exitCode: 0,
      stdout: 'normal termination\n',
      stderr: '',
      wallSeconds: 12.25,
      usage: { cpuSeconds: 11.75, maxRssKb: 204_800 },
      slurm: {
        jobId: '31',
        state: 'COMPLETED',
        nodes: 'cn1',
        figuresFrom: 'job-report',
        sacctUnavailable: 'Slurm accounting storage is disabled',
      },
    });
  });

  it('reports a code killed by a signal as such', async () => {
    writeFileSync(join(work, REPORT_FILE), 'job=32 exit=137 started=1 ended=2\n');
    writeFileSync(files.rusageFile, rusage(1, 0, 1000, 9));
    const end = await jobEnd('32', { last: entry('32', 'FAILED', 'NonZeroExitCode') }, files);
    expect(end).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
  });

  it('makes a job that ended without its report the failure its state says', async () => {
    const timeout = await jobEnd('33', { last: entry('33', 'TIMEOUT') }, files);
    expect(timeout).toMatchObject({
      exitCode: null,
      stopped: { kind: 'timeout', message: 'Slurm job 33 reached its time limit and was ended' },
    });
    // a report another job (an earlier attempt's, cancelled) left in the directory is not this job's
    writeFileSync(join(work, REPORT_FILE), 'job=30 exit=0 started=1 ended=2\n');
    const oom = await jobEnd('34', { last: entry('34', 'OUT_OF_MEMORY') }, files);
    expect(oom).toMatchObject({ exitCode: null, stopped: { kind: 'killed' } });
  });

  it('says where to look when a finished job left no report (a work directory the node cannot see)', async () => {
    writeFileSync(
      join(work, SLURM_OUTPUT_FILE),
      "slurmstepd: error: couldn't chdir to `/home/x': No such file\n",
    );
    const end = await jobEnd('35', { last: entry('35', 'FAILED', 'NonZeroExitCode') }, files, {
      reportWaitMs: 300,
    });
    expect(end.exitCode).toBeNull();
    expect(end.lost).toMatch(
      /^Slurm job 35 ended FAILED without the report its script writes at the end: is the work directory/,
    );
    expect(end.lost).toMatch(/filesystem the compute nodes share .*couldn't chdir/);
  });

  it('passes on why waiting for a cancelled job was given up', async () => {
    const end = await jobEnd(
      '36',
      { last: entry('36', 'COMPLETING'), lost: 'Slurm job 36 could not be seen to end' },
      files,
    );
    expect(end).toMatchObject({ exitCode: null, lost: 'Slurm job 36 could not be seen to end' });
  });
});

describe('jobEnd on a cluster with accounting', () => {
  it("takes CPU, memory and energy from sacct's record", async () => {
    vi.stubEnv('CASCADE_SACCT', FAKE_SACCT);
    // job 4242 of the captured records: 02:02:18 CPU, MaxRSS 1.5G, 451240 J on its extern step
    writeFileSync(join(work, REPORT_FILE), 'job=4242 exit=0 started=1 ended=3724\n');
    writeFileSync(files.rusageFile, rusage(7000, 100, 1000));
    const end = await jobEnd('4242', { last: entry('4242', 'COMPLETED') }, files);
    expect(end.usage).toEqual({ cpuSeconds: 7338, maxRssKb: 1.5 * 1024 * 1024 });
    expect(end.slurm).toEqual({
      jobId: '4242',
      state: 'COMPLETED',
      nodes: 'cn1',
      figuresFrom: 'sacct',
      joules: 451_240,
    });
  });
});
