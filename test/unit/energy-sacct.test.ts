import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  parseSacct,
  parseSlurmBytes,
  parseSlurmDuration,
  sacctEnergy,
} from '../../activities/energy/sacct.js';
import { energySettings } from '../../activities/energy/settings.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/energy');
const captured = (job: string) => readFileSync(join(FIXTURES, 'sacct', `job-${job}.txt`), 'utf8');
const GiB = 1024 ** 3;

afterEach(() => vi.unstubAllEnvs());

describe('Slurm fields', () => {
  it('reads durations as sacct prints them', () => {
    expect(parseSlurmDuration('01:02:03.456')).toBeCloseTo(3723.456, 9);
    expect(parseSlurmDuration('2-01:02:03')).toBe(2 * 86_400 + 3723);
    expect(parseSlurmDuration('02:03.456')).toBeCloseTo(123.456, 9);
    expect(parseSlurmDuration('134-22:53:20')).toBe(11_660_000);
    expect(parseSlurmDuration('00:00:00')).toBe(0);
    expect(parseSlurmDuration('')).toBeUndefined();
    expect(parseSlurmDuration('INVALID')).toBeUndefined();
  });

  it('reads memory in powers of 1024', () => {
    expect(parseSlurmBytes('1234K')).toBe(1234 * 1024);
    expect(parseSlurmBytes('12M')).toBe(12 * 1024 ** 2);
    expect(parseSlurmBytes('1.5G')).toBe(1.5 * GiB);
    expect(parseSlurmBytes('1.50G')).toBe(1.5 * GiB);
    expect(parseSlurmBytes('0')).toBe(0);
    expect(parseSlurmBytes('')).toBeUndefined();
  });
});

describe('parseSacct, on captured output', () => {
  it("takes the largest step's energy when the job line has none, the job's CPU, the largest MaxRSS", () => {
    expect(parseSacct(captured('4242'), '4242')).toEqual({
      available: true,
      method: 'sacct',
      jobId: '4242',
      joules: 451_240, // the extern step, which spans the job; the steps overlap, so they are not summed
      cpuSeconds: 2 * 3600 + 2 * 60 + 18, // 02:02:18 on the job line: its steps' sum
      maxRssBytes: 1.5 * GiB,
      wallSeconds: 3723,
    });
  });

  it("takes the job line's energy when it has one", () => {
    expect(parseSacct(captured('4243'), '4243')).toEqual({
      available: true,
      method: 'sacct',
      jobId: '4243',
      joules: 40_871_522,
      cpuSeconds: 11_660_000,
      maxRssBytes: 45 * GiB,
      wallSeconds: 190_000,
    });
  });

  it('leaves joules out on a cluster without an energy plugin', () => {
    const r = parseSacct(captured('4244'), '4244');
    expect(r).toEqual({
      available: true,
      method: 'sacct',
      jobId: '4244',
      cpuSeconds: 6.46,
      maxRssBytes: 51_456 * 1024,
      wallSeconds: 7,
    });
  });

  it('says accounting is unavailable, and why', () => {
    const disabled = readFileSync(join(FIXTURES, 'sacct/disabled.stderr'), 'utf8');
    expect(parseSacct(disabled, '7')).toEqual({
      available: false,
      method: 'sacct',
      jobId: '7',
      reason: 'Slurm accounting storage is disabled',
    });
    expect(parseSacct(captured('4242'), '424')).toMatchObject({
      available: false,
      reason: /no record of job 424/,
    });
  });
});

describe('sacctEnergy, through the fake sacct on PATH', () => {
  const onPath = () => vi.stubEnv('PATH', `${join(FIXTURES, 'bin')}:${process.env.PATH}`);

  it("asks sacct the job's record and reads it", async () => {
    onPath();
    const r = await sacctEnergy('4242', { settings: energySettings({}) });
    expect(r).toEqual(parseSacct(captured('4242'), '4242'));
    expect(r).toMatchObject({ available: true, joules: 451_240 });
  });

  it('falls back, without throwing, on a cluster without slurmdbd, an unknown job, or no sacct', async () => {
    onPath();
    expect(await sacctEnergy('999', { settings: energySettings({}) })).toMatchObject({
      available: false,
      reason: 'sacct has no record of job 999',
    });
    vi.stubEnv('FAKE_SACCT_DISABLED', '1');
    expect(await sacctEnergy('4242')).toEqual({
      available: false,
      method: 'sacct',
      jobId: '4242',
      reason: 'Slurm accounting storage is disabled',
    });
    const missing = await sacctEnergy('4242', {
      settings: energySettings({ CASCADE_SACCT: '/nonexistent/sacct' }),
    });
    expect(missing).toMatchObject({ available: false, reason: /cannot run \/nonexistent\/sacct/ });
    const off = await sacctEnergy('4242', { settings: energySettings({ CASCADE_SACCT: '' }) });
    expect(off).toMatchObject({ available: false, reason: /turned off/ });
  });

  it('uses fakes that refuse any other call', async () => {
    const sacct = await execa(join(FIXTURES, 'bin/sacct'), ['-j', '4242', '--format=JobID'], {
      reject: false,
    });
    expect(sacct.exitCode).toBe(2);
    const smi = await execa(join(FIXTURES, 'bin/nvidia-smi'), ['--query-gpu=power.draw', '--format=csv'], {
      reject: false,
    });
    expect(smi.exitCode).toBe(2);
  });
});
