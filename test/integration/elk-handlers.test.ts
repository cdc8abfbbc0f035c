/**
 * Elk's restart handlers against the real Elk (Debian package `elk-lapw`, 8.4.30): each failure provoked with
 * the real code, each handler judged by what it changed and by what Elk then read. elk-more-scf-loops has its
 * own test in elk-run.test.ts; here are elk-gentler-mixing, elk-more-smearing and the whole ladder.
 *
 * Small cases throughout (MgO and fcc Al at rgkmax 4-5, 2x2x2 or 4x4x4 k-points): a loop takes about
 * 0.04 s, a converged run 1-2 s on one thread.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type HandledResult, type RunAttempt, runWithHandlers } from '../../activities/qm/handlers.js';
import { type RunResult, runCalculation } from '../../activities/qm/runner.js';
import {
  ELK_MIN_BROYDEN_ALPHA,
  ELK_SMEARING_LADDER,
  elkGentlerMixing,
  elkHandlers,
  elkMoreScfLoops,
  elkMoreSmearing,
} from '../../qm/codes/elk/handlers.js';
import { elkTemplate } from '../../qm/codes/elk/index.js';
import { elkProfile } from '../../qm/codes/elk/profile.js';
import { ELK_BUILTIN, type ElkSettings } from '../../qm/codes/elk/settings.js';
import { rockSalt } from '../../qm/structure.js';
import {
  type CalcFailure,
  type CalcOutputs,
  type CalcSpec,
  type Crystal,
  isCalcFailure,
} from '../../qm/template.js';
import { aluminium } from '../helpers/crystals.js';
import { elkSpec } from '../helpers/elk-spec.js';

const workRoot = mkdtempSync(join(tmpdir(), 'cascade-elk-handlers-'));
afterAll(() => rmSync(workRoot, { recursive: true, force: true }));

const mgo = rockSalt('Mg', 'O', 7.96);
const al = aluminium;
/** MgO converges in 15 loops here with Elk's defaults (Broyden, alpha 0.4), in about 1 s. */
const MGO_SMALL: ElkSettings = { rgkmax: 5, kpoints: [2, 2, 2] };
/** fcc Al converges in 13 loops here, in under 1 s. */
const AL_SMALL: ElkSettings = { rgkmax: 4, kpoints: [4, 4, 4] };

/** Each test its own work root: a rerun of the same inputs empties the same work directory. */
function rootFor(name: string): string {
  const dir = join(workRoot, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function run(spec: CalcSpec, crystal: Crystal, root: string): Promise<RunResult> {
  return runCalculation(elkTemplate, elkProfile(), spec, crystal, { workRoot: root, timeoutMs: 60_000 });
}

function ok(out: CalcOutputs | CalcFailure): CalcOutputs {
  if (isCalcFailure(out)) throw new Error(`expected outputs, got ${out.kind}: ${out.message}`);
  return out;
}

/** The outcome as the retryable SCF failure after `loops` loops that Elk really produced. */
function scfFailure(out: CalcOutputs | CalcFailure, loops: number): CalcFailure {
  expect(out).toMatchObject({ kind: 'scf-not-converged', retryable: true });
  const failure = out as CalcFailure;
  expect(failure.message).toContain(`did not converge in ${loops} loops`);
  return failure;
}

const read = (workDir: string, name: string) => readFileSync(join(workDir, name), 'utf8');

/** The settings with some replaced (the handlers' way, for the changes the test makes by hand). */
function withSettings(spec: CalcSpec, changes: Record<string, unknown>): CalcSpec {
  return { ...spec, settings: { ...spec.settings, ...changes } };
}

/** The energy change from loop 1 to loop 2 (TOTENERGY.OUT, hartree): the first mixing step's size. */
function firstStep(workDir: string): number {
  const [e1, e2] = read(workDir, 'TOTENERGY.OUT')
    .trim()
    .split('\n')
    .map((l) => Number(l.trim()));
  if (e1 === undefined || e2 === undefined) throw new Error(`fewer than two loops in ${workDir}`);
  return e2 - e1;
}

/** The smearing width Elk says it used (INFO.OUT, "Smearing width : 0.3000000000E-02"). */
function infoSmearingWidth(workDir: string): number {
  const m = /Smearing width\s*:\s*(\S+)/.exec(read(workDir, 'INFO.OUT'));
  if (!m?.[1]) throw new Error(`no smearing width in ${workDir}/INFO.OUT`);
  return Number(m[1]);
}

describe('Elk restart handlers, real Elk', () => {
  it('elk-gentler-mixing halves the Broyden alpha after a real unconverged run; Elk mixes with it', async () => {
    const root = rootFor('broyden');
    const spec = elkSpec('pbe', { ...MGO_SMALL, maxscl: 2 });
    const first = await run(spec, mgo, root);
    const failure = scfFailure(first.outcome, 2);
    const firstStepBefore = firstStep(first.provenance.workDir);

    const next = elkGentlerMixing.apply(structuredClone(spec), failure, 0);
    expect(next?.settings).toEqual({ ...spec.settings, broydenAlpha: ELK_BUILTIN.broydenAlpha / 2 });
    if (!next) return;

    // The handler changes the mixing only: at maxscl 2 Elk would stop after two loops again. In the ladder,
    // elk-more-scf-loops has raised the limit to Elk's default 200 before this handler runs; so here.
    const second = await run(withSettings(next, { maxscl: ELK_BUILTIN.maxscl }), mgo, root);
    const dir = second.provenance.workDir;
    expect(read(dir, 'elk.in')).toMatch(/^broydpm\n\s+0\.2\s+0\.15$/m);
    expect(read(dir, 'INFO.OUT')).toMatch(/Mixing type :\s+3\b/);
    // Elk's first Broyden step is a linear one with weight alpha: half the alpha, half the first energy step
    // (measured: -0.0594 Ha at 0.4, -0.0297 Ha at 0.2)
    expect(Math.abs(firstStep(dir) / firstStepBefore - 0.5)).toBeLessThan(0.01);
    const out = ok(second.outcome);
    expect(out.scfIterations).toBeGreaterThan(2);
    expect(out.bandGap).toBeGreaterThan(3);
    expect(out.totalEnergy).toBeCloseTo(-275.6262, 3);
  });

  it('elk-gentler-mixing halves beta0 under adaptive mixing; Elk mixes with it', async () => {
    const root = rootFor('adaptive');
    const spec = elkSpec('pbe', { ...MGO_SMALL, mixing: 'adaptive', maxscl: 2 });
    const first = await run(spec, mgo, root);
    const failure = scfFailure(first.outcome, 2);
    const firstStepBefore = firstStep(first.provenance.workDir);

    const next = elkGentlerMixing.apply(structuredClone(spec), failure, 0);
    expect(next?.settings).toEqual({ ...spec.settings, beta0: ELK_BUILTIN.beta0 / 2 });
    if (!next) return;

    // as above: the loop budget is elk-more-scf-loops' business; adaptive mixing needs about 30 loops here
    const second = await run(withSettings(next, { maxscl: ELK_BUILTIN.maxscl }), mgo, root);
    const dir = second.provenance.workDir;
    const elkIn = read(dir, 'elk.in');
    expect(elkIn).toMatch(/^mixtype\n\s+1$/m);
    expect(elkIn).toMatch(/^beta0\n\s+0\.025$/m);
    expect(read(dir, 'INFO.OUT')).toMatch(/Mixing type :\s+1\b/);
    // the first adaptive step mixes with beta0 (measured: -0.671 Ha at 0.05, -0.337 Ha at 0.025)
    expect(Math.abs(firstStep(dir) / firstStepBefore - 0.5)).toBeLessThan(0.01);
    const out = ok(second.outcome);
    expect(out.scfIterations).toBeGreaterThan(2);
    expect(out.totalEnergy).toBeCloseTo(-275.6262, 3);
  });

  it('elk-more-smearing widens the smearing step by step after real unconverged runs of fcc Al', async () => {
    const root = rootFor('smearing');
    const spec = elkSpec('pbe', { ...AL_SMALL, maxscl: 2 });
    const first = await run(spec, al, root);
    const failure = scfFailure(first.outcome, 2);
    // no swidth written: Elk's own default is the width the handler starts from
    expect(read(first.provenance.workDir, 'elk.in')).not.toMatch(/^swidth/m);
    expect(infoSmearingWidth(first.provenance.workDir)).toBe(ELK_BUILTIN.smearingWidth);

    const next = elkMoreSmearing.apply(structuredClone(spec), failure, 0);
    expect(next?.settings).toEqual({ ...spec.settings, smearingWidth: ELK_SMEARING_LADDER[0] });
    expect(next?.settings.smearingWidth).toBe(0.003);
    if (!next) return;

    // still stopped at maxscl 2: a real failure at 0.003 for the handler's second step
    const stillFailing = await run(next, al, root);
    expect(read(stillFailing.provenance.workDir, 'elk.in')).toMatch(/^swidth\n\s+0\.003$/m);
    expect(infoSmearingWidth(stillFailing.provenance.workDir)).toBe(0.003);
    const wider = elkMoreSmearing.apply(structuredClone(next), scfFailure(stillFailing.outcome, 2), 1);
    expect(wider?.settings).toEqual({ ...spec.settings, smearingWidth: 0.01 });
    if (!wider) return;

    // the handler leaves maxscl alone; as in the ladder, elk-more-scf-loops has given Elk's default 200
    const converged = await run(withSettings(wider, { maxscl: ELK_BUILTIN.maxscl }), al, root);
    const dir = converged.provenance.workDir;
    expect(read(dir, 'elk.in')).toMatch(/^swidth\n\s+0\.01$/m);
    expect(infoSmearingWidth(dir)).toBe(0.01);
    const out = ok(converged.outcome);
    expect(out.bandGap).toBe(0);
    expect(out.totalEnergy).toBeCloseTo(-242.8, 1);
  });

  it('the whole ladder: more loops, then gentler mixing, then more smearing, then it gives up', async () => {
    expect(elkTemplate.handlers).toEqual(elkHandlers);
    // Running the ladder at full size means 100 + 200 + 400 loops before elk-gentler-mixing is even
    // reached, and five more runs of 400 loops after it: minutes. Each attempt therefore runs the spec the
    // loop holds with its loop limit divided by 100 (1, 2, 4 loops). The handlers see, and the records
    // keep, the loop's spec; every failure they act on is a real one, from Elk.
    const scaledLoops = (spec: CalcSpec) => Math.ceil(Number(spec.settings.maxscl) / 100);
    const scaled: RunAttempt = (template, profile, spec, system, o) =>
      runCalculation(template, profile, withSettings(spec, { maxscl: scaledLoops(spec) }), system, o);
    const start = elkSpec('pbe', { ...MGO_SMALL, maxscl: 100 });
    const opts = { workRoot: rootFor('ladder'), timeoutMs: 60_000, runAttempt: scaled };

    const r: HandledResult<Crystal> = await runWithHandlers(elkTemplate, elkProfile(), start, mgo, {
      ...opts,
      maxAttempts: 10,
    });
    expect(r.handlersFired).toEqual([
      'elk-more-scf-loops',
      'elk-more-scf-loops',
      'elk-gentler-mixing',
      'elk-gentler-mixing',
      'elk-gentler-mixing',
      'elk-more-smearing',
      'elk-more-smearing',
    ]);
    // bounded: no handler beyond its maxRestarts, and the loop ends when none has anything left to offer
    for (const handler of elkHandlers) {
      expect(r.handlersFired.filter((n) => n === handler.name).length).toBeLessThanOrEqual(
        handler.maxRestarts,
      );
    }
    expect(r.ended).toBe('unhandled');
    expect(r.attempts).toHaveLength(8);
    expect(r.outcome).toMatchObject({ kind: 'scf-not-converged' });

    const base = start.settings;
    const atMost = { ...base, maxscl: 400 };
    expect(r.attempts.map((a) => a.spec.settings)).toEqual([
      base,
      { ...base, maxscl: 200 },
      atMost,
      { ...atMost, broydenAlpha: 0.2 },
      { ...atMost, broydenAlpha: 0.1 },
      { ...atMost, broydenAlpha: ELK_MIN_BROYDEN_ALPHA },
      { ...atMost, broydenAlpha: ELK_MIN_BROYDEN_ALPHA, smearingWidth: 0.003 },
      { ...atMost, broydenAlpha: ELK_MIN_BROYDEN_ALPHA, smearingWidth: 0.01 },
    ]);
    expect(r.attempts.map((a) => a.handler)).toEqual([undefined, ...r.handlersFired]);
    // every attempt was a real Elk run of the scaled length, with the handler's settings in its elk.in
    expect(r.attempts.map((a) => a.result)).toEqual(
      r.attempts.map((a) => ({
        kind: 'scf-not-converged',
        message: expect.stringContaining(`did not converge in ${scaledLoops(a.spec)} loops`),
      })),
    );
    expect(new Set(r.attempts.map((a) => a.inputHash)).size).toBe(8);
    const last = read(r.provenance.workDir, 'elk.in');
    expect(last).toMatch(/^maxscl\n\s+4$/m);
    expect(last).toMatch(/^broydpm\n\s+0\.05\s+0\.15$/m);
    expect(last).toMatch(/^swidth\n\s+0\.01$/m);
    expect(infoSmearingWidth(r.provenance.workDir)).toBe(0.01);

    // what stopped each handler: elk-more-scf-loops would still offer 800 loops, its maxRestarts (2) ended
    // it; the other two have reached the ends of their ranges (alpha 0.05, width 0.01)
    expect(elkMoreScfLoops.apply(structuredClone(r.spec), r.outcome as CalcFailure, 0)).toEqual(
      withSettings(r.spec, { maxscl: 800 }),
    );
    expect(elkGentlerMixing.apply(structuredClone(r.spec), r.outcome as CalcFailure, 0)).toBeUndefined();
    expect(elkMoreSmearing.apply(structuredClone(r.spec), r.outcome as CalcFailure, 0)).toBeUndefined();

    // and a cap on attempts stops the ladder early
    const capped = await runWithHandlers(elkTemplate, elkProfile(), start, mgo, { ...opts, maxAttempts: 3 });
    expect(capped.handlersFired).toEqual(['elk-more-scf-loops', 'elk-more-scf-loops']);
    expect(capped.attempts).toHaveLength(3);
    expect(capped.ended).toBe('max-attempts');
  });
});
