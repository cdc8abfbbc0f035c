import { afterEach, describe, expect, it, vi } from 'vitest';
import { EV_PER_HARTREE } from '../../lib/domain/units.js';
import {
  ELK_MAX_SCL,
  ELK_MIN_BETA0,
  ELK_MIN_BROYDEN_ALPHA,
  elkGentlerMixing,
  elkHandlers,
  elkMoreScfLoops,
  elkMoreSmearing,
} from '../../qm/codes/elk/handlers.js';
import { elkTemplate } from '../../qm/codes/elk/index.js';
import { writeElkInput } from '../../qm/codes/elk/input.js';
import { analyseGap, elkErrors, parseEigval } from '../../qm/codes/elk/parse.js';
import { elkProfile, elkSpeciesDir, parseElkBanner } from '../../qm/codes/elk/profile.js';
import { rockSalt } from '../../qm/structure.js';
import {
  type CalcFailure,
  type CalcSpec,
  type Crystal,
  InvalidInputError,
  type RestartHandler,
} from '../../qm/template.js';
import { elkSpec } from '../helpers/elk-spec.js';
import { type FixtureOverrides, fixtureText, readFixture } from '../helpers/fixtures.js';
import { failed, ok } from '../helpers/outcomes.js';

/** A fixture as the runner would present it (exit code 0 unless given). */
const fixture = (name: string, over: FixtureOverrides = {}) =>
  readFixture('elk', name, { exitCode: 0, ...over });

const mgo = rockSalt('Mg', 'O', 7.96);
const al: Crystal = {
  kind: 'crystal',
  lattice: [
    [0, 3.8267, 3.8267],
    [3.8267, 0, 3.8267],
    [3.8267, 3.8267, 0],
  ],
  symbols: ['Al'],
  fractional: [[0, 0, 0]],
};
const SPECIES = '/usr/share/elk-lapw/species/';
const input = (spec: CalcSpec, c: Crystal = mgo) => writeElkInput(spec, c, SPECIES);

/** The lines of block `name` in elk.in, up to the blank line that ends it. */
function blockOf(text: string, name: string): string[] | undefined {
  const lines = text.split('\n');
  const i = lines.indexOf(name);
  if (i < 0) return undefined;
  const out: string[] = [];
  for (let j = i + 1; j < lines.length && lines[j] !== ''; j++) out.push((lines[j] ?? '').trim());
  return out;
}

describe('elkTemplate.write', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('writes the committed fixture inputs byte for byte', () => {
    const cases: Array<[string, CalcSpec, Crystal, string]> = [
      ['mgo-pbe', elkSpec('pbe', { rgkmax: 7, kpoints: [4, 4, 4] }), mgo, SPECIES],
      ['al-pbe-metal', elkSpec('pbe', { rgkmax: 5, kpoints: [6, 6, 6], smearingWidth: 0.005 }), al, SPECIES],
      ['mgo-scf-not-converged', elkSpec('pbe', { rgkmax: 5, kpoints: [2, 2, 2], maxscl: 2 }), mgo, SPECIES],
      [
        'mgo-missing-species',
        elkSpec('pbe', { rgkmax: 5, kpoints: [2, 2, 2] }),
        mgo,
        '/tmp/elk-species-mg-only/',
      ],
    ];
    for (const [name, spec, crystal, dir] of cases) {
      expect(writeElkInput(spec, crystal, dir), name).toBe(fixtureText('elk', name, 'elk.in'));
    }
    expect(blockOf(input(elkSpec(), al), 'atoms')).toEqual([
      '1',
      "'Al.in'",
      '1',
      '0.0000000000  0.0000000000  0.0000000000',
    ]);
  });

  it('writes elk.in only, with no arguments', () => {
    vi.stubEnv('CASCADE_ELK_SPECIES', '');
    const inputs = elkTemplate.write(elkSpec(), mgo);
    expect(Object.keys(inputs.files)).toEqual(['elk.in']);
    expect(inputs.argv).toEqual([]);
    expect(blockOf(inputs.files['elk.in'] ?? '', 'sppath')).toEqual([`'${SPECIES}'`]);
  });

  it('always writes tasks, xctype, avec, sppath, atoms, rgkmax and ngridk, with defaults 7 and 4x4x4', () => {
    const text = input(elkSpec());
    expect(blockOf(text, 'tasks')).toEqual(['0']);
    expect(blockOf(text, 'xctype')).toEqual(['20']);
    expect(blockOf(text, 'avec')).toEqual([
      '0.0000000000  3.9800000000  3.9800000000',
      '3.9800000000  0.0000000000  3.9800000000',
      '3.9800000000  3.9800000000  0.0000000000',
    ]);
    expect(blockOf(text, 'rgkmax')).toEqual(['7']);
    expect(blockOf(text, 'ngridk')).toEqual(['4  4  4']);
    for (const absent of ['maxscl', 'stype', 'swidth', 'mixtype', 'beta0', 'broydpm', 'chgexs', 'vkloff']) {
      expect(blockOf(text, absent)).toBeUndefined();
    }
    expect(text.endsWith('\n\n')).toBe(true);
  });

  it('maps each method to xctype', () => {
    expect(blockOf(input(elkSpec('lda')), 'xctype')).toEqual(['3']);
    expect(blockOf(input(elkSpec('pbe')), 'xctype')).toEqual(['20']);
    expect(blockOf(input(elkSpec('pbesol')), 'xctype')).toEqual(['22']);
    expect(() => input({ ...elkSpec(), method: 'b3lyp' })).toThrow(/unknown method "b3lyp"/);
  });

  it('groups atoms by species in order of first appearance', () => {
    const c: Crystal = {
      kind: 'crystal',
      lattice: [
        [8, 0, 0],
        [0, 8, 0],
        [0, 0, 8],
      ],
      symbols: ['O', 'Mg', 'O', 'Mg'],
      fractional: [
        [0.5, 0, 0],
        [0, 0, 0],
        [0, 0.5, 0],
        [0.5, 0.5, 0],
      ],
    };
    expect(blockOf(input(elkSpec(), c), 'atoms')).toEqual([
      '2',
      "'O.in'",
      '2',
      '0.5000000000  0.0000000000  0.0000000000',
      '0.0000000000  0.5000000000  0.0000000000',
      "'Mg.in'",
      '2',
      '0.0000000000  0.0000000000  0.0000000000',
      '0.5000000000  0.5000000000  0.0000000000',
    ]);
  });

  it('quotes sppath and adds the trailing slash Elk needs', () => {
    expect(blockOf(writeElkInput(elkSpec(), mgo, '/opt/elk/species'), 'sppath')).toEqual([
      "'/opt/elk/species/'",
    ]);
    vi.stubEnv('CASCADE_ELK_SPECIES', '/srv/species');
    expect(elkSpeciesDir()).toBe('/srv/species/');
    expect(blockOf(elkTemplate.write(elkSpec(), mgo).files['elk.in'] ?? '', 'sppath')).toEqual([
      "'/srv/species/'",
    ]);
    expect(() => writeElkInput(elkSpec(), mgo, "/it's/here/")).toThrow(/cannot be quoted/);
  });

  it('writes each setting', () => {
    const text = input(
      elkSpec('pbe', {
        rgkmax: 6.5,
        kpoints: [6, 6, 4],
        kpointOffset: [0.5, 0.5, 0],
        smearing: 'gaussian',
        smearingWidth: 0.005,
        maxscl: 50,
        epsengy: 1e-6,
        epspot: 1e-7,
        nempty: 8,
      }),
    );
    expect(blockOf(text, 'rgkmax')).toEqual(['6.5']);
    expect(blockOf(text, 'ngridk')).toEqual(['6  6  4']);
    expect(blockOf(text, 'vkloff')).toEqual(['0.5  0.5  0']);
    expect(blockOf(text, 'stype')).toEqual(['0']);
    expect(blockOf(text, 'swidth')).toEqual(['0.005']);
    expect(blockOf(text, 'maxscl')).toEqual(['50']);
    expect(blockOf(text, 'epsengy')).toEqual(['0.000001']);
    expect(blockOf(text, 'epspot')).toEqual(['1e-7']);
    expect(blockOf(text, 'nempty')).toEqual(['8']);
    expect(blockOf(input(elkSpec('pbe', { autoLinearisationEnergies: true })), 'autolinengy')).toEqual([
      '.true.',
    ]);
    expect(text).not.toContain('autolinengy');
    expect(blockOf(input(elkSpec('pbe', { smearing: 'fermi-dirac' })), 'stype')).toEqual(['3']);
    expect(blockOf(input(elkSpec('pbe', { smearing: 'methfessel-paxton' })), 'stype')).toEqual(['1']);
    expect(blockOf(input(elkSpec('pbe', { smearing: 'methfessel-paxton-2' })), 'stype')).toEqual(['2']);
  });

  it('writes mixing settings only for the scheme that uses them', () => {
    const broyden = input(elkSpec('pbe', { broydenAlpha: 0.2 }));
    expect(blockOf(broyden, 'broydpm')).toEqual(['0.2  0.15']);
    expect(blockOf(broyden, 'mixtype')).toBeUndefined();
    const adaptive = input(elkSpec('pbe', { mixing: 'adaptive', beta0: 0.02, betamax: 0.3 }));
    expect(blockOf(adaptive, 'mixtype')).toEqual(['1']);
    expect(blockOf(adaptive, 'beta0')).toEqual(['0.02']);
    expect(blockOf(adaptive, 'betamax')).toEqual(['0.3']);
    expect(blockOf(input(elkSpec('pbe', { mixing: 'linear', beta0: 0.1 })), 'mixtype')).toEqual(['0']);
    expect(blockOf(input(elkSpec('pbe', { mixing: 'broyden' })), 'mixtype')).toEqual(['3']);
    // Elk 8.4.30 mixes with Broyden by default, which ignores beta0: a silent no-op is refused
    expect(() => input(elkSpec('pbe', { beta0: 0.02 }))).toThrow(/beta0 has no effect with Broyden/);
    expect(() => input(elkSpec('pbe', { mixing: 'linear', betamax: 0.3 }))).toThrow(
      /betamax needs mixing 'adaptive'/,
    );
    expect(() => input(elkSpec('pbe', { mixing: 'adaptive', broydenAlpha: 0.2 }))).toThrow(
      /broydenAlpha needs/,
    );
    expect(() => input(elkSpec('pbe', { mixing: 'adaptive', beta0: 0.6 }))).toThrow(
      /beta0 must not exceed betamax/,
    );
  });

  it('writes chgexs (excess electrons) from the charge', () => {
    expect(blockOf(input({ ...elkSpec(), charge: 1 }), 'chgexs')).toEqual(['-1']);
    expect(blockOf(input({ ...elkSpec(), charge: -2 }), 'chgexs')).toEqual(['2']);
  });

  it('rejects what it cannot run', () => {
    const bad: Array<[Partial<CalcSpec>, RegExp]> = [
      [{ code: 'xtb' }, /spec for "xtb"/],
      [{ task: 'optimize' }, /task "optimize" is not supported/],
      [{ solvent: 'water' }, /solvents/],
      [{ basis: 'cc-pVDZ' }, /no named basis sets/],
      [{ multiplicity: 3 }, /spin-unpolarised/],
      [{ charge: 0.5 }, /charge must be an integer/],
      [{ settings: { ecut: 30 } }, /unknown setting\(s\) ecut/],
      [{ settings: { rgkmax: -1 } }, /rgkmax must be a positive number/],
      [{ settings: { rgkmax: 50 } }, /rgkmax must be a positive number <= 20/],
      [{ settings: { kpoints: [4, 4] } }, /kpoints must be three positive integers/],
      [{ settings: { kpoints: [4, 0, 4] } }, /kpoints must be three positive integers/],
      [{ settings: { kpoints: [4, 4.5, 4] } }, /kpoints must be three positive integers/],
      [{ settings: { kpointOffset: [0, 0, 1] } }, /kpointOffset must be three numbers in \[0, 1\)/],
      [{ settings: { smearing: 'cold' } }, /smearing must be one of gaussian/],
      [{ settings: { smearingWidth: 0 } }, /smearingWidth must be a positive number/],
      [{ settings: { maxscl: 2.5 } }, /maxscl must be a positive integer/],
      [{ settings: { mixing: 'pulay' } }, /mixing must be one of/],
      [{ settings: { autoLinearisationEnergies: 'yes' } }, /autoLinearisationEnergies must be true or false/],
    ];
    for (const [over, message] of bad) {
      const spec = { ...elkSpec(), ...over };
      expect(() => input(spec), JSON.stringify(over)).toThrow(InvalidInputError);
      expect(() => input(spec), JSON.stringify(over)).toThrow(message);
    }
  });

  it('rejects broken crystals as invalid input', () => {
    expect(() => input(elkSpec(), { ...mgo, symbols: ['Mg', 'Xx'] })).toThrow(/unknown element "Xx"/);
    expect(() => input(elkSpec(), { ...mgo, fractional: [[0, 0, 0]] })).toThrow(/2 species but 1 positions/);
    expect(() =>
      input(elkSpec(), {
        ...mgo,
        fractional: [
          [0, 0, 0],
          [1, 1, 1],
        ],
      }),
    ).toThrow(InvalidInputError);
  });

  it('is deterministic (the runner hashes its output)', () => {
    const spec = elkSpec('lda', { rgkmax: 6, kpoints: [3, 3, 3] });
    expect(input(spec)).toBe(input(structuredClone(spec)));
  });
});

describe('elkTemplate.parse', () => {
  it('reads the MgO acceptance run: energy, Fermi level, gap, iterations', () => {
    const out = ok(elkTemplate.parse(fixture('mgo-pbe')));
    expect(out.totalEnergy).toBe(-275.712748124);
    expect(out.fermiEnergy).toBe(0.1769077536);
    expect(out.bandGap).toBeCloseTo(0.1738471042 * EV_PER_HARTREE, 9);
    expect(out.bandGap).toBeGreaterThan(4.7);
    expect(out.bandGap).toBeLessThan(4.75);
    expect(out.scfIterations).toBe(15);
    expect(out.warnings).toEqual([]);
    expect(out.homoLumoGap).toBeUndefined();
  });

  it('reports band gap 0 for a metal although Elk estimates a positive one', () => {
    const raw = fixture('al-pbe-metal');
    expect(raw.files('INFO.OUT')).toMatch(/Estimated indirect band gap :\s+0\.3\d+E-01/);
    const out = ok(elkTemplate.parse(raw));
    expect(out.bandGap).toBe(0);
    expect(out.totalEnergy).toBeCloseTo(-242.8, 1);
    expect(out.fermiEnergy).toBeGreaterThan(0);
    expect(out.scfIterations).toBeGreaterThan(1);
  });

  it('falls back to the density of states at the Fermi level without EIGVAL.OUT', () => {
    const metal = ok(elkTemplate.parse(fixture('al-pbe-metal', { without: ['EIGVAL.OUT'] })));
    expect(metal.bandGap).toBe(0);
    expect(metal.warnings.join('\n')).toMatch(/EIGVAL.OUT missing/);
    const insulator = ok(elkTemplate.parse(fixture('mgo-pbe', { without: ['EIGVAL.OUT'] })));
    expect(insulator.bandGap).toBeCloseTo(0.1738471042 * EV_PER_HARTREE, 9);
  });

  it('falls back to INFO.OUT for energy and Fermi level', () => {
    const out = ok(elkTemplate.parse(fixture('mgo-pbe', { without: ['TOTENERGY.OUT', 'EFERMI.OUT'] })));
    expect(out.totalEnergy).toBeCloseTo(-275.712748124, 9);
    expect(out.fermiEnergy).toBeCloseTo(0.176907753569, 9);
    expect(out.scfIterations).toBe(15);
  });

  it('classifies an SCF that hit maxscl as scf-not-converged (retryable)', () => {
    const f = failed(elkTemplate.parse(fixture('mgo-scf-not-converged')));
    expect(f).toMatchObject({ kind: 'scf-not-converged', retryable: true });
    expect(f.message).toMatch(/did not converge in 2 loops/);
    expect(f.message).toMatch(/last energy change/);
    // INFO.OUT alone (stdout lost) says so too
    const fromInfo = failed(elkTemplate.parse(fixture('mgo-scf-not-converged', { stdout: '' })));
    expect(fromInfo.kind).toBe('scf-not-converged');
  });

  it('classifies a missing species file as invalid input (not retryable)', () => {
    const f = failed(elkTemplate.parse(fixture('mgo-missing-species')));
    expect(f).toMatchObject({ kind: 'invalid-input', retryable: false });
    expect(f.message).toMatch(/missing species file \/tmp\/elk-species-mg-only\/O\.in/);
  });

  it('classifies input errors from Error(readinput) lines (Elk exits 0 regardless)', () => {
    const f = failed(elkTemplate.parse(fixture('mgo-bad-block')));
    expect(f).toMatchObject({ kind: 'invalid-input', retryable: false });
    expect(f.message).toMatch(/Error\(readinput\): invalid block name : bogusblock/);
    const stdout =
      "\nElk code version 8.4.30 started\n\nError(readinput): error reading from elk.in\nProblem occurred in 'rgkmax' block\nCheck input convention in manual\n\n";
    expect(elkErrors(stdout)).toEqual([
      {
        routine: 'readinput',
        message:
          "error reading from elk.in; Problem occurred in 'rgkmax' block; Check input convention in manual",
      },
    ]);
  });

  it('classifies other Error(...) lines as unknown', () => {
    const stdout = '\nElk code version 8.4.30 started\n\nError(eveqnfvr): diagonalisation failed\n\n';
    const f = failed(elkTemplate.parse({ files: () => undefined, stdout, stderr: '', exitCode: 0 }));
    expect(f).toMatchObject({ kind: 'unknown', retryable: false });
    expect(f.message).toMatch(/diagonalisation failed/);
  });

  it('classifies a run ended by a signal as killed', () => {
    const f = failed(
      elkTemplate.parse(
        fixture('mgo-pbe', { stdout: '\nElk code version 8.4.30 started\n', exitCode: null }),
      ),
    );
    expect(f).toMatchObject({ kind: 'killed', retryable: true });
  });

  it('refuses outputs of a run that did not finish', () => {
    const f = failed(
      elkTemplate.parse(fixture('mgo-pbe', { stdout: '\nElk code version 8.4.30 started\n' })),
    );
    expect(f.kind).toBe('unknown');
    expect(f.message).toMatch(/without "Elk code stopped"/);
    expect(failed(elkTemplate.parse(fixture('mgo-pbe', { exitCode: 139 }))).message).toMatch(
      /exit(ed)? with code 139/,
    );
    expect(failed(elkTemplate.parse(fixture('mgo-pbe', { without: ['INFO.OUT'] }))).message).toMatch(
      /no INFO.OUT/,
    );
  });

  it('keeps Warning(...) lines as warnings', () => {
    const raw = fixture('al-pbe-metal');
    const stdout = raw.stdout.replace(
      'Elk code stopped',
      'Warning(occupy): not enough empty states for k-point     3\n\nElk code stopped',
    );
    const out = ok(elkTemplate.parse({ ...raw, stdout }));
    expect(out.warnings).toEqual(['Warning(occupy): not enough empty states for k-point 3']);
  });
});

describe('band gap analysis', () => {
  it('reads EIGVAL.OUT', () => {
    const k = parseEigval(fixtureText('elk', 'mgo-pbe', 'EIGVAL.OUT'));
    expect(k).toHaveLength(8);
    expect(k.every((p) => p.states.length === 17)).toBe(true);
    expect(k[0]?.states[0]).toEqual([expect.any(Number), 2]);
  });

  it("agrees with Elk's estimate for an insulator and spots the metal", () => {
    const mgoK = parseEigval(fixtureText('elk', 'mgo-pbe', 'EIGVAL.OUT'));
    const g = analyseGap(mgoK, 0.1769077536, 16);
    expect(g?.metallic).toBe(false);
    expect(g?.gap).toBeCloseTo(0.1738471042, 9);
    const alK = parseEigval(fixtureText('elk', 'al-pbe-metal', 'EIGVAL.OUT'));
    const m = analyseGap(alK, Number(fixtureText('elk', 'al-pbe-metal', 'EFERMI.OUT')), 9);
    expect(m?.metallic).toBe(true);
    expect(m?.reason).toMatch(/bands cross the Fermi energy/);
  });

  it('calls a uniform filling that does not hold the valence charge metallic', () => {
    const k = [{ states: [[-1, 2] as [number, number], [1, 0] as [number, number]] }];
    expect(analyseGap(k, 0, 2)?.metallic).toBe(false);
    expect(analyseGap(k, 0, 3)?.metallic).toBe(true);
    expect(analyseGap([{ states: [[-1, 2]] }], 0, 2)).toMatchObject({ metallic: true, gap: 0 });
    expect(analyseGap([], 0, 2)).toBeUndefined();
  });
});

describe('restart handlers', () => {
  const notConverged: CalcFailure = { kind: 'scf-not-converged', message: 'x', retryable: true };

  /** Applies `handler` until it gives up or reaches maxRestarts; returns the settings of each new spec. */
  function sequence(handler: RestartHandler, start: CalcSpec): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    let spec = start;
    for (let restart = 0; restart < handler.maxRestarts; restart++) {
      const next = handler.apply(spec, notConverged, restart);
      if (!next) break;
      out.push(next.settings);
      spec = next;
    }
    return out;
  }

  it('are ordered: more loops, then gentler mixing, then more smearing', () => {
    expect(elkTemplate.handlers).toBe(elkHandlers);
    const sorted = [...elkHandlers].sort((a, b) => b.priority - a.priority).map((h) => h.name);
    expect(sorted).toEqual(['elk-more-scf-loops', 'elk-gentler-mixing', 'elk-more-smearing']);
    for (const h of elkHandlers) {
      expect(h.handles).toEqual(['scf-not-converged']);
      expect(h.maxRestarts).toBeGreaterThan(0);
      expect(h.maxRestarts).toBeLessThanOrEqual(3);
    }
  });

  it('more loops: at least Elk default 200, then doubling, up to the cap', () => {
    expect(sequence(elkMoreScfLoops, elkSpec('pbe', { maxscl: 2 })).map((s) => s.maxscl)).toEqual([200, 400]);
    expect(sequence(elkMoreScfLoops, elkSpec()).map((s) => s.maxscl)).toEqual([400, 800]);
    expect(elkMoreScfLoops.apply(elkSpec('pbe', { maxscl: 700 }), notConverged, 0)?.settings.maxscl).toBe(
      ELK_MAX_SCL,
    );
    expect(elkMoreScfLoops.apply(elkSpec('pbe', { maxscl: ELK_MAX_SCL }), notConverged, 0)).toBeUndefined();
  });

  it('gentler mixing: halves Broyden alpha, or beta0 for adaptive mixing, to a floor', () => {
    expect(sequence(elkGentlerMixing, elkSpec()).map((s) => s.broydenAlpha)).toEqual([0.2, 0.1, 0.05]);
    expect(
      elkGentlerMixing.apply(elkSpec('pbe', { broydenAlpha: ELK_MIN_BROYDEN_ALPHA }), notConverged, 0),
    ).toBeUndefined();
    const adaptive = sequence(elkGentlerMixing, elkSpec('pbe', { mixing: 'adaptive' }));
    expect(adaptive.map((s) => s.beta0)).toEqual([0.025, 0.0125, 0.00625]);
    expect(adaptive.every((s) => s.broydenAlpha === undefined && s.mixing === 'adaptive')).toBe(true);
    expect(
      elkGentlerMixing.apply(elkSpec('pbe', { mixing: 'linear', beta0: 0.006 }), notConverged, 0)?.settings
        .beta0,
    ).toBe(ELK_MIN_BETA0);
    expect(
      elkGentlerMixing.apply(elkSpec('pbe', { mixing: 'linear', beta0: ELK_MIN_BETA0 }), notConverged, 0),
    ).toBeUndefined();
  });

  it('more smearing: 0.003 then 0.01 hartree, then gives up', () => {
    expect(sequence(elkMoreSmearing, elkSpec()).map((s) => s.smearingWidth)).toEqual([0.003, 0.01]);
    expect(elkMoreSmearing.apply(elkSpec('pbe', { smearingWidth: 0.01 }), notConverged, 0)).toBeUndefined();
    expect(elkMoreSmearing.apply(elkSpec('pbe', { smearingWidth: 0.05 }), notConverged, 0)).toBeUndefined();
  });

  it('keep the other settings, do not mutate the spec, and produce specs write() accepts', () => {
    const start = elkSpec('pbe', { rgkmax: 5, kpoints: [2, 2, 2], maxscl: 2 });
    const frozen = structuredClone(start);
    for (const h of elkHandlers) {
      let spec = start;
      for (let r = 0; r < h.maxRestarts; r++) {
        const next = h.apply(spec, notConverged, r);
        if (!next) break;
        expect(next.settings).toMatchObject({ rgkmax: 5, kpoints: [2, 2, 2] });
        expect(() => input(next)).not.toThrow();
        spec = next;
      }
    }
    expect(start).toEqual(frozen);
  });
});

describe('elk profile', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('defaults to elk-lapw, one thread, a large OpenMP stack', () => {
    vi.stubEnv('CASCADE_ELK', '');
    const p = elkProfile();
    expect(p.binary).toBe('elk-lapw');
    expect(p.threads).toBe(1);
    expect(p.env).toMatchObject({ OMP_STACKSIZE: '256M', OMP_WAIT_POLICY: 'PASSIVE' });
    vi.stubEnv('CASCADE_ELK', '/opt/elk/bin/elk');
    expect(elkProfile().binary).toBe('/opt/elk/bin/elk');
    expect(elkProfile({ threads: 2, env: { OMP_STACKSIZE: '1G' } })).toMatchObject({
      threads: 2,
      env: { OMP_STACKSIZE: '1G' },
    });
  });

  it('reads the version from either banner', () => {
    expect(parseElkBanner('\nElk code version 8.4.30 started\n')).toBe('8.4.30');
    expect(parseElkBanner('| Elk version 8.4.30 started |')).toBe('8.4.30');
    expect(parseElkBanner('nothing here')).toBeUndefined();
  });
});
