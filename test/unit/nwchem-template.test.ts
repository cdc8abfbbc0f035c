import { describe, expect, it } from 'vitest';
import { tierSpec } from '../../activities/campaign/run-tier.js';
import { DEBYE_PER_AU, EV_PER_HARTREE } from '../../lib/domain/units.js';
import { NWCHEM_HANDLER_LIMITS, nwchemHandlers } from '../../qm/codes/nwchem/handlers.js';
import { nwchemTemplate } from '../../qm/codes/nwchem/index.js';
import { xcLines } from '../../qm/codes/nwchem/input.js';
import { errquit, frontierOrbitals } from '../../qm/codes/nwchem/parse.js';
import { nwchemProfile, versionFromBanner } from '../../qm/codes/nwchem/profile.js';
import {
  type CalcFailure,
  type CalcSpec,
  type Geometry,
  InvalidInputError,
  type RestartHandler,
} from '../../qm/template.js';
import { CASES } from '../fixtures/nwchem/decks.js';
import { fixtureText, readFixture } from '../helpers/fixtures.js';
import { hydroxyl, water } from '../helpers/molecules.js';
import { b3lypSpec } from '../helpers/nwchem-spec.js';
import { failed, ok } from '../helpers/outcomes.js';

/** A fixture as the runner would present it; the exit code is the one recorded, null for a signal. */
const fixture = (name: string) => readFixture('nwchem', name);

const oh = hydroxyl(0, 0, 2);

const spec = b3lypSpec;
const deck = (s: CalcSpec, g: Geometry = water) => nwchemTemplate.write(s, g).files['input.nw'] ?? '';
/** The dft block's lines, trimmed. */
const dftBlock = (text: string) => {
  const lines = text.split('\n');
  const start = lines.indexOf('dft');
  return lines.slice(start + 1, lines.indexOf('end', start)).map((l) => l.trim());
};

describe('nwchemTemplate.write', () => {
  it('writes the whole deck for a B3LYP/6-31G* single point', () => {
    const inputs = nwchemTemplate.write(spec(), water);
    expect(inputs.argv).toEqual(['input.nw']);
    expect(Object.keys(inputs.files)).toEqual(['input.nw']);
    expect(inputs.files['input.nw']).toBe(
      [
        '# cascade: b3lyp/6-31G* energy',
        'start cascade',
        'permanent_dir ./',
        'scratch_dir ./',
        'geometry units angstrom noautosym nocenter noautoz',
        '  O       0.0000000000      0.0000000000      0.1170000000',
        '  H       0.0000000000      0.7570000000     -0.4670000000',
        '  H       0.0000000000     -0.7570000000     -0.4670000000',
        'end',
        'charge 0',
        'basis "ao basis" cartesian',
        '  * library "6-31G*"',
        'end',
        'dft',
        '  xc b3lyp',
        '  mult 1',
        'end',
        'task dft energy',
        '',
      ].join('\n'),
    );
  });

  it('writes the same decks as the fixtures were run with', () => {
    for (const [name, [s, g]] of Object.entries(CASES)) {
      expect(deck(s, g), name).toBe(fixtureText('nwchem', name, 'input.nw'));
    }
  });

  it('optimises with autoz and a step limit', () => {
    const text = deck(spec({ task: 'optimize' }));
    expect(text).toContain('geometry units angstrom noautosym nocenter\n');
    expect(text).toContain('driver\n  maxiter 20\nend\ntask dft optimize\n');
    const tuned = deck(spec({ task: 'optimize', settings: { maxSteps: 50, optConvergence: 'tight' } }));
    expect(tuned).toContain('driver\n  maxiter 50\n  tight\nend\n');
  });

  it('passes charge and multiplicity; open shells run unrestricted by default', () => {
    expect(dftBlock(deck(spec({ multiplicity: 2 }), oh))).toEqual(['xc b3lyp', 'mult 2']);
    const anion = deck(spec({ charge: -1 }), { ...oh, charge: -1, multiplicity: 1 });
    expect(anion).toContain('\ncharge -1\n');
    expect(dftBlock(anion)).toContain('mult 1');
    expect(dftBlock(deck(spec({ multiplicity: 3 }), { ...oh, symbols: ['O', 'O'] }))).toContain('mult 3');
  });

  it('chooses Cartesian functions for Pople sets and spherical for the rest', () => {
    const type = (basis: string, settings = {}) =>
      /basis "ao basis" (\w+)/.exec(deck(spec({ basis, settings })))?.[1];
    for (const b of ['6-31G*', 'STO-3G', '3-21G', '6-311++G(2d,2p)', '6-31+G*'])
      expect(type(b), b).toBe('cartesian');
    for (const b of ['cc-pVDZ', 'aug-cc-pVTZ', 'def2-SVP', 'def2-TZVP']) expect(type(b), b).toBe('spherical');
    expect(type('6-31G*', { basisType: 'spherical' })).toBe('spherical');
    expect(type('cc-pVDZ', { basisType: 'cartesian' })).toBe('cartesian');
    expect(deck(spec({ basis: '6-311++G(2d,2p)' }))).toContain('  * library "6-311++G(2d,2p)"\n');
  });

  it('maps functional aliases, passes NWChem keywords through and adds D3', () => {
    expect(xcLines('b3lyp')).toEqual(['xc b3lyp']);
    expect(xcLines('B3LYP')).toEqual(['xc b3lyp']);
    expect(xcLines('pbe')).toEqual(['xc xpbe96 cpbe96']);
    expect(xcLines('tpss')).toEqual(['xc xtpss03 ctpss03']);
    expect(xcLines('hf')).toEqual(['xc hfexch']);
    expect(xcLines('m06-2x')).toEqual(['xc m06-2x']);
    expect(xcLines('cam-b3lyp')).toEqual([
      'xc xcamb88 1.00 lyp 0.81 vwn_5 0.19 hfexch 1.00',
      'cam 0.33 cam_alpha 0.19 cam_beta 0.46',
    ]);
    expect(xcLines('b3lyp-d3')).toEqual(['xc b3lyp', 'disp vdw 3']);
    expect(xcLines('pbe0-d3bj')).toEqual(['xc pbe0', 'disp vdw 4']);
    expect(xcLines('becke88 0.5 lyp')).toEqual(['xc becke88 0.5 lyp']);
    expect(dftBlock(deck(spec({ method: 'pbe-d3' })))).toEqual(['xc xpbe96 cpbe96', 'disp vdw 3', 'mult 1']);
  });

  it('turns settings into dft directives', () => {
    const lines = dftBlock(
      deck(
        spec({
          settings: {
            iterations: 100,
            convergence: 1e-8,
            damp: 40,
            levelShift: 0.5,
            grid: 'fine',
            memory: 2000,
          },
        }),
      ),
    );
    expect(lines).toEqual([
      'xc b3lyp',
      'mult 1',
      'iterations 100',
      'convergence energy 1e-8 damp 40 ncydp 100 lshift 0.5 hl_tol 1.0',
      'grid fine',
    ]);
    expect(dftBlock(deck(spec({ settings: { damp: 30 } })))).toContain('convergence damp 30 ncydp 30');
    expect(dftBlock(deck(spec({ settings: { damp: 30, dampCycles: 5 } })))).toContain(
      'convergence damp 30 ncydp 5',
    );
    expect(deck(spec({ settings: { memory: 2000 } }))).toContain('scratch_dir ./\nmemory total 2000 mb\n');
    // undefined values are left out, as if absent
    expect(deck(spec({ settings: { iterations: undefined } }))).toBe(deck(spec()));
  });

  it('adds COSMO for a solvent', () => {
    expect(deck(spec({ solvent: 'water' }))).toContain('end\ncosmo\n  solvent water\nend\ntask dft energy\n');
  });

  it.each([
    ['another code', spec({ code: 'xtb' }), /xtb/],
    ['a missing basis', spec({ basis: undefined }), /needs a basis set/],
    ['a basis name with a quote', spec({ basis: '6-31G"*' }), /invalid basis set name/],
    ['a basis name with a newline', spec({ basis: 'sto-3g\ntask dft energy' }), /invalid basis set name/],
    ['a method with a newline', spec({ method: 'b3lyp\nend' }), /invalid nwchem method/],
    ['a method with a quote', spec({ method: 'b3"lyp' }), /invalid nwchem method/],
    ['an unknown task', spec({ task: 'frequencies' as CalcSpec['task'] }), /unknown task/],
    ['an unknown setting', spec({ settings: { maxiter: 5 } }), /unknown nwchem setting "maxiter"/],
    ['lshift', spec({ settings: { lshift: 0.5 } }), /did you mean levelShift/],
    ['a non-integer iteration count', spec({ settings: { iterations: 2.5 } }), /positive integer/],
    ['a negative level shift', spec({ settings: { levelShift: -1 } }), /positive number/],
    ['damping over 99 %', spec({ settings: { damp: 100 } }), /percentage/],
    ['dampCycles without damp', spec({ settings: { dampCycles: 5 } }), /needs damp/],
    ['an unknown grid', spec({ settings: { grid: 'superfine' } }), /grid must be one of/],
    ['maxSteps for a single point', spec({ settings: { maxSteps: 5 } }), /needs task "optimize"/],
    ['an unknown basis type', spec({ settings: { basisType: 'pure' } }), /basisType/],
    ['a solvent name NWChem cannot read', spec({ solvent: 'acetonitrile' }), /at most 8 characters/],
    ['a solvent that is a directive', spec({ solvent: 'water\nend' }), /invalid nwchem solvent/],
    ['a doublet with an even electron count', spec({ multiplicity: 2 }), /impossible with 10 electrons/],
    ['a fractional charge', spec({ charge: 0.5 }), /integer/],
  ])('rejects %s', (_what, s, message) => {
    expect(() => nwchemTemplate.write(s, water)).toThrow(InvalidInputError);
    expect(() => nwchemTemplate.write(s, water)).toThrow(message);
  });

  it('rejects unusable geometries', () => {
    expect(() => nwchemTemplate.write(spec(), { ...water, symbols: [], coords: [] })).toThrow(/no atoms/);
    expect(() => nwchemTemplate.write(spec(), { ...water, symbols: ['O', 'H', 'Xx'] })).toThrow(
      /unknown element/,
    );
    expect(() =>
      nwchemTemplate.write(spec(), { ...water, coords: [[0, 0, Number.NaN], ...water.coords.slice(1)] }),
    ).toThrow(/non-finite/);
    expect(() => nwchemTemplate.write(spec(), { ...water, coords: water.coords.slice(1) })).toThrow(
      /3 symbols but 2 coordinates/,
    );
  });

  it('normalises element symbols', () => {
    expect(deck(spec(), { ...water, symbols: ['o', 'H', 'h'] })).toContain('\n  O  ');
  });
});

describe('tierSpec for an NWChem tier', () => {
  it('builds a spec from a tier and the molecule', () => {
    const tier = {
      code: 'nwchem' as const,
      method: 'pbe0',
      basis: 'def2-SVP',
      optimize: true,
      threads: 1,
      timeoutSeconds: 60,
      settings: { grid: 'fine' as const },
    };
    expect(tierSpec(tier, { ...water, charge: -1, multiplicity: 1 })).toEqual({
      code: 'nwchem',
      method: 'pbe0',
      basis: 'def2-SVP',
      task: 'optimize',
      charge: -1,
      multiplicity: 1,
      settings: { grid: 'fine' },
    });
    expect(tierSpec({ ...tier, optimize: false }, water).task).toBe('energy');
  });
});

describe('nwchemTemplate.parse', () => {
  it('reads water B3LYP/6-31G*', () => {
    const out = ok(nwchemTemplate.parse(fixture('water-b3lyp-631gs')));
    expect(out.totalEnergy).toBe(-76.408653518772);
    expect(out.homo).toBeCloseTo(-0.2917594 * EV_PER_HARTREE, 9);
    expect(out.lumo).toBeCloseTo(0.06622765 * EV_PER_HARTREE, 9);
    expect(out.homoLumoGap).toBeCloseTo((0.06622765 + 0.2917594) * EV_PER_HARTREE, 9);
    expect(out.dipoleVector).toEqual([0, 0, -0.816368 * DEBYE_PER_AU]);
    expect(out.dipoleMoment).toBeCloseTo(2.075, 3);
    expect(out.scfIterations).toBe(6);
    expect(out.finalGeometry).toBeUndefined();
    expect(out.warnings).toEqual([]);
  });

  it('reads an optimisation: final geometry, energy, gradient', () => {
    const out = ok(nwchemTemplate.parse(fixture('water-opt-sto3g')));
    expect(out.totalEnergy).toBe(-75.32277489673);
    expect(out.finalGeometry).toEqual({
      symbols: ['O', 'H', 'H'],
      coords: [
        [0, -1e-8, 0.18061755],
        [0, 0.77040926, -0.49880878],
        [0, -0.77040926, -0.49880877],
      ],
      charge: 0,
      multiplicity: 1,
    });
    expect(out.gradientNorm).toBeGreaterThan(0);
    expect(out.gradientNorm).toBeLessThan(2e-4);
    expect(out.homoLumoGap).toBeGreaterThan(10);
    // the last SCF that iterated (the final step's "The DFT is already converged" has no table)
    expect(out.scfIterations).toBe(3);
    expect(out.warnings).toEqual([]);
  });

  it('reads an open shell (OH radical, UKS) from its spin channels', () => {
    const out = ok(nwchemTemplate.parse(fixture('oh-radical-b3lyp')));
    expect(out.totalEnergy).toBe(-75.723307472229);
    // beta has the smaller gap: occupied -0.3023894, empty -0.1540476
    expect(out.homo).toBeCloseTo(-0.3023894 * EV_PER_HARTREE, 9);
    expect(out.lumo).toBeCloseTo(-0.1540476 * EV_PER_HARTREE, 9);
    expect(out.dipoleMoment).toBeCloseTo(1.7547, 3);
    expect(out.warnings).toEqual([]);
  });

  it('reads a COSMO single point', () => {
    const out = ok(nwchemTemplate.parse(fixture('water-cosmo-water')));
    expect(out.totalEnergy).toBe(-76.420312992295);
    expect(out.dipoleMoment).toBeGreaterThan(2.075); // polarised by the solvent
  });

  it('refers the dipole of an ion to its centre of mass', () => {
    const a = ok(nwchemTemplate.parse(fixture('hydroxide-origin')));
    const b = ok(nwchemTemplate.parse(fixture('hydroxide-shifted')));
    // NWChem's own x component for the copy moved 5 Å along x is -9.44863 au; here both agree
    expect(b.dipoleMoment).toBeCloseTo(a.dipoleMoment ?? Number.NaN, 5);
    expect(Math.abs(b.dipoleVector?.[0] ?? 1)).toBeLessThan(1e-5);
  });

  it('classifies an SCF that ran out of iterations', () => {
    const f = failed(nwchemTemplate.parse(fixture('water-scf-not-converged')));
    expect(f).toMatchObject({ kind: 'scf-not-converged', retryable: true });
    expect(f.message).toMatch(/did not converge in 2 iterations/);
  });

  it('classifies an optimisation that ran out of steps, with its last geometry', () => {
    const f = failed(nwchemTemplate.parse(fixture('water-opt-not-converged')));
    expect(f).toMatchObject({ kind: 'opt-not-converged', retryable: true });
    expect(f.message).toMatch(/in 2 steps/);
    expect(f.lastGeometry?.symbols).toEqual(['O', 'H', 'H']);
    expect(f.lastGeometry?.coords[0]?.[2]).toBeCloseTo(0.18080664, 8);
    expect(f.lastGeometry).toMatchObject({ charge: 0, multiplicity: 1 });
  });

  it.each([
    ['water-unknown-basis', /unknown basis set "nosuchbasis"/],
    ['xef2-basis-lacks-xe', /6-31g\* has no functions for element Xe/],
    ['water-bad-xc', /xc_input: invalid format at input line "15: xc notafunctional"/],
    ['water-cosmo-unknown-solvent', /does not know solvent "foo"/],
  ])('classifies %s as invalid input', (name, message) => {
    const f = failed(nwchemTemplate.parse(fixture(name)));
    expect(f).toMatchObject({ kind: 'invalid-input', retryable: false });
    expect(f.message).toMatch(message);
  });

  it('classifies a run ended by a signal as killed', () => {
    expect(nwchemTemplate.parse(fixture('benzene-sigterm'))).toMatchObject({ kind: 'killed' });
  });

  it('does not mistake exit status 143 (MPI_ABORT 911) for a signal', () => {
    const stdout = [
      ' ------------------------------------------------------------------------',
      ' cosmo_input: solvent                 911',
      ' ------------------------------------------------------------------------',
      ' input error at line   19: inp_a: string is too large for argument',
      ' ------------------------------------------------------------------------',
      '  current input line : ',
      '    19:   solvent acetonitrile',
      ' ------------------------------------------------------------------------',
      ' ------------------------------------------------------------------------',
      ' There is an error in the input file',
      ' ------------------------------------------------------------------------',
      '',
    ].join('\n');
    const f = failed(nwchemTemplate.parse({ files: () => undefined, stdout, stderr: '', exitCode: 143 }));
    expect(f.kind).toBe('invalid-input');
    expect(f.message).toMatch(/cosmo_input: solvent at input line "19: solvent acetonitrile"/);
  });

  it('reports other failures as unknown, and a run with no energy', () => {
    const f = failed(
      nwchemTemplate.parse({
        files: () => undefined,
        stdout: '',
        stderr: '[0] ARMCI Error: 0:ma_push_get failed:\n',
        exitCode: 255,
      }),
    );
    expect(f).toMatchObject({ kind: 'unknown', retryable: false });
    expect(f.message).toMatch(/exit code 255.*ma_push_get failed/);
    expect(
      nwchemTemplate.parse({ files: () => undefined, stdout: 'hello', stderr: '', exitCode: 0 }),
    ).toMatchObject({
      kind: 'unknown',
      message: expect.stringMatching(/no total DFT energy/),
    });
  });

  it('finds the errquit block', () => {
    const out = fixture('water-scf-not-converged');
    expect(errquit(out.stdout, out.stderr)).toEqual({
      message: 'dft energy failed',
      inputLine: '19: task dft energy',
      category:
        'This type of error is most commonly associated with calculations not reaching convergence criteria',
    });
    expect(errquit('', '[0] ARMCI Error: 0:bas_tag_lib: no such basis available:\n')).toEqual({
      message: 'bas_tag_lib: no such basis available',
    });
    expect(errquit('all fine', '')).toBeUndefined();
  });

  it('takes frontier orbitals per spin channel', () => {
    const o = (occupation: number, energy: number) => ({ occupation, energy });
    // H atom, UKS: the empty beta 1s (-0.498) lies below the occupied alpha 1s (-0.316)
    const h = frontierOrbitals([
      [o(1, -0.316), o(0, 0.711)],
      [o(0, -0.498), o(0, 0.461)],
    ]);
    expect(h?.homo).toBeCloseTo(-0.316 * EV_PER_HARTREE, 9);
    expect(h?.lumo).toBeCloseTo(0.711 * EV_PER_HARTREE, 9);
    expect(frontierOrbitals([[o(2, -0.5)]])).toBeUndefined();
    expect(frontierOrbitals([])).toBeUndefined();
  });
});

describe('nwchemHandlers', () => {
  const handler = (name: string): RestartHandler => {
    const h = nwchemHandlers.find((x) => x.name === name);
    if (!h) throw new Error(`no handler ${name}`);
    return h;
  };
  const scfFailure: CalcFailure = { kind: 'scf-not-converged', message: 'x', retryable: true };
  const optFailure: CalcFailure = { kind: 'opt-not-converged', message: 'x', retryable: true };

  /** Applies a handler as the loop would: its own previous output in, up to maxRestarts times. */
  function sequence(h: RestartHandler, start: CalcSpec, failure: CalcFailure): CalcSpec[] {
    const out: CalcSpec[] = [];
    let s = start;
    for (let i = 0; i < h.maxRestarts; i++) {
      const next = h.apply(structuredClone(s), failure, i);
      if (!next) break;
      out.push(next);
      s = next;
    }
    return out;
  }

  it('lists scf handlers in priority order, each bounded', () => {
    const scf = nwchemHandlers
      .filter((h) => h.handles.includes('scf-not-converged'))
      .sort((a, b) => b.priority - a.priority);
    expect(scf.map((h) => h.name)).toEqual([
      'nwchem-more-iterations',
      'nwchem-damping',
      'nwchem-level-shift',
    ]);
    expect(nwchemHandlers.every((h) => h.maxRestarts >= 1 && h.maxRestarts <= 2)).toBe(true);
    expect(nwchemTemplate.handlers).toBe(nwchemHandlers);
  });

  it('more iterations: 30 -> 100, then 300, then gives up', () => {
    const h = handler('nwchem-more-iterations');
    expect(h.apply(spec(), scfFailure, 0)?.settings).toEqual({ iterations: 100 });
    expect(h.apply(spec({ settings: { iterations: 2 } }), scfFailure, 0)?.settings).toEqual({
      iterations: 100,
    });
    expect(h.apply(spec({ settings: { iterations: 120 } }), scfFailure, 0)?.settings).toEqual({
      iterations: NWCHEM_HANDLER_LIMITS.iterations,
    });
    expect(h.apply(spec({ settings: { iterations: 300 } }), scfFailure, 0)).toBeUndefined();
    expect(sequence(h, spec(), scfFailure).map((s) => s.settings.iterations)).toEqual([100]);
  });

  it('damping: 40 %, then 70 %, with at least 100 iterations, keeping other settings', () => {
    const h = handler('nwchem-damping');
    const start = spec({ settings: { grid: 'fine', dampCycles: 3 } });
    expect(sequence(h, start, scfFailure).map((s) => s.settings)).toEqual([
      { grid: 'fine', damp: 40, iterations: 100 },
      { grid: 'fine', damp: 70, iterations: 100 },
    ]);
    expect(h.apply(spec({ settings: { damp: 70 } }), scfFailure, 0)).toBeUndefined();
    // every spec it returns is one the template accepts
    for (const s of sequence(h, start, scfFailure))
      expect(() => nwchemTemplate.write(s, water)).not.toThrow();
  });

  it('level shift: 0.5 then 1.0 hartree, then gives up', () => {
    const h = handler('nwchem-level-shift');
    expect(sequence(h, spec({ settings: { iterations: 200 } }), scfFailure).map((s) => s.settings)).toEqual([
      { iterations: 200, levelShift: 0.5 },
      { iterations: 200, levelShift: 1.0 },
    ]);
    expect(h.apply(spec({ settings: { levelShift: 1.0 } }), scfFailure, 0)).toBeUndefined();
  });

  it('more steps: 20 -> 40 -> 80, bounded by 200, and leaves the geometry to the loop', () => {
    const h = handler('nwchem-more-steps');
    expect(h.handles).toEqual(['opt-not-converged']);
    const start = spec({ task: 'optimize' });
    expect(sequence(h, start, optFailure).map((s) => s.settings.maxSteps)).toEqual([40, 80]);
    expect(h.apply(spec({ task: 'optimize', settings: { maxSteps: 150 } }), optFailure, 0)?.settings).toEqual(
      {
        maxSteps: 200,
      },
    );
    expect(h.apply(spec({ task: 'optimize', settings: { maxSteps: 200 } }), optFailure, 0)).toBeUndefined();
    const next = h.apply(structuredClone(start), optFailure, 0);
    expect(next).toMatchObject({ task: 'optimize', method: 'b3lyp', basis: '6-31G*' });
  });
});

describe('nwchemProfile', () => {
  it('runs one isolated MPI singleton with one thread', () => {
    expect(nwchemProfile()).toMatchObject({
      binary: process.env.CASCADE_NWCHEM || 'nwchem',
      threads: 1,
      env: { OMPI_MCA_ess_singleton_isolated: '1' },
    });
    expect(nwchemProfile({ threads: 4, binary: '/opt/nwchem', env: { X: '1' } })).toEqual({
      binary: '/opt/nwchem',
      threads: 4,
      env: { OMPI_MCA_ess_singleton_isolated: '1', X: '1' },
    });
  });

  it('reads the version from the banner', () => {
    expect(versionFromBanner('   Northwest Computational Chemistry Package (NWChem) 7.0.2\n')).toBe('7.0.2');
    expect(versionFromBanner('    nwchem branch   = 7.2.0\n')).toBe('7.2.0');
    expect(versionFromBanner('nothing here')).toBeUndefined();
  });
});
