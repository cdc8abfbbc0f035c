/**
 * The NWChem template and profile against the real NWChem (Debian package `nwchem`, 7.0.2) through the
 * runner: the reference water energy, open shells, optimisations, provoked failures and the specs the
 * restart handlers offer for them, and cancellation (no NWChem or MPI helper process left behind).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runWithHandlers } from '../../activities/qm/handlers.js';
import { type RunOptions, runCalculation } from '../../activities/qm/runner.js';
import { nwchemHandlers } from '../../qm/codes/nwchem/handlers.js';
import { nwchemTemplate } from '../../qm/codes/nwchem/index.js';
import { nwchemProfile, nwchemVersion } from '../../qm/codes/nwchem/profile.js';
import { MissingBinaryError } from '../../qm/profile.js';
import type { CalcFailure, CalcSpec, Geometry } from '../../qm/template.js';
import { benzene, hydroxyl, water } from '../helpers/molecules.js';
import { b3lypSpec } from '../helpers/nwchem-spec.js';
import { failed, ok } from '../helpers/outcomes.js';
import { processesIn } from '../helpers/processes.js';

const binary = process.env.CASCADE_NWCHEM || 'nwchem';
const workRoot = mkdtempSync(join(tmpdir(), 'cascade-nwchem-run-'));
afterAll(() => rmSync(workRoot, { recursive: true, force: true }));

const opts = (over: Partial<RunOptions> = {}): RunOptions => ({ workRoot, timeoutMs: 120_000, ...over });

const spec = b3lypSpec;

const handler = (name: string) => {
  const h = nwchemHandlers.find((x) => x.name === name);
  if (!h) throw new Error(`no handler ${name}`);
  return h;
};

describe('runCalculation with NWChem', () => {
  it('water B3LYP/6-31G* (Cartesian d) gives the reference energy', async () => {
    const { outcome, provenance } = await runCalculation(
      nwchemTemplate,
      nwchemProfile(),
      spec(),
      water,
      opts(),
    );
    const out = ok(outcome);
    expect(Math.abs(out.totalEnergy - -76.40865)).toBeLessThan(1e-5);
    expect(out.homoLumoGap).toBeCloseTo(9.7413, 3);
    expect(out.dipoleMoment).toBeCloseTo(2.075, 3);
    expect(out.scfIterations).toBeGreaterThan(2);
    expect(provenance).toMatchObject({ code: 'nwchem', exitCode: 0 });
    // runtime database and vectors stay in the run's own work directory
    expect(existsSync(join(provenance.workDir, 'cascade.db'))).toBe(true);
    expect(existsSync(join(provenance.workDir, 'cascade.movecs'))).toBe(true);
    expect(provenance.wallSeconds).toBeLessThan(30);
    expect(provenance.cpuSeconds).toBeGreaterThan(0);
    expect(provenance.cpuSeconds).toBeLessThan(10);
    // spherical d functions give another (higher) energy: the deck's "cartesian" matters
    const spherical = ok(
      (
        await runCalculation(
          nwchemTemplate,
          nwchemProfile(),
          spec({ settings: { basisType: 'spherical' } }),
          water,
          opts(),
        )
      ).outcome,
    );
    expect(spherical.totalEnergy - out.totalEnergy).toBeCloseTo(0.00192, 4);
  });

  it('runs an open shell (OH radical, doublet)', async () => {
    const oh = hydroxyl(0, 0, 2);
    const out = ok(
      (await runCalculation(nwchemTemplate, nwchemProfile(), spec({ multiplicity: 2 }), oh, opts())).outcome,
    );
    expect(out.totalEnergy).toBeCloseTo(-75.7233075, 5);
    expect(out.homoLumoGap).toBeGreaterThan(0);
  });

  it('classifies an SCF stopped after 2 iterations; each SCF handler offers a spec that converges', async () => {
    const start = spec({ settings: { iterations: 2 } });
    const first = await runCalculation(nwchemTemplate, nwchemProfile(), start, water, opts());
    const failure = failed(first.outcome);
    expect(failure).toMatchObject({ kind: 'scf-not-converged', retryable: true });
    expect(first.provenance.exitCode).toBe(255);
    for (const name of ['nwchem-more-iterations', 'nwchem-damping', 'nwchem-level-shift']) {
      const next = handler(name).apply(structuredClone(start), failure, 0);
      if (!next) throw new Error(`${name} offered nothing`);
      const out = ok((await runCalculation(nwchemTemplate, nwchemProfile(), next, water, opts())).outcome);
      expect(Math.abs(out.totalEnergy - -76.40865), name).toBeLessThan(1e-5);
    }
  });

  it('optimises water; one that runs out of steps goes on from its last geometry with more steps', async () => {
    const sto3g = spec({ basis: 'STO-3G', task: 'optimize' });
    const full = ok((await runCalculation(nwchemTemplate, nwchemProfile(), sto3g, water, opts())).outcome);
    expect(full.totalEnergy).toBeCloseTo(-75.3227749, 6);
    expect(full.finalGeometry?.coords[0]?.[2]).toBeCloseTo(0.1806, 3);

    const short = { ...sto3g, settings: { maxSteps: 1 } };
    const failure = failed(
      (await runCalculation(nwchemTemplate, nwchemProfile(), short, water, opts())).outcome,
    );
    expect(failure.kind).toBe('opt-not-converged');
    const last = failure.lastGeometry;
    if (!last) throw new Error('no last geometry');
    const next = handler('nwchem-more-steps').apply(structuredClone(short), failure, 0);
    expect(next?.settings).toEqual({ maxSteps: 2 });
    const resumed = ok(
      (await runCalculation(nwchemTemplate, nwchemProfile(), next as CalcSpec, last, opts())).outcome,
    );
    expect(resumed.totalEnergy).toBeCloseTo(full.totalEnergy, 6);
  });

  it('restarts through runWithHandlers', async () => {
    const result = await runWithHandlers(
      nwchemTemplate,
      nwchemProfile(),
      spec({ settings: { iterations: 2 } }),
      water,
      opts(),
    );
    expect(result.ended).toBe('ok');
    expect(result.handlersFired).toEqual(['nwchem-more-iterations']);
    expect(ok(result.outcome).totalEnergy).toBeCloseTo(-76.40865, 5);
  });

  it.each([
    ['an unknown basis set', spec({ basis: 'nosuchbasis' }), /unknown basis set "nosuchbasis"/],
    [
      'a basis set without the element',
      spec({ basis: 'cc-pVDZ' }),
      /cc-pvdz has no functions for element Rn/i,
    ],
    ['an unknown functional', spec({ method: 'notafunctional' }), /xc_input: invalid format/],
    ['an unknown solvent', spec({ solvent: 'foo' }), /does not know solvent "foo"/],
  ])('reports %s as invalid input', async (_what, s, message) => {
    const geom: Geometry = s.basis === 'cc-pVDZ' ? { ...water, symbols: ['Rn', 'H', 'H'] } : water;
    const { outcome } = await runCalculation(nwchemTemplate, nwchemProfile(), s, geom, opts());
    expect(outcome).toMatchObject({ kind: 'invalid-input', retryable: false });
    expect((outcome as CalcFailure).message).toMatch(message);
  });

  it('kills NWChem when the AbortSignal fires and leaves no process behind', async () => {
    const controller = new AbortController();
    const seen = new Set<string>();
    setTimeout(() => controller.abort(), 3_000);
    const { outcome, provenance } = await runCalculation(
      nwchemTemplate,
      nwchemProfile(),
      spec({ basis: 'cc-pVTZ' }),
      benzene,
      opts({
        signal: controller.signal,
        onProgress: () => {
          for (const p of processesIn(workRoot)) seen.add(p.comm);
        },
      }),
    );
    expect(outcome).toMatchObject({ kind: 'killed' });
    expect(provenance.wallSeconds).toBeLessThan(15);
    expect(seen).toContain('nwchem');
    // an isolated MPI singleton: no orted daemon (it would setsid() out of the process group)
    expect(seen).not.toContain('orted');
    expect(processesIn(workRoot)).toEqual([]);
  });

  it('reports a missing binary', async () => {
    const { outcome } = await runCalculation(
      nwchemTemplate,
      nwchemProfile({ binary: '/nonexistent/bin/nwchem' }),
      spec(),
      water,
      opts(),
    );
    expect(outcome).toMatchObject({ kind: 'missing-binary', retryable: false });
    expect((outcome as CalcFailure).message).toMatch(/\/nonexistent\/bin\/nwchem: executable not found/);
  });
});

describe('nwchemVersion', () => {
  it('reads the version from a tiny run, once', async () => {
    const first = nwchemVersion(binary);
    expect(nwchemVersion(binary)).toBe(first);
    expect(await first).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('throws MissingBinaryError for a missing binary', async () => {
    await expect(nwchemVersion('/nonexistent/bin/nwchem')).rejects.toBeInstanceOf(MissingBinaryError);
  });
});
