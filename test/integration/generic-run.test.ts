/**
 * Described codes through the runner, against the real programs: configs/codes/xtb.yaml must reproduce the
 * dedicated xtb template, and configs/codes/nwchem.yaml must give what NWChem gives when run by hand on the
 * same deck.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunOptions, runCalculation } from '../../activities/qm/runner.js';
import { type LoadedCode, loadCodeDescription } from '../../qm/codes/generic/index.js';
import { xtbTemplate } from '../../qm/codes/xtb/index.js';
import { xtbProfile } from '../../qm/codes/xtb/profile.js';
import { resolveBinary } from '../../qm/profile.js';
import type { CalcSpec } from '../../qm/template.js';
import { fixtureMolecule } from '../helpers/fixtures.js';
import { b3lypSpec } from '../helpers/nwchem-spec.js';
import { ok } from '../helpers/outcomes.js';
import { gfn2Spec } from '../helpers/xtb-spec.js';

const ROOT = join(import.meta.dirname, '../..');

const workRoot = mkdtempSync(join(tmpdir(), 'cascade-generic-run-'));
afterAll(() => rmSync(workRoot, { recursive: true, force: true }));
const opts = (): RunOptions => ({ workRoot, timeoutMs: 120_000 });

const water = fixtureMolecule('xtb', 'water-gfn2');

function description(file: string): Required<LoadedCode> {
  const loaded = loadCodeDescription(readFileSync(join(ROOT, 'configs/codes', file), 'utf8'), file);
  expect(loaded.problems).toEqual([]);
  return loaded as Required<LoadedCode>;
}

describe('configs/codes/xtb.yaml through runCalculation', () => {
  it('gives the dedicated template’s energy, gap and dipole for water GFN2', async () => {
    const xtb = description('xtb.yaml');
    const generic = await runCalculation(xtb.template, xtb.profile, gfn2Spec(), water, opts());
    const dedicated = await runCalculation(xtbTemplate, xtbProfile(), gfn2Spec(), water, opts());
    const g = ok(generic.outcome);
    const d = ok(dedicated.outcome);
    expect(Math.abs(g.totalEnergy - d.totalEnergy)).toBeLessThan(1e-6);
    expect(Math.abs((g.homoLumoGap as number) - (d.homoLumoGap as number))).toBeLessThan(1e-3);
    expect(Math.abs((g.dipoleMoment as number) - (d.dipoleMoment as number))).toBeLessThan(1e-2);
    expect(g.totalEnergy).toBeCloseTo(-5.0703759, 6);
    expect(generic.provenance).toMatchObject({ code: 'xtb', exitCode: 0 });
    // different inputs (no --json, explicit defaults), so different work directories
    expect(generic.provenance.inputHash).not.toBe(dedicated.provenance.inputHash);
    expect(await xtb.version(xtb.profile.binary)).toMatch(/^\d+\.\d+\.\d+ \(description [0-9a-f]{12}\)$/);
  });

  it('classifies an SCC that runs out of iterations (settings.iterations: 1)', async () => {
    const xtb = description('xtb.yaml');
    const { outcome } = await runCalculation(
      xtb.template,
      xtb.profile,
      gfn2Spec({ settings: { iterations: 1 } }),
      water,
      opts(),
    );
    expect(outcome).toMatchObject({ kind: 'scf-not-converged', retryable: true });
  });
});

describe('configs/codes/nwchem.yaml through runCalculation', () => {
  const b3lyp = b3lypSpec();

  it('water B3LYP/6-31G* matches NWChem run by hand on the same deck', async () => {
    const nwchem = description('nwchem.yaml');
    const { outcome, provenance } = await runCalculation(
      nwchem.template,
      nwchem.profile,
      b3lyp,
      water,
      opts(),
    );
    const out = ok(outcome);

    // by hand: the deck the template wrote, in a directory of its own, no runner involved
    const byHand = join(workRoot, 'by-hand');
    mkdirSync(byHand);
    copyFileSync(join(provenance.workDir, 'input.nw'), join(byHand, 'input.nw'));
    const binary = await resolveBinary(nwchem.profile.binary);
    const r = await execa(binary, ['input.nw'], {
      cwd: byHand,
      reject: false,
      stdin: 'ignore',
      env: { OMP_NUM_THREADS: '1' },
    });
    expect(r.exitCode).toBe(0);
    const energies = [...r.stdout.matchAll(/Total DFT energy =\s+(-?\d+\.\d+)/g)].map((m) => Number(m[1]));
    expect(energies).toHaveLength(1);

    console.info(`NWChem water B3LYP/6-31G*: generic ${out.totalEnergy}, by hand ${energies[0]} Eh`);
    expect(Math.abs(out.totalEnergy - (energies[0] as number))).toBeLessThan(1e-6);
    expect(Math.abs(out.totalEnergy - -76.4087)).toBeLessThan(5e-4);
    expect(out.scfIterations).toBeGreaterThan(1);
    expect(out.warnings).toEqual([]);
    expect(await nwchem.version(nwchem.profile.binary)).toMatch(
      /^\d+\.\d+(\.\d+)? \(description [0-9a-f]{12}\)$/,
    );
  });

  it('classifies an SCF that runs out of iterations, and an unknown basis', async () => {
    const nwchem = description('nwchem.yaml');
    const run = (spec: CalcSpec) => runCalculation(nwchem.template, nwchem.profile, spec, water, opts());
    const short = await run({ ...b3lyp, settings: { iterations: 2 } });
    expect(short.outcome).toMatchObject({ kind: 'scf-not-converged', retryable: true });
    const noBasis = await run({ ...b3lyp, basis: 'no-such-basis' });
    expect(noBasis.outcome).toMatchObject({ kind: 'invalid-input', retryable: false });
  });
});
