/**
 * runWithHandlers' decisions, with a scripted attempt runner (no code is run, except in the one test that
 * goes through the real runner with /bin/sh), and the xtb handlers as pure functions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type AttemptRecord,
  type HandlerOptions,
  type RunAttempt,
  runWithHandlers,
} from '../../activities/qm/handlers.js';
import type { Provenance } from '../../activities/qm/runner.js';
import { xtbHandlers } from '../../qm/codes/xtb/handlers.js';
import { xtbTemplate } from '../../qm/codes/xtb/index.js';
import { parseXyz } from '../../qm/molecule.js';
import {
  type CalcFailure,
  type CalcFailureKind,
  type CalcOutputs,
  type CalcSpec,
  type Geometry,
  isCalcFailure,
  type QmSystem,
  type QmTemplate,
  type RawOutput,
  type RestartHandler,
} from '../../qm/template.js';
import { fixtureFile, readFixture } from '../helpers/fixtures.js';
import { water } from '../helpers/molecules.js';
import { gfn2Spec } from '../helpers/xtb-spec.js';

const workRoot = mkdtempSync(join(tmpdir(), 'cascade-handlers-'));
afterAll(() => rmSync(workRoot, { recursive: true, force: true }));

const fail = (kind: CalcFailureKind, extra: Partial<CalcFailure> = {}): CalcFailure => ({
  kind,
  message: `${kind} (scripted)`,
  retryable: true,
  ...extra,
});
const okOut = (totalEnergy = -5): CalcOutputs => ({ totalEnergy, warnings: [] });

/** A handler that records its calls and returns spec.settings.step + 1 (or undefined once `giveUpAt` is reached). */
function handler(
  name: string,
  handles: CalcFailureKind[],
  priority: number,
  maxRestarts: number,
  giveUpAt = Number.POSITIVE_INFINITY,
): RestartHandler & { calls: number[] } {
  const calls: number[] = [];
  return {
    name,
    handles,
    priority,
    maxRestarts,
    calls,
    apply: (spec, _failure, restart) => {
      calls.push(restart);
      if (restart >= giveUpAt) return undefined;
      return { ...spec, settings: { ...spec.settings, by: name, step: Number(spec.settings.step ?? 0) + 1 } };
    },
  };
}

const fakeTemplate = (handlers: RestartHandler[] = []): QmTemplate => ({
  code: 'fake',
  write: () => ({ files: {}, argv: [] }),
  parse: () => okOut(),
  handlers,
});

interface Call {
  spec: CalcSpec;
  system: QmSystem;
  codeVersion?: string;
}

/** A runner that answers the scripted outcomes in turn (the last one repeats) and records what it was given. */
function scripted(outcomes: Array<CalcOutputs | CalcFailure | (() => CalcOutputs | CalcFailure)>) {
  const calls: Call[] = [];
  const run: RunAttempt = async (_template, _profile, spec, system, o) => {
    calls.push({ spec: structuredClone(spec), system: structuredClone(system), codeVersion: o.codeVersion });
    const next = outcomes[Math.min(calls.length - 1, outcomes.length - 1)] ?? okOut();
    const provenance: Provenance = {
      code: 'fake',
      codeVersion: '1',
      host: 'test',
      inputHash: `hash-${calls.length}`,
      workDir: join(workRoot, `attempt-${calls.length}`),
      wallSeconds: 2,
      cpuSeconds: 1.5,
      exitCode: 0,
      stdoutTail: `attempt ${calls.length}`,
      stderrTail: '',
    };
    return { outcome: typeof next === 'function' ? next() : next, provenance };
  };
  return { run, calls };
}

const profile = { binary: '/bin/true', threads: 1 };
const spec = (over: Partial<CalcSpec> = {}) => gfn2Spec({ code: 'fake', ...over });
const opts = (run: RunAttempt, over: Partial<HandlerOptions> = {}): HandlerOptions => ({
  workRoot,
  timeoutMs: 10_000,
  runAttempt: run,
  ...over,
});

describe('runWithHandlers', () => {
  it('returns the first success with one attempt and no handlers fired', async () => {
    const { run, calls } = scripted([okOut(-7)]);
    const r = await runWithHandlers(fakeTemplate(), profile, spec(), water, opts(run));
    expect(r.outcome).toEqual(okOut(-7));
    expect(r.ended).toBe('ok');
    expect(r.handlersFired).toEqual([]);
    expect(r.attempts).toEqual([
      {
        attempt: 1,
        spec: spec(),
        fromLastGeometry: false,
        result: 'ok',
        wallSeconds: 2,
        cpuSeconds: 1.5,
        inputHash: 'hash-1',
        workDir: join(workRoot, 'attempt-1'),
      },
    ]);
    expect(r.spec).toEqual(spec());
    expect(calls).toHaveLength(1);
  });

  it("gives every attempt the caller's code version (a code without --version is not probed again)", async () => {
    const { run, calls } = scripted([fail('scf-not-converged'), okOut(-3)]);
    const restart = handler('restart', ['scf-not-converged'], 1, 1);
    await runWithHandlers(
      fakeTemplate([restart]),
      profile,
      spec(),
      water,
      opts(run, { codeVersion: '7.0.2' }),
    );
    expect(calls.map((c) => c.codeVersion)).toEqual(['7.0.2', '7.0.2']);
  });

  it('tries handlers highest priority first, then the next once one is spent', async () => {
    const low = handler('low', ['scf-not-converged'], 1, 1);
    const high = handler('high', ['scf-not-converged'], 5, 1);
    const other = handler('other-kind', ['opt-not-converged'], 99, 5);
    const { run, calls } = scripted([fail('scf-not-converged'), fail('scf-not-converged'), okOut(-3)]);
    const r = await runWithHandlers(fakeTemplate([low, other, high]), profile, spec(), water, opts(run));
    expect(r.ended).toBe('ok');
    expect(r.handlersFired).toEqual(['high', 'low']);
    expect(r.attempts.map((a) => a.handler)).toEqual([undefined, 'high', 'low']);
    expect(r.attempts.map((a) => a.result)).toEqual([
      { kind: 'scf-not-converged', message: 'scf-not-converged (scripted)' },
      { kind: 'scf-not-converged', message: 'scf-not-converged (scripted)' },
      'ok',
    ]);
    expect(calls.map((c) => c.spec.settings)).toEqual([{}, { by: 'high', step: 1 }, { by: 'low', step: 2 }]);
    // the spec that produced the outcome, and totals over the three attempts
    expect(r.spec.settings).toEqual({ by: 'low', step: 2 });
    expect(r.outcome).toEqual(okOut(-3));
    expect(r.wallSeconds).toBe(6);
    expect(r.cpuSeconds).toBe(4.5);
    expect(r.provenance.stdoutTail).toBe('attempt 3');
    expect(other.calls).toEqual([]);
  });

  it('keeps list order between equal priorities', async () => {
    const first = handler('first', ['unknown'], 1, 1);
    const second = handler('second', ['unknown'], 1, 1);
    const { run } = scripted([fail('unknown'), fail('unknown'), okOut()]);
    const r = await runWithHandlers(fakeTemplate([first, second]), profile, spec(), water, opts(run));
    expect(r.handlersFired).toEqual(['first', 'second']);
  });

  it('passes over a handler whose apply() declines, without spending its restarts', async () => {
    const declines = handler('declines', ['scf-not-converged'], 9, 3, 0);
    const takes = handler('takes', ['scf-not-converged'], 1, 1);
    const { run } = scripted([fail('scf-not-converged'), okOut()]);
    const r = await runWithHandlers(fakeTemplate([declines, takes]), profile, spec(), water, opts(run));
    expect(r.handlersFired).toEqual(['takes']);
    expect(declines.calls).toEqual([0]);
  });

  it('bounds each handler by its maxRestarts, counting its restarts from 0, then returns the failure as is', async () => {
    const h = handler('twice', ['scf-not-converged'], 1, 2);
    const last = fail('scf-not-converged', { message: 'still not converged' });
    const { run, calls } = scripted([fail('scf-not-converged'), fail('scf-not-converged'), last]);
    const r = await runWithHandlers(fakeTemplate([h]), profile, spec(), water, opts(run));
    expect(calls).toHaveLength(3);
    expect(h.calls).toEqual([0, 1]);
    expect(r.handlersFired).toEqual(['twice', 'twice']);
    expect(r.ended).toBe('unhandled');
    expect(r.outcome).toBe(last);
    expect(r.spec.settings).toEqual({ by: 'twice', step: 2 });
  });

  it('stops at maxAttempts (default 5) whatever the handlers still offer', async () => {
    const many = handler('many', ['unknown'], 1, 100);
    const { run, calls } = scripted([fail('unknown')]);
    const r = await runWithHandlers(fakeTemplate([many]), profile, spec(), water, opts(run));
    expect(calls).toHaveLength(5);
    expect(r.ended).toBe('max-attempts');
    expect(r.handlersFired).toHaveLength(4);

    const three = scripted([fail('unknown')]);
    const r3 = await runWithHandlers(fakeTemplate([many]), profile, spec(), water, {
      ...opts(three.run),
      maxAttempts: 3,
    });
    expect(three.calls).toHaveLength(3);
    expect(r3.attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    await expect(
      runWithHandlers(fakeTemplate(), profile, spec(), water, { ...opts(three.run), maxAttempts: 0 }),
    ).rejects.toThrow(/maxAttempts/);
  });

  it.each(['invalid-input', 'missing-binary'] as const)('never restarts %s', async (kind) => {
    const greedy = handler('greedy', [kind], 100, 5);
    const { run, calls } = scripted([fail(kind)]);
    const r = await runWithHandlers(fakeTemplate([greedy]), profile, spec(), water, opts(run));
    expect(calls).toHaveLength(1);
    expect(greedy.calls).toEqual([]);
    expect(r.ended).toBe('non-retryable');
    expect(r.outcome).toMatchObject({ kind });
  });

  it('runs a killed calculation once more, as it was', async () => {
    const { run, calls } = scripted([fail('killed'), okOut(-2)]);
    const r = await runWithHandlers(fakeTemplate(), profile, spec(), water, opts(run));
    expect(r.ended).toBe('ok');
    expect(r.handlersFired).toEqual(['retry-after-signal']);
    expect(calls[1]).toEqual(calls[0]);

    const twice = scripted([fail('killed')]);
    const r2 = await runWithHandlers(fakeTemplate(), profile, spec(), water, opts(twice.run));
    expect(twice.calls).toHaveLength(2);
    expect(r2.ended).toBe('unhandled');
    expect(r2.outcome).toMatchObject({ kind: 'killed' });
  });

  it('stops at once when the caller cancels, whatever the failure', async () => {
    const controller = new AbortController();
    const cancelled = () => {
      controller.abort();
      return fail('killed', { retryable: false });
    };
    const { run, calls } = scripted([cancelled, okOut()]);
    const r = await runWithHandlers(fakeTemplate(), profile, spec(), water, {
      ...opts(run),
      signal: controller.signal,
    });
    expect(calls).toHaveLength(1);
    expect(r.ended).toBe('cancelled');
    expect(r.handlersFired).toEqual([]);

    // cancelled while an attempt failed for another reason: no handler is asked
    const c2 = new AbortController();
    const h = handler('h', ['scf-not-converged'], 1, 5);
    const s2 = scripted([
      () => {
        c2.abort();
        return fail('scf-not-converged');
      },
    ]);
    const r2 = await runWithHandlers(fakeTemplate([h]), profile, spec(), water, {
      ...opts(s2.run),
      signal: c2.signal,
    });
    expect(s2.calls).toHaveLength(1);
    expect(h.calls).toEqual([]);
    expect(r2.ended).toBe('cancelled');
  });

  it('does not restart a timeout unless asked to, and then once', async () => {
    const timeoutHandler = handler('t', ['timeout'], 1, 5);
    const { run, calls } = scripted([fail('timeout', { retryable: false })]);
    const r = await runWithHandlers(fakeTemplate([timeoutHandler]), profile, spec(), water, opts(run));
    expect(calls).toHaveLength(1);
    expect(r.ended).toBe('timeout');
    expect(timeoutHandler.calls).toEqual([]);

    const again = scripted([fail('timeout'), fail('timeout'), okOut()]);
    const r2 = await runWithHandlers(fakeTemplate(), profile, spec(), water, {
      ...opts(again.run),
      restartOnTimeout: true,
    });
    expect(r2.handlersFired).toEqual(['retry-after-timeout']);
    expect(r2.ended).toBe('unhandled');
    expect(again.calls).toHaveLength(2);
  });

  it("restarts a failed optimisation from the failure's last geometry", async () => {
    const last: Geometry = {
      symbols: ['O', 'H', 'H'],
      coords: [
        [0, 0, 0.1],
        [0, 0.76, -0.46],
        [0, -0.76, -0.46],
      ],
      charge: 0,
      multiplicity: 1,
    };
    const charged = { ...water, charge: 1, multiplicity: 2 };
    const cycles = handler('cycles', ['opt-not-converged'], 1, 2);
    const { run, calls } = scripted([fail('opt-not-converged', { lastGeometry: last }), okOut()]);
    const r = await runWithHandlers(
      fakeTemplate([cycles]),
      profile,
      spec({ task: 'optimize' }),
      charged,
      opts(run),
    );
    expect(calls[0]?.system).toEqual(charged);
    // the last geometry's coordinates; the molecule's own charge and multiplicity
    expect(calls[1]?.system).toEqual({ ...charged, coords: last.coords });
    expect(r.system).toEqual({ ...charged, coords: last.coords });
    expect(r.attempts.map((a) => a.fromLastGeometry)).toEqual([false, true]);

    // not for a single point, nor for a geometry of other atoms
    const cases: Array<[CalcSpec['task'], Geometry]> = [
      ['energy', last],
      ['optimize', { ...last, symbols: ['O', 'H', 'F'] }],
    ];
    for (const [task, geom] of cases) {
      const s = scripted([fail('opt-not-converged', { lastGeometry: geom }), okOut()]);
      const r2 = await runWithHandlers(fakeTemplate([cycles]), profile, spec({ task }), water, opts(s.run));
      expect(s.calls[1]?.system).toEqual(water);
      expect(r2.attempts[1]?.fromLastGeometry).toBe(false);
    }
  });

  it('reports each attempt as it ends, and survives a throwing sink', async () => {
    const seen: AttemptRecord[] = [];
    const h = handler('h', ['scf-not-converged'], 1, 1);
    const { run } = scripted([fail('scf-not-converged'), okOut()]);
    const r = await runWithHandlers(fakeTemplate([h]), profile, spec(), water, {
      ...opts(run),
      onAttempt: (a) => {
        seen.push(a);
        throw new Error('sink down');
      },
    });
    expect(r.ended).toBe('ok');
    expect(seen).toEqual(r.attempts);
  });

  it('does not let a handler change the recorded spec of the attempt it handles', async () => {
    const mutating: RestartHandler = {
      name: 'mutating',
      handles: ['unknown'],
      priority: 1,
      maxRestarts: 1,
      apply: (s) => {
        s.settings.mutated = true;
        return s;
      },
    };
    const { run } = scripted([fail('unknown'), okOut()]);
    const r = await runWithHandlers(fakeTemplate([mutating]), profile, spec(), water, opts(run));
    expect(r.attempts[0]?.spec.settings).toEqual({});
    expect(r.attempts[1]?.spec.settings).toEqual({ mutated: true });
  });

  it('uses the real runner by default', async () => {
    let parses = 0;
    const sh: QmTemplate = {
      code: 'sh',
      write: () => ({ files: { 'in.txt': 'x' }, argv: ['-c', 'cat in.txt'] }),
      parse: (out: RawOutput) => {
        parses += 1;
        return parses === 1 ? fail('unknown') : okOut(out.stdout.trim() === 'x' ? -1 : 0);
      },
      handlers: [handler('again', ['unknown'], 1, 1)],
    };
    const r = await runWithHandlers(sh, { binary: '/bin/sh', threads: 1 }, spec({ code: 'sh' }), water, {
      workRoot,
      timeoutMs: 10_000,
    });
    expect(r.ended).toBe('ok');
    expect(r.outcome).toEqual(okOut(-1));
    expect(r.handlersFired).toEqual(['again']);
    expect(r.attempts.map((a) => a.inputHash)).toHaveLength(2);
    expect(r.provenance.exitCode).toBe(0);
  });
});

describe('xtbHandlers', () => {
  const byName = (name: string) => {
    const h = xtbHandlers.find((x) => x.name === name);
    if (!h) throw new Error(`no handler ${name}`);
    return h;
  };
  const scf = fail('scf-not-converged');

  it('are ordered: more iterations before a higher electronic temperature', () => {
    expect(xtbHandlers.map((h) => [h.name, h.handles, h.priority, h.maxRestarts])).toEqual([
      ['xtb-more-iterations', ['scf-not-converged'], 30, 1],
      ['xtb-electronic-temperature', ['scf-not-converged'], 20, 2],
      ['xtb-more-cycles', ['opt-not-converged'], 10, 2],
    ]);
    expect(xtbTemplate.handlers).toBe(xtbHandlers);
  });

  it('xtb-more-iterations quadruples the SCC limit (xtb default 250), keeping the rest', () => {
    const h = byName('xtb-more-iterations');
    expect(h.apply(gfn2Spec(), scf, 0)?.settings).toEqual({ iterations: 1000 });
    const s = gfn2Spec({ solvent: 'water', settings: { iterations: 3, accuracy: 0.1 } });
    expect(h.apply(s, scf, 0)).toEqual({ ...s, settings: { iterations: 12, accuracy: 0.1 } });
  });

  it('xtb-electronic-temperature climbs 300 -> 1000 -> 3000 K and then gives up', () => {
    const h = byName('xtb-electronic-temperature');
    const first = h.apply(gfn2Spec({ settings: { iterations: 12 } }), scf, 0);
    expect(first?.settings).toEqual({ iterations: 12, electronicTemperature: 1000 });
    const second = first && h.apply(first, scf, 1);
    expect(second?.settings).toEqual({ iterations: 12, electronicTemperature: 3000 });
    expect(second && h.apply(second, scf, 2)).toBeUndefined();
    expect(h.apply(gfn2Spec({ settings: { electronicTemperature: 2000 } }), scf, 0)?.settings).toEqual({
      electronicTemperature: 3000,
    });
  });

  it('xtb-more-cycles triples the cycles, from the setting or from the failure message', () => {
    const h = byName('xtb-more-cycles');
    const opt = fail('opt-not-converged', {
      message: 'xtb geometry optimisation did not converge in 200 cycles',
    });
    expect(h.apply(gfn2Spec({ task: 'optimize', settings: { cycles: 2 } }), opt, 0)?.settings).toEqual({
      cycles: 6,
    });
    expect(h.apply(gfn2Spec({ task: 'optimize' }), opt, 0)?.settings).toEqual({ cycles: 600 });
    // limit unknown: the same settings, which still go on from the last geometry
    expect(h.apply(gfn2Spec({ task: 'optimize' }), fail('opt-not-converged'), 0)?.settings).toEqual({});
  });

  it("xtb's unconverged optimisation carries its last geometry (6.5.1 leaves it in xtbopt.xyz)", () => {
    const out = xtbTemplate.parse(readFixture('xtb', 'ethanol-opt-not-converged', { exitCode: 0 }));
    const read = (f: string) => fixtureFile('xtb', 'ethanol-opt-not-converged', f);
    if (!isCalcFailure(out)) throw new Error('expected a failure');
    expect(out.kind).toBe('opt-not-converged');
    expect(out.lastGeometry).toEqual(parseXyz(read('xtbopt.xyz') ?? '', { charge: 0, multiplicity: 1 }));
    expect(out.lastGeometry?.coords).not.toEqual(parseXyz(read('input.xyz') ?? '').coords);

    // other failures carry none
    const scfOut = xtbTemplate.parse(
      readFixture('xtb', 'water-scf-not-converged', { exitCode: 1, files: () => undefined }),
    );
    expect(scfOut).toMatchObject({ kind: 'scf-not-converged' });
    expect((scfOut as CalcFailure).lastGeometry).toBeUndefined();
  });
});
