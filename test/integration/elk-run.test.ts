/**
 * The runner against the real Elk (Debian package `elk-lapw`, 8.4.30): the MgO acceptance case, a metal,
 * a provoked SCF failure and its first restart, a missing species file, and cancellation.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { type RunOptions, runCalculation } from '../../activities/qm/runner.js';
import { EV_PER_HARTREE } from '../../lib/domain/units.js';
import { elkMoreScfLoops } from '../../qm/codes/elk/handlers.js';
import { elkTemplate } from '../../qm/codes/elk/index.js';
import { DEFAULT_ELK_SPECIES_DIR, elkProfile, elkVersion } from '../../qm/codes/elk/profile.js';
import { rockSalt } from '../../qm/structure.js';
import type { CalcFailure } from '../../qm/template.js';
import { aluminium } from '../helpers/crystals.js';
import { elkSpec } from '../helpers/elk-spec.js';
import { ok } from '../helpers/outcomes.js';
import { processesIn } from '../helpers/processes.js';

const workRoot = mkdtempSync(join(tmpdir(), 'cascade-elk-run-'));
afterAll(() => rmSync(workRoot, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

const opts = (over: Partial<RunOptions> = {}): RunOptions => ({ workRoot, timeoutMs: 120_000, ...over });
const mgo = rockSalt('Mg', 'O', 7.96);
const al = aluminium;

describe('runCalculation with Elk', () => {
  it('MgO (PBE, rgkmax 7, 4x4x4): energy, Fermi level and a gap above 3 eV', async () => {
    vi.stubEnv('CASCADE_ELK_SPECIES', '');
    const spec = elkSpec('pbe', { rgkmax: 7, kpoints: [4, 4, 4] });
    const one = await runCalculation(elkTemplate, elkProfile({ threads: 1 }), spec, mgo, opts());
    const out = ok(one.outcome);
    // measured with Elk 8.4.30: -275.712748124 Ha, gap 0.17384710 Ha (4.73 eV, at Gamma), 15 loops
    expect(out.totalEnergy).toBeCloseTo(-275.712748, 4);
    expect(out.bandGap).toBeGreaterThan(3);
    expect(out.bandGap).toBeCloseTo(0.1738471 * EV_PER_HARTREE, 3);
    expect(out.fermiEnergy).toBeCloseTo(0.17690775, 4);
    expect(out.scfIterations).toBeGreaterThan(5);
    expect(one.provenance).toMatchObject({ code: 'elk', codeVersion: await elkVersion(), exitCode: 0 });
    expect(one.provenance.codeVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(readFileSync(join(one.provenance.workDir, 'elk.in'), 'utf8')).toContain(
      `'${DEFAULT_ELK_SPECIES_DIR}'`,
    );

    // two threads give the same answer (and, on a shared 2-core machine, no speed-up for a run this small)
    const two = await runCalculation(elkTemplate, elkProfile({ threads: 2 }), spec, mgo, opts());
    expect(ok(two.outcome).totalEnergy).toBeCloseTo(out.totalEnergy, 5);
    console.info(
      `Elk MgO rgkmax 7 4x4x4: 1 thread ${one.provenance.wallSeconds.toFixed(2)} s wall ` +
        `(${one.provenance.cpuSeconds.toFixed(2)} s CPU), 2 threads ${two.provenance.wallSeconds.toFixed(2)} s wall ` +
        `(${two.provenance.cpuSeconds.toFixed(2)} s CPU)`,
    );
  });

  it('fcc Al is a metal: band gap 0', async () => {
    const spec = elkSpec('pbe', { rgkmax: 5, kpoints: [6, 6, 6], smearingWidth: 0.005 });
    const { outcome } = await runCalculation(elkTemplate, elkProfile(), spec, al, opts());
    const out = ok(outcome);
    expect(out.bandGap).toBe(0);
    expect(out.totalEnergy).toBeCloseTo(-242.82, 1);
  });

  it('automatic linearisation energies: Elk reads them and converges to a different LAPW energy', async () => {
    const base = { rgkmax: 5, kpoints: [2, 2, 2] as [number, number, number], smearingWidth: 0.01 };
    const fixed = await runCalculation(elkTemplate, elkProfile(), elkSpec('pbe', base), mgo, opts());
    const auto = await runCalculation(
      elkTemplate,
      elkProfile(),
      elkSpec('pbe', { ...base, autoLinearisationEnergies: true }),
      mgo,
      opts(),
    );
    expect(readFileSync(join(auto.provenance.workDir, 'elk.in'), 'utf8')).toMatch(/autolinengy\n\s+\.true\./);
    const [a, b] = [ok(fixed.outcome).totalEnergy, ok(auto.outcome).totalEnergy];
    // the same solid within a few mHa, but not the same basis: a ladder must not mix the two
    expect(Math.abs(a - b)).toBeLessThan(0.05);
    expect(Math.abs(a - b)).toBeGreaterThan(1e-6);
  });

  it('an SCF stopped at maxscl 2 is classified; the first handler makes it converge', async () => {
    const spec = elkSpec('pbe', { rgkmax: 5, kpoints: [2, 2, 2], maxscl: 2 });
    const first = await runCalculation(elkTemplate, elkProfile(), spec, mgo, opts());
    expect(first.outcome).toMatchObject({ kind: 'scf-not-converged', retryable: true });
    const handler = [...(elkTemplate.handlers ?? [])]
      .sort((a, b) => b.priority - a.priority)
      .find((hd) => hd.handles.includes('scf-not-converged'));
    expect(handler).toBe(elkMoreScfLoops);
    const next = handler?.apply(spec, first.outcome as CalcFailure, 0);
    expect(next?.settings.maxscl).toBe(200);
    if (!next) return;
    const second = await runCalculation(elkTemplate, elkProfile(), next, mgo, opts());
    const out = ok(second.outcome);
    expect(out.scfIterations).toBeGreaterThan(2);
    expect(out.bandGap).toBeGreaterThan(3);
    expect(second.provenance.inputHash).not.toBe(first.provenance.inputHash);
  });

  it('a species directory without O.in gives invalid-input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cascade-elk-species-'));
    try {
      copyFileSync(join(DEFAULT_ELK_SPECIES_DIR, 'Mg.in'), join(dir, 'Mg.in'));
      vi.stubEnv('CASCADE_ELK_SPECIES', dir);
      const spec = elkSpec('pbe', { rgkmax: 5, kpoints: [2, 2, 2] });
      const { outcome } = await runCalculation(elkTemplate, elkProfile(), spec, mgo, opts());
      expect(outcome).toMatchObject({ kind: 'invalid-input', retryable: false });
      expect((outcome as CalcFailure).message).toContain(`missing species file ${dir}/O.in`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('aborting kills Elk and leaves no elk-lapw process behind', async () => {
    // a run of about a minute: rgkmax 8 and a 10x10x10 mesh
    const spec = elkSpec('pbe', { rgkmax: 8, kpoints: [10, 10, 10] });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 2_000);
    const root = join(workRoot, 'abort');
    mkdirSync(root, { recursive: true });
    const { outcome, provenance } = await runCalculation(
      elkTemplate,
      elkProfile(),
      spec,
      mgo,
      opts({ workRoot: root, signal: controller.signal }),
    );
    expect(outcome).toMatchObject({ kind: 'killed' });
    expect(provenance.wallSeconds).toBeLessThan(10);
    expect(provenance.signal).toMatch(/SIG(TERM|KILL)/);
    expect(processesIn(root)).toEqual([]);
  });
});
