import { describe, expect, it } from 'vitest';
import { type ReplayMolecule, replayEscalation } from '../../lib/cbs/escalation-replay.js';
import { MEV_PER_HARTREE as HARTREE_MEV } from '../../lib/domain/units.js';

const mev = (x: number) => x / HARTREE_MEV;

/** DZ (1 CPU-s), TZ (4), QZ (20); the intervals are 100 meV/atom wide at DZ and `tzWidth` at TZ. */
function molecule(group: string, tzWidth: number, tzError: number): ReplayMolecule {
  return {
    group,
    rungs: [
      { cpuSeconds: 1, predicted: { median: mev(50), lo: mev(0), hi: mev(100) }, target: mev(60) },
      {
        cpuSeconds: 4,
        predicted: { median: mev(10), lo: mev(10 - tzWidth / 2), hi: mev(10 + tzWidth / 2) },
        target: mev(10 + tzError),
      },
      { cpuSeconds: 20 },
    ],
  };
}

describe('escalation ladder replay', () => {
  const set = [molecule('a', 4, 1), molecule('b', 16, 9)];

  it('runs every basis when no interval is narrow enough: more CPU than the largest basis alone', () => {
    const r = replayEscalation(set, 2);
    expect(r.stoppedAt).toEqual([0, 0, 2]);
    expect(r.cpuFraction).toBeCloseTo(50 / 40, 12);
    expect(r.maeMeV).toBe(0);
    expect(r.coveredWhenStopped).toBeNaN();
  });

  it('stops where the interval fits the tolerance and charges the error against the reference', () => {
    const r = replayEscalation(set, 5);
    expect(r.stoppedAt).toEqual([0, 1, 1]);
    expect(r.cpuFraction).toBeCloseTo((5 + 25) / 40, 12);
    expect(r.maeMeV).toBeCloseTo(1 / 2, 9);
    expect(r.coveredWhenStopped).toBe(1);
    const loose = replayEscalation(set, 20);
    expect(loose.stoppedAt).toEqual([0, 2, 0]);
    expect(loose.maxErrorMeV).toBeCloseTo(9, 9);
    // b's true error (19) lies outside its interval [2, 18]
    expect(loose.coveredWhenStopped).toBe(0.5);
    expect(replayEscalation(set, 100).stoppedAt).toEqual([2, 0, 0]);
  });
});
