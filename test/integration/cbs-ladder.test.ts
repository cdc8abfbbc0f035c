/**
 * The basis escalation ladder with the real NWChem and the committed data set's model: the larger bases are
 * skipped when the predicted interval of the converged energy is narrow enough, and run when it is not.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escalate, type LadderSpec, type LadderStep } from '../../activities/cbs/escalate.js';
import { calculate } from '../../activities/qm/calculate.js';
import type { CalcOutputs } from '../../qm/template.js';
import { closeStores, openStore } from '../../store/open.js';
import { water } from '../helpers/molecules.js';

const data = path.resolve('data/cbs/molecules.jsonl');
const bases = ['cc-pVDZ', 'cc-pVTZ', 'cc-pVQZ'];
let home: string;

beforeAll(() => {
  home = mkdtempSync(path.join(tmpdir(), 'cascade-cbs-ladder-'));
  process.env.CASCADE_HOME = home;
});
afterAll(async () => {
  await closeStores();
  rmSync(home, { recursive: true, force: true });
});

const runWater = (basis: string) =>
  calculate(openStore(), {
    spec: { code: 'nwchem', method: 'pbe', basis, task: 'energy', charge: 0, multiplicity: 1, settings: {} },
    system: water,
    timeoutSeconds: 600,
  });

const ladder = (maxIntervalMeVPerAtom: number): LadderSpec => ({ bases, maxIntervalMeVPerAtom, data });

function energyOf(step: LadderStep | undefined): number {
  if (!step) throw new Error('no such step');
  return (step.result.record.outputs as unknown as CalcOutputs).totalEnergy;
}

describe('basis escalation ladder', () => {
  it('stops after the smallest basis when the interval is narrower than the tolerance', async () => {
    const out = await escalate(ladder(1000), { species: water.symbols, method: 'pbe' }, runWater);
    expect(out.steps.map((s) => s.basis)).toEqual(['cc-pVDZ']);
    expect(out.skipped).toEqual(['cc-pVTZ', 'cc-pVQZ']);
    expect(out.energy.source).toBe('predicted');
    const dz = energyOf(out.steps[0]);
    const p = out.steps[0]?.predicted;
    // the converged energy lies below the cc-pVDZ one, inside a real interval
    expect(p && p.lo < p.median && p.median < p.hi).toBe(true);
    expect(out.energy.value).toBeLessThan(dz);
    expect(out.energy.value).toBeGreaterThan(dz - 0.1);
    expect(out.savedCpuSeconds).toBeGreaterThan(0);
    expect(out.largestBasisCpuEstimate).toBeGreaterThan(out.cpuSeconds);
  }, 300_000);

  it('runs up to the reference basis when no interval is narrow enough', async () => {
    const out = await escalate(ladder(1e-6), { species: water.symbols, method: 'pbe' }, runWater);
    expect(out.steps.map((s) => s.basis)).toEqual(bases);
    expect(out.skipped).toEqual([]);
    expect(out.steps[1]?.predicted?.widthMeVPerAtom).toBeGreaterThan(1e-6);
    const qz = energyOf(out.steps[2]);
    expect(out.energy).toMatchObject({ value: qz, source: 'computed' });
    // the whole ladder costs more than the largest basis alone
    expect(out.savedCpuSeconds).toBeLessThan(0);
    // the model's interval after cc-pVTZ contains the computed cc-pVQZ energy (90% intervals: usually)
    const p = out.steps[1]?.predicted;
    expect(Math.abs((p?.median ?? 0) - qz)).toBeLessThan(0.005);
  }, 600_000);

  it('warns when the tier uses another functional than the data set', async () => {
    const out = await escalate(ladder(1000), { species: water.symbols, method: 'b3lyp' }, runWater);
    expect(out.warnings.join(' ')).toMatch(/trained on pbe energies; this tier uses b3lyp/);
  }, 300_000);
});
