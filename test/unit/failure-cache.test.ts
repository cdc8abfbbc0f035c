/** Which stored results answer a request, by failure class and limits; errors counted over attempts; work alone. */
import { ApplicationFailure } from '@temporalio/activity';
import { describe, expect, it } from 'vitest';
import { MAX_ERRORS, rethrowCounted } from '../../activities/campaign/repeated-errors.js';
import { inCalculationSlot, setCalculationSlots } from '../../activities/campaign/slots.js';
import { answers, type CalculationRequest, failureClass } from '../../activities/qm/calculate.js';
import type { QmResultRecord } from '../../store/store.js';

const request = (o: Partial<CalculationRequest> = {}): CalculationRequest => ({
  spec: { code: 'xtb', method: 'gfn2', task: 'energy', charge: 0, multiplicity: 1, settings: {} },
  system: {
    symbols: ['H', 'H'],
    coords: [
      [0, 0, 0],
      [0, 0, 0.74],
    ],
    charge: 0,
    multiplicity: 1,
  },
  timeoutSeconds: 60,
  threads: 1,
  ...o,
});

const stored = (failure?: QmResultRecord['failure']): QmResultRecord => ({
  key: 'k',
  code: 'xtb',
  codeVersion: '6.5.1',
  method: 'gfn2',
  settings: {},
  geometryHash: 'g',
  status: failure ? 'failed' : 'ok',
  ...(failure ? { failure } : { outputs: { totalEnergy: -1 } }),
  provenance: {},
});

const timeout = (timeoutSeconds: number, threads = 1) =>
  stored({
    kind: 'timeout',
    message: 'exceeded',
    retryable: true,
    class: 'circumstantial',
    limits: { timeoutSeconds, threads },
  });

describe('the failure cache', () => {
  it('classes failures: limits and signals are circumstances, everything else the inputs', () => {
    expect(['timeout', 'killed', 'killed-worker'].map(failureClass)).toEqual(Array(3).fill('circumstantial'));
    expect(['invalid-input', 'scf-not-converged', 'opt-not-converged', 'unknown'].map(failureClass)).toEqual(
      Array(4).fill('deterministic'),
    );
  });

  it('answers with a result, and with a deterministic failure, whatever the limits', () => {
    expect(answers(stored(), request({ timeoutSeconds: 1 }))).toBe(true);
    const invalid = stored({
      kind: 'invalid-input',
      message: 'no',
      retryable: false,
      class: 'deterministic',
    });
    expect(answers(invalid, request({ timeoutSeconds: 7200, threads: 8 }))).toBe(true);
  });

  it('computes a circumstantial failure again under larger limits only', () => {
    expect(answers(timeout(60), request({ timeoutSeconds: 60 }))).toBe(true);
    expect(answers(timeout(60), request({ timeoutSeconds: 30 }))).toBe(true);
    expect(answers(timeout(60), request({ timeoutSeconds: 61 }))).toBe(false);
    expect(answers(timeout(60, 1), request({ timeoutSeconds: 60, threads: 4 }))).toBe(false);
  });

  it('computes a circumstantial failure stored without its limits again (they are unknown)', () => {
    const old = stored({ kind: 'timeout', message: 'exceeded its 1000 ms time limit', retryable: true });
    expect(answers(old, request())).toBe(false);
    const oldInvalid = stored({ kind: 'invalid-input', message: 'no', retryable: false });
    expect(answers(oldInvalid, request())).toBe(true);
  });

  it("recomputes failures with recompute 'failures', anything with 'all'", () => {
    const invalid = stored({
      kind: 'invalid-input',
      message: 'no',
      retryable: false,
      class: 'deterministic',
    });
    expect(answers(invalid, request({ recompute: 'failures' }))).toBe(false);
    expect(answers(stored(), request({ recompute: 'failures' }))).toBe(true);
    expect(answers(stored(), request({ recompute: 'all' }))).toBe(false);
  });
});

describe('errors over attempts', () => {
  it(`rethrows an error as it is until the ${MAX_ERRORS}th, which is final`, () => {
    const beats: number[] = [];
    const boom = new Error('store is locked');
    expect(() => rethrowCounted(boom, 0, (n) => beats.push(n))).toThrow(boom);
    expect(() => rethrowCounted(boom, MAX_ERRORS - 2, (n) => beats.push(n))).toThrow(boom);
    let last: unknown;
    try {
      rethrowCounted(boom, MAX_ERRORS - 1, (n) => beats.push(n));
    } catch (e) {
      last = e;
    }
    expect(last).toBeInstanceOf(ApplicationFailure);
    expect(last).toMatchObject({ type: 'RepeatedError', nonRetryable: true });
    expect((last as Error).message).toMatch(/^store is locked \(failed this way 3 times/);
    expect(beats).toEqual([1, MAX_ERRORS - 1, MAX_ERRORS]);
  });

  it('does not count a final failure or a stopped calculation', () => {
    const beats: number[] = [];
    const final = ApplicationFailure.nonRetryable('unknown tier', 'UnknownTier');
    const stopped = ApplicationFailure.retryable('stopped', 'CalculationKilled');
    expect(() => rethrowCounted(final, 5, (n) => beats.push(n))).toThrow(final);
    expect(() => rethrowCounted(stopped, 5, (n) => beats.push(n))).toThrow(stopped);
    expect(beats).toEqual([]);
  });
});

describe('work that runs alone', () => {
  it('waits for every slot, and nothing that came after it starts meanwhile', async () => {
    setCalculationSlots(2);
    const log: string[] = [];
    const gate = () => {
      let open = () => {};
      const p = new Promise<void>((r) => (open = r));
      return { p, open };
    };
    const a = gate();
    const runA = inCalculationSlot(async () => {
      log.push('a');
      await a.p;
      log.push('a done');
    });
    const runAlone = inCalculationSlot(
      async () => {
        log.push('alone');
      },
      { alone: true },
    );
    const runB = inCalculationSlot(async () => {
      log.push('b');
    });
    await new Promise((r) => setTimeout(r, 10));
    // a slot is free, but the lone work waits for both, and b waits behind it
    expect(log).toEqual(['a']);
    a.open();
    await Promise.all([runA, runAlone, runB]);
    expect(log).toEqual(['a', 'a done', 'alone', 'b']);
  });
});
