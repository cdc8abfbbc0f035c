/** What squeue's answers mean for a calculation's job; the lines are as Slurm 22.05 prints them with our format. */
import { describe, expect, it } from 'vitest';
import {
  finalStateFailure,
  hasEnded,
  hasStarted,
  NO_SUCH_JOBS,
  parseSqueue,
  squeueArgs,
} from '../../activities/qm/slurm/squeue.js';

describe('parseSqueue', () => {
  it('reads id, state, nodes and reason of each job', () => {
    const jobs = parseSqueue('3|PENDING||Resources\n4|RUNNING|vm|None\n5|FAILED|vm|NonZeroExitCode\n');
    expect([...jobs.keys()]).toEqual(['3', '4', '5']);
    expect(jobs.get('3')).toEqual({ jobId: '3', state: 'PENDING', nodes: '', reason: 'Resources' });
    expect(jobs.get('4')).toEqual({ jobId: '4', state: 'RUNNING', nodes: 'vm', reason: 'None' });
    expect(jobs.get('5')?.reason).toBe('NonZeroExitCode');
  });

  it('skips what is not a job line (a warning, an empty line, an array element)', () => {
    const jobs = parseSqueue('squeue: warning: something\n\n7_1|RUNNING|vm|None\n8|COMPLETED|n[1-2]|None');
    expect([...jobs.keys()]).toEqual(['8']);
    expect(jobs.get('8')?.nodes).toBe('n[1-2]');
  });

  it('asks for every job in one query, whatever its state', () => {
    expect(squeueArgs(['1', '22'])).toEqual([
      '--noheader',
      '--states=all',
      '--jobs=1,22',
      '--format=%i|%T|%N|%r',
    ]);
    expect(NO_SUCH_JOBS.test('slurm_load_jobs error: Invalid job id specified')).toBe(true);
  });
});

describe('job states', () => {
  it('tells waiting, under way and over apart', () => {
    for (const s of ['PENDING', 'CONFIGURING', 'REQUEUED']) {
      expect([s, hasStarted(s), hasEnded(s)]).toEqual([s, false, false]);
    }
    for (const s of ['RUNNING', 'COMPLETING', 'SUSPENDED']) {
      expect([s, hasStarted(s), hasEnded(s)]).toEqual([s, true, false]);
    }
    for (const s of ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL']) {
      expect([s, hasStarted(s), hasEnded(s)]).toEqual([s, true, true]);
    }
  });

  it('makes a job that ended without its report the failure its state says', () => {
    expect(finalStateFailure('9', { state: 'TIMEOUT', reason: 'None' })).toEqual({
      kind: 'timeout',
      message: 'Slurm job 9 reached its time limit and was ended',
    });
    expect(finalStateFailure('9', { state: 'CANCELLED', reason: 'None' })?.kind).toBe('killed');
    expect(finalStateFailure('9', { state: 'OUT_OF_MEMORY', reason: 'None' })?.message).toMatch(
      /slurm\.memory/,
    );
    expect(finalStateFailure('9', { state: 'NODE_FAIL', reason: 'NodeDown' })?.message).toBe(
      'Slurm job 9 ended NODE_FAIL (NodeDown)',
    );
    // the exit status says it: the runner parses the outputs as a local run's
    expect(finalStateFailure('9', { state: 'COMPLETED', reason: 'None' })).toBeUndefined();
    expect(finalStateFailure('9', { state: 'FAILED', reason: 'NonZeroExitCode' })).toBeUndefined();
  });
});
