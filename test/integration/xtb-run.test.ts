/**
 * The runner against the real xtb (Debian package `xtb`) and obabel (`openbabel`): results, killing
 * whole process trees on timeout and cancellation, CPU accounting, missing binaries.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { smilesTo3D } from '../../activities/qm/geometry.js';
import { launcherBinary } from '../../activities/qm/launcher.js';
import { hashInputs, parseRusage, type RunOptions, runCalculation } from '../../activities/qm/runner.js';
import { xtbTemplate } from '../../qm/codes/xtb/index.js';
import { xtbProfile } from '../../qm/codes/xtb/profile.js';
import { codeVersion, MissingBinaryError, resolveBinary } from '../../qm/profile.js';
import type { CalcFailure, Geometry, QmTemplate } from '../../qm/template.js';
import { fixtureMolecule } from '../helpers/fixtures.js';
import { ok } from '../helpers/outcomes.js';
import { processesIn } from '../helpers/processes.js';
import { gfn2Spec } from '../helpers/xtb-spec.js';

const workRoot = mkdtempSync(join(tmpdir(), 'cascade-xtb-run-'));
afterAll(() => rmSync(workRoot, { recursive: true, force: true }));

const water = fixtureMolecule('xtb', 'water-gfn2');
/** 64 waters (192 atoms): a GFN2 single point takes about a second, an optimisation minutes. */
const waterCluster = fixtureMolecule('xtb', 'water-cluster-sigterm');

const gfn2 = gfn2Spec;
const opts = (over: Partial<RunOptions> = {}): RunOptions => ({ workRoot, timeoutMs: 120_000, ...over });

/** Runs `body` with these environment variables set, then restores them. */
async function withEnv(vars: Record<string, string>, body: () => Promise<void>): Promise<void> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    await body();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('runCalculation with xtb', () => {
  it("water GFN2 matches xtb's own xtbout.json", async () => {
    const { outcome, provenance } = await runCalculation(xtbTemplate, xtbProfile(), gfn2(), water, opts());
    const out = ok(outcome);
    const json = JSON.parse(readFileSync(join(provenance.workDir, 'xtbout.json'), 'utf8'));
    expect(Math.abs(out.totalEnergy - json['total energy'])).toBeLessThan(1e-6);
    expect(out.totalEnergy).toBeCloseTo(-5.0703759, 6);
    expect(out.homoLumoGap).toBeCloseTo(14.6930033, 6);
    expect(out.dipoleMoment).toBeCloseTo(2.2657, 3);
    expect(provenance).toMatchObject({ code: 'xtb', codeVersion: await codeVersion('xtb'), exitCode: 0 });
    expect(provenance.inputHash).toMatch(/^[0-9a-f]{64}$/);
    expect(provenance.workDir).toBe(join(workRoot, provenance.inputHash));
    expect(provenance.wallSeconds).toBeGreaterThan(0);
    expect(provenance.cpuSeconds).toBeGreaterThanOrEqual(0);
    expect(provenance.cpuSeconds).toBeLessThan(5);
    expect(provenance.stdoutTail).toMatch(/HOMO-LUMO GAP/);
  });

  it('re-creates the work directory for the same inputs', async () => {
    const first = await runCalculation(xtbTemplate, xtbProfile(), gfn2(), water, opts());
    writeFileSync(join(first.provenance.workDir, 'leftover'), 'x');
    const second = await runCalculation(xtbTemplate, xtbProfile(), gfn2(), water, opts());
    expect(second.provenance.workDir).toBe(first.provenance.workDir);
    expect(existsSync(join(second.provenance.workDir, 'leftover'))).toBe(false);
    const other = await runCalculation(xtbTemplate, xtbProfile(), gfn2({ method: 'gfn1' }), water, opts());
    expect(other.provenance.inputHash).not.toBe(first.provenance.inputHash);
  });

  it('runs identical inputs one after the other (they share a work directory)', async () => {
    const runs = await Promise.all(
      [1, 2, 3].map(() =>
        runCalculation(xtbTemplate, xtbProfile(), gfn2({ task: 'optimize' }), water, opts()),
      ),
    );
    const energies = runs.map((r) => ok(r.outcome).totalEnergy);
    expect(new Set(energies).size).toBe(1);
    expect(new Set(runs.map((r) => r.provenance.workDir)).size).toBe(1);
  });

  it('kills the whole process group on timeout', async () => {
    const { outcome, provenance } = await runCalculation(
      xtbTemplate,
      xtbProfile(),
      gfn2({ task: 'optimize' }),
      waterCluster,
      opts({ timeoutMs: 50 }),
    );
    expect(outcome).toMatchObject({ kind: 'timeout', retryable: false });
    // xtb ends on SIGTERM by itself ("external termination", exit 1) once its handler is installed;
    // before that, the signal ends it
    if (provenance.exitCode === null) expect(provenance.signal).toMatch(/SIG(TERM|KILL)/);
    else {
      expect(provenance.exitCode).toBe(1);
      expect(provenance.stderrTail).toMatch(/external termination of xtb/);
    }
    expect(provenance.wallSeconds).toBeLessThan(5);
    expect(processesIn(workRoot)).toEqual([]);
  });

  it('kills it when the AbortSignal fires, reporting progress meanwhile', async () => {
    const controller = new AbortController();
    const progress: Array<{ elapsedSeconds: number; line?: string }> = [];
    setTimeout(() => controller.abort(), 2_500);
    const { outcome, provenance } = await runCalculation(
      xtbTemplate,
      xtbProfile(),
      gfn2({ task: 'optimize' }),
      waterCluster,
      opts({ signal: controller.signal, onProgress: (p) => progress.push(p) }),
    );
    expect(outcome).toMatchObject({ kind: 'killed', retryable: false });
    expect(processesIn(workRoot)).toEqual([]);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)?.line).toBeTruthy();
    expect(progress.at(-1)?.elapsedSeconds).toBeGreaterThan(1.5);
    // the /proc sample taken just before the kill: xtb was busy on one core all along
    expect(provenance.cpuSeconds).toBeGreaterThan(0.3);
    expect(provenance.cpuSeconds).toBeLessThan(provenance.wallSeconds * 1.5);
  });

  it('escalates to SIGKILL for a tree that ignores SIGTERM', async () => {
    // a stand-in code: a shell whose children ignore SIGTERM (a fixed script, no user strings)
    const stubborn: QmTemplate = {
      code: 'sh',
      write: () => ({ files: {}, argv: ['-c', 'trap "" TERM; sleep 30 & sleep 30 & wait'] }),
      parse: () => ({ totalEnergy: 0, warnings: [] }),
    };
    const started = performance.now();
    const { outcome } = await runCalculation(
      stubborn,
      { binary: '/bin/sh', threads: 1 },
      gfn2(),
      water,
      opts({ timeoutMs: 300 }),
    );
    expect(outcome).toMatchObject({ kind: 'timeout' });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(processesIn(workRoot)).toEqual([]);
  });

  it('does not start when already cancelled', async () => {
    const { outcome } = await runCalculation(
      xtbTemplate,
      xtbProfile(),
      gfn2(),
      water,
      opts({ signal: AbortSignal.abort() }),
    );
    expect(outcome).toMatchObject({ kind: 'killed' });
  });

  it.each([
    ['the launcher', {}],
    ['GNU time', { CASCADE_LAUNCHER: '' }],
    ['/proc sampling', { CASCADE_LAUNCHER: '', CASCADE_TIME: '' }],
  ])('measures CPU seconds with %s', async (_how, settings: Record<string, string>) => {
    await withEnv(settings, async () => {
      const { outcome, provenance } = await runCalculation(
        xtbTemplate,
        xtbProfile(),
        gfn2(),
        waterCluster,
        opts(),
      );
      ok(outcome);
      // CPU time does not depend on machine load: this single point needs about 0.7 s of one core
      // (sampling may miss up to the last 100 ms)
      expect(provenance.cpuSeconds).toBeGreaterThan(0.3);
      expect(provenance.cpuSeconds).toBeLessThan(3);
      expect(provenance.cpuSeconds).toBeLessThan(provenance.wallSeconds * 1.5 + 0.05);
      expect(provenance.maxRssKb).toBeGreaterThan(10_000);
      expect(readFileSync(join(provenance.workDir, '.cascade-stdout'), 'utf8')).toMatch(/HOMO-LUMO GAP/);
    });
  });

  it('starts codes through the launcher built by make setup, not from this process', async () => {
    expect(launcherBinary(), 'run "make setup" to build .tools/cascade-launcher').toBeDefined();
    // a stand-in code that prints its parent's pid and command name (a fixed script, no user strings)
    const parent: QmTemplate = {
      code: 'sh',
      write: () => ({ files: {}, argv: ['-c', 'echo "$PPID $(cat /proc/$PPID/comm)"; echo to-stderr >&2'] }),
      parse: (out) => ({ totalEnergy: 0, warnings: [out.stdout.trim()] }),
    };
    const { outcome, provenance } = await runCalculation(
      parent,
      { binary: '/bin/sh', threads: 1 },
      gfn2({ method: 'ppid' }),
      water,
      opts(),
    );
    const [ppid, comm] = (ok(outcome).warnings[0] ?? '').split(' ');
    expect(Number(ppid)).not.toBe(process.pid);
    expect(comm).toBe('cascade-launche'); // comm holds 15 characters
    expect(provenance.stderrTail).toBe('to-stderr\n');
    expect(provenance.exitCode).toBe(0);
  });

  it('without the launcher, spawns codes itself', async () => {
    await withEnv({ CASCADE_LAUNCHER: '' }, async () => {
      const { outcome } = await runCalculation(xtbTemplate, xtbProfile(), gfn2(), water, opts());
      expect(ok(outcome).totalEnergy).toBeCloseTo(-5.0703759, 6);
    });
  });

  it('reports a missing binary with the package to install', async () => {
    const { outcome } = await runCalculation(
      xtbTemplate,
      xtbProfile({ binary: '/nonexistent/bin/xtb' }),
      gfn2(),
      water,
      opts(),
    );
    expect(outcome).toMatchObject({ kind: 'missing-binary', retryable: false });
    expect((outcome as CalcFailure).message).toMatch(/apt-get install xtb/);
  });

  it('reports invalid input without running anything', async () => {
    const { outcome, provenance } = await runCalculation(
      xtbTemplate,
      xtbProfile(),
      gfn2({ multiplicity: 2 }),
      water,
      opts(),
    );
    expect(outcome).toMatchObject({ kind: 'invalid-input', retryable: false });
    expect(provenance.workDir).toBe('');
  });

  it('classifies an unconverged SCF from a real run', async () => {
    const { outcome, provenance } = await runCalculation(
      xtbTemplate,
      xtbProfile(),
      gfn2({ settings: { iterations: 1 } }),
      water,
      opts(),
    );
    expect(outcome).toMatchObject({ kind: 'scf-not-converged', retryable: true });
    expect(provenance.exitCode).toBe(1);
  });

  it('embeds ethanol with Open Babel and runs it through xtb', async () => {
    const geom: Geometry = await smilesTo3D('CCO');
    expect(geom.symbols).toHaveLength(9);
    expect(geom.symbols.filter((s) => s === 'H')).toHaveLength(6);
    expect([geom.charge, geom.multiplicity]).toEqual([0, 1]);
    const out = ok(
      (await runCalculation(xtbTemplate, xtbProfile(), gfn2({ task: 'optimize' }), geom, opts())).outcome,
    );
    expect(out.totalEnergy).toBeCloseTo(-11.394, 2);
    expect(out.finalGeometry?.symbols).toEqual(geom.symbols);
  });
});

describe('smilesTo3D', () => {
  it('reads the formal charge', async () => {
    const acetate = await smilesTo3D('CC(=O)[O-]');
    expect([acetate.symbols.length, acetate.charge, acetate.multiplicity]).toEqual([7, -1, 1]);
    const ammonium = await smilesTo3D('[NH4+]');
    expect([ammonium.symbols.length, ammonium.charge]).toEqual([5, 1]);
    const methyl = await smilesTo3D('[CH3]');
    expect([methyl.symbols.length, methyl.charge, methyl.multiplicity]).toEqual([4, 0, 2]);
  });

  it('names the SMILES it cannot embed', async () => {
    await expect(smilesTo3D('C1CC')).rejects.toThrow(/"C1CC".*unmatched ring bonds/);
    await expect(smilesTo3D('-C')).rejects.toThrow(/"-C"/);
    await expect(smilesTo3D('CC O')).rejects.toThrow(/whitespace/);
  });
});

describe('profile', () => {
  it('reads the xtb version once', async () => {
    const first = codeVersion('xtb');
    expect(codeVersion('xtb')).toBe(first);
    expect(await first).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('defaults to one thread and a large OpenMP stack', () => {
    expect(xtbProfile({ threads: 4 })).toMatchObject({ threads: 4, env: { OMP_STACKSIZE: '1G' } });
    expect(xtbProfile().binary).toBe(process.env.CASCADE_XTB || 'xtb');
  });
});

describe('profile errors and runner helpers', () => {
  it('names the Debian package of a missing program', async () => {
    const err = await resolveBinary('/nowhere/obabel').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingBinaryError);
    expect((err as Error).message).toMatch(/apt-get install openbabel.*CASCADE_OBABEL/);
    await expect(codeVersion('no-such-program-here')).rejects.toThrow(/not found on PATH/);
  });

  it('hashes inputs independently of key order', () => {
    const a = hashInputs('xtb', { argv: ['x'], files: { a: '1', b: '2' }, env: { X: '1', Y: '2' } });
    const b = hashInputs('xtb', { argv: ['x'], files: { b: '2', a: '1' }, env: { Y: '2', X: '1' } });
    expect(a).toBe(b);
    expect(hashInputs('xtb', { argv: ['y'], files: { a: '1', b: '2' } })).not.toBe(a);
  });

  it('reads GNU time reports', () => {
    expect(parseRusage('cascade-rusage wall=0.75 user=0.70 sys=0.03 maxrss=53680\n')).toEqual({
      cpuSeconds: 0.73,
      maxRssKb: 53680,
    });
    expect(
      parseRusage(
        'Command terminated by signal 9\ncascade-rusage wall=0.00 user=1.92 sys=1.93 maxrss=1600\n',
      ),
    ).toEqual({ cpuSeconds: 3.85, maxRssKb: 1600, signal: 'SIGKILL' });
    expect(parseRusage('')).toBeUndefined();
  });
});
