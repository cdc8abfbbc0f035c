/**
 * The batch script of a Slurm calculation, run here by /bin/sh as slurmd would run it: arguments and values with
 * every character the shell treats specially arrive unchanged and run nothing; the report line carries the job id,
 * the exit status and the run time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  batchScript,
  parseJobReport,
  REPORT_FILE,
  shellQuote,
} from '../../activities/qm/slurm/batch-script.js';

const dir = mkdtempSync(join(tmpdir(), 'cascade-batch-script-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Words a shell would expand, split, substitute or end a command at. */
const NASTY = [
  "it's",
  '$(touch pwned)',
  '`touch pwned`',
  'a; touch pwned',
  'two words',
  'line\nbreak',
  '*',
  '$HOME',
  '"quoted"',
  "'",
  "''",
  '\\',
  '',
  '-n',
  '&& touch pwned |',
];

/** Writes a script for `command` into a fresh work directory and runs it as a job would; its exit status and dir. */
function runScript(
  command: string[],
  env: Record<string, string> = {},
): { status: number | null; work: string } {
  const work = mkdtempSync(join(dir, 'work dir $(x) '));
  const script = join(work, 'job.sh');
  writeFileSync(
    script,
    batchScript({ workDir: work, command, env, stdoutFile: 'out.txt', stderrFile: 'err.txt' }),
  );
  const r = spawnSync('/bin/sh', [script], { cwd: '/', env: { PATH: process.env.PATH, SLURM_JOB_ID: '42' } });
  return { status: r.status, work };
}

describe('shellQuote', () => {
  it('gives one sh word that is the text itself', () => {
    for (const word of NASTY) {
      const echoed = execFileSync('/bin/sh', ['-c', `printf '%s' ${shellQuote(word)}`], { cwd: dir });
      expect(echoed.toString()).toBe(word);
    }
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });

  it('refuses a NUL byte, which no program can receive', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });
});

describe('batchScript', () => {
  it('passes every argument unchanged and runs nothing else', () => {
    // one NUL after each argument, so that arguments with newlines come back whole
    const { status, work } = runScript(['/usr/bin/printf', '%s\\0', ...NASTY]);
    expect(status).toBe(0);
    const words = readFileSync(join(work, 'out.txt'), 'utf8').split('\0').slice(0, -1);
    expect(words).toEqual(NASTY);
    expect(existsSync(join(work, 'pwned'))).toBe(false);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });

  it("exports the code's variables, values verbatim, and runs in the work directory", () => {
    const { work } = runScript(['/bin/sh', '-c', 'printf "%s|%s|%s" "$OMP_NUM_THREADS" "$ODD" "$PWD"'], {
      OMP_NUM_THREADS: '4',
      ODD: "$(touch pwned) 'x' `y`",
    });
    expect(readFileSync(join(work, 'out.txt'), 'utf8')).toBe(`4|$(touch pwned) 'x' \`y\`|${work}`);
    expect(existsSync(join(work, 'pwned'))).toBe(false);
  });

  it('refuses a variable name the shell would not read as one', () => {
    expect(() =>
      batchScript({ workDir: dir, command: ['true'], env: { 'A;B': '1' }, stdoutFile: 'o', stderrFile: 'e' }),
    ).toThrow(/not a valid environment variable name/);
  });

  it("reports the job id, the code's exit status and its run time, and exits with that status", () => {
    const { status, work } = runScript(['/bin/sh', '-c', 'sleep 0.2; echo oops >&2; exit 7']);
    expect(status).toBe(7);
    expect(readFileSync(join(work, 'err.txt'), 'utf8')).toBe('oops\n');
    const report = parseJobReport(readFileSync(join(work, REPORT_FILE), 'utf8'));
    expect(report).toMatchObject({ jobId: '42', exitStatus: 7 });
    expect(report?.wallSeconds).toBeGreaterThanOrEqual(0.19);
    expect(report?.wallSeconds).toBeLessThan(5);
  });
});

describe('parseJobReport', () => {
  it('reads the line, and whole seconds where date has no nanoseconds', () => {
    expect(parseJobReport('job=12 exit=0 started=100.25 ended=101.75\n')).toEqual({
      jobId: '12',
      exitStatus: 0,
      wallSeconds: 1.5,
    });
    expect(parseJobReport('job=12 exit=3 started=100.%N ended=104.%N\n')).toEqual({
      jobId: '12',
      exitStatus: 3,
      wallSeconds: 4,
    });
  });

  it('is undefined for a missing or cut-short report, or one written outside a job', () => {
    expect(parseJobReport('')).toBeUndefined();
    expect(parseJobReport('job=12 exit=0 started=1')).toBeUndefined();
    expect(parseJobReport('job= exit=0 started=1 ended=2')).toBeUndefined();
  });
});
