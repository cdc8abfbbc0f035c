import { describe, expect, it } from 'vitest';
import { tierSpec } from '../../activities/campaign/run-tier.js';
import { DEBYE_PER_AU } from '../../lib/domain/units.js';
import { xtbTemplate } from '../../qm/codes/xtb/index.js';
import { parseXyz } from '../../qm/molecule.js';
import { type Geometry, InvalidInputError } from '../../qm/template.js';
import { readFixture } from '../helpers/fixtures.js';
import { water } from '../helpers/molecules.js';
import { failed, ok } from '../helpers/outcomes.js';
import { gfn2Spec } from '../helpers/xtb-spec.js';

const fixture = (name: string, exitCode: number | null) => readFixture('xtb', name, { exitCode });

const spec = gfn2Spec;

describe('xtbTemplate.write', () => {
  it('writes input.xyz and the GFN2 single-point argv', () => {
    const inputs = xtbTemplate.write(spec(), water);
    expect(inputs.argv).toEqual(['input.xyz', '--gfn', '2', '--chrg', '0', '--uhf', '0', '--json']);
    expect(Object.keys(inputs.files)).toEqual(['input.xyz']);
    const back = parseXyz(inputs.files['input.xyz'] ?? '');
    expect(back.symbols).toEqual(water.symbols);
    expect(back.coords).toEqual(water.coords);
  });

  it('maps each method', () => {
    expect(xtbTemplate.write(spec({ method: 'gfn1' }), water).argv.slice(1, 3)).toEqual(['--gfn', '1']);
    expect(xtbTemplate.write(spec({ method: 'gfnff' }), water).argv[1]).toBe('--gfnff');
  });

  it('adds solvent, optimisation and settings', () => {
    const argv = xtbTemplate.write(
      spec({
        task: 'optimize',
        solvent: 'water',
        settings: {
          optLevel: 'tight',
          cycles: 50,
          iterations: 300,
          accuracy: 0.3,
          electronicTemperature: 500,
        },
      }),
      water,
    ).argv;
    expect(argv).toEqual([
      'input.xyz',
      '--gfn',
      '2',
      '--chrg',
      '0',
      '--uhf',
      '0',
      '--alpb',
      'water',
      '--opt',
      'tight',
      '--acc',
      '0.3',
      '--cycles',
      '50',
      '--etemp',
      '500',
      '--iterations',
      '300',
      '--json',
    ]);
    expect(xtbTemplate.write(spec({ task: 'optimize' }), water).argv).toContain('--opt');
  });

  it('passes charge and unpaired electrons', () => {
    // OH radical: 9 electrons, doublet; hydroxide: 10 electrons, singlet; O2 triplet
    const oh: Geometry = {
      ...water,
      symbols: ['O', 'H'],
      coords: [water.coords[0] ?? [0, 0, 0], [0, 0, 1.0]],
    };
    expect(xtbTemplate.write(spec({ multiplicity: 2 }), oh).argv).toEqual(
      expect.arrayContaining(['--uhf', '1']),
    );
    const anion = xtbTemplate.write(spec({ charge: -1 }), oh).argv;
    expect(anion.slice(3, 7)).toEqual(['--chrg', '-1', '--uhf', '0']);
    const o2: Geometry = { ...oh, symbols: ['O', 'O'] };
    expect(xtbTemplate.write(spec({ multiplicity: 3 }), o2).argv.slice(5, 7)).toEqual(['--uhf', '2']);
  });

  it.each([
    ['another code', spec({ code: 'nwchem' }), /nwchem/],
    ['an unknown method', spec({ method: 'gfn3' }), /unknown xtb method/],
    ['a solvent that looks like an option', spec({ solvent: '--opt' }), /invalid solvent/],
    ['an unknown setting', spec({ settings: { maxiter: 5 } }), /unknown xtb setting "maxiter"/],
    ['a non-integer iteration count', spec({ settings: { iterations: 2.5 } }), /positive integer/],
    ['cycles for a single point', spec({ settings: { cycles: 5 } }), /needs task "optimize"/],
    [
      'an unknown optimisation level',
      spec({ task: 'optimize', settings: { optLevel: 'ultra' } }),
      /optLevel/,
    ],
    ['a doublet with an even electron count', spec({ multiplicity: 2 }), /impossible with 10 electrons/],
    ['a fractional charge', spec({ charge: 0.5 }), /integer/],
  ])('rejects %s', (_what, s, message) => {
    expect(() => xtbTemplate.write(s, water)).toThrow(InvalidInputError);
    expect(() => xtbTemplate.write(s, water)).toThrow(message);
  });

  it('rejects unusable geometries', () => {
    expect(() => xtbTemplate.write(spec(), { ...water, symbols: [], coords: [] })).toThrow(/no atoms/);
    expect(() => xtbTemplate.write(spec(), { ...water, symbols: ['O', 'H', 'Xx'] })).toThrow(
      /unknown element/,
    );
    expect(() =>
      xtbTemplate.write(spec(), {
        ...water,
        coords: [
          [0, 0, Number.NaN],
          [0, 0, 1],
          [0, 1, 0],
        ],
      }),
    ).toThrow(/non-finite/);
  });

  it('builds a spec from a campaign tier', () => {
    const tier = {
      code: 'xtb' as const,
      method: 'gfn1' as const,
      solvent: 'thf',
      optimize: true,
      threads: 2,
      timeoutSeconds: 60,
      settings: {},
    };
    expect(tierSpec(tier, { ...water, charge: -1, multiplicity: 1 })).toEqual({
      code: 'xtb',
      method: 'gfn1',
      task: 'optimize',
      solvent: 'thf',
      charge: -1,
      multiplicity: 1,
      settings: {},
    });
    expect(tierSpec({ ...tier, solvent: undefined, optimize: false }, water)).not.toHaveProperty('solvent');
  });
});

describe('xtbTemplate.parse on captured xtb 6.5.1 outputs', () => {
  it.each([
    // directory, total energy (Eh), HOMO-LUMO gap (eV), dipole (D): the values in each xtbout.json
    ['water-gfn2', -5.0703759, 14.6930033, 0.89140322 * DEBYE_PER_AU],
    ['ethanol-gfn2', -11.3933685, 12.53319401, 2.02924],
    ['ethanol-gfn1', -12.16243178, 8.8507005, 2.51137],
    ['ethanol-gfn2-alpb-water', -11.3999762, 12.61281711, 2.28109],
  ])('%s', (name, energy, gap, dipole) => {
    const out = ok(xtbTemplate.parse(fixture(name, 0)));
    expect(out.totalEnergy).toBe(energy);
    expect(out.homoLumoGap).toBe(gap);
    expect(out.dipoleMoment).toBeCloseTo(dipole, 4);
    expect(Math.hypot(...(out.dipoleVector ?? [0, 0, 0]))).toBeCloseTo(out.dipoleMoment ?? 0, 10);
    expect(out.warnings).toEqual([]);
    expect(out.finalGeometry).toBeUndefined();
    expect(out.partialCharges).toHaveLength(name.startsWith('water') ? 3 : 9);
  });

  it('agrees with the numbers xtb prints on stdout', () => {
    const out = ok(xtbTemplate.parse(fixture('water-gfn2', 0)));
    expect(out.totalEnergy).toBeCloseTo(-5.070375897275, 7);
    expect(out.homoLumoGap).toBeCloseTo(14.693003302697, 6);
    expect(out.dipoleMoment).toBeCloseTo(2.266, 3);
    expect(out.gradientNorm).toBe(0.007794674669);
  });

  it('takes the final dipole from stdout after an optimisation (the JSON one is stale)', () => {
    const out = ok(xtbTemplate.parse(fixture('ethanol-gfn2-opt', 0)));
    expect(out.totalEnergy).toBe(-11.39433855);
    expect(out.homoLumoGap).toBe(12.89393642);
    expect(out.dipoleMoment).toBe(1.994);
    expect(out.dipoleVector?.[2]).toBeCloseTo(0.334 * DEBYE_PER_AU, 10);
    expect(out.warnings).toEqual([expect.stringMatching(/stale/)]);
    const geom = out.finalGeometry;
    expect(geom?.symbols).toEqual(['C', 'C', 'O', 'H', 'H', 'H', 'H', 'H', 'H']);
    expect(geom?.coords[0]).toEqual([0.94196959009285, -0.03622571006404, -0.07638173136233]);
    expect([geom?.charge, geom?.multiplicity]).toEqual([0, 1]);
  });

  it('reads GFN-FF results from stdout (no xtbout.json, no gap, no dipole)', () => {
    const out = ok(xtbTemplate.parse(fixture('ethanol-gfnff', 0)));
    expect(out.totalEnergy).toBe(-1.219380020788);
    expect(out.homoLumoGap).toBeUndefined();
    expect(out.dipoleMoment).toBeUndefined();
    expect(out.warnings).toEqual(['gfnff_setup: Could not read topology file.']);
  });

  it('falls back to stdout when xtbout.json is missing or corrupt', () => {
    const raw = fixture('water-gfn2', 0);
    const missing = ok(xtbTemplate.parse({ ...raw, files: () => undefined }));
    expect(missing.totalEnergy).toBe(-5.070375897275);
    expect(missing.homoLumoGap).toBe(14.693003302697);
    expect(missing.dipoleMoment).toBe(2.266);
    const corrupt = ok(
      xtbTemplate.parse({ ...raw, files: (n) => (n === 'xtbout.json' ? '{"total ener' : undefined) }),
    );
    expect(corrupt.totalEnergy).toBe(-5.070375897275);
    expect(corrupt.warnings).toEqual([expect.stringMatching(/xtbout.json unreadable/)]);
  });

  it.each([
    [
      'water-scf-not-converged',
      1,
      'scf-not-converged',
      true,
      /Self consistent charge iterator did not converge/,
    ],
    ['ethanol-opt-not-converged', 0, 'opt-not-converged', true, /did not converge in 2 cycles/],
    ['water-unknown-solvent', 1, 'invalid-input', false, /'notasolvent' is not parametrized/],
    ['water-truncated-xyz', 1, 'invalid-input', false, /Could not parse coordinates/],
    ['water-unknown-option', 0, 'invalid-input', false, /Unknown option '--bogus'/],
    ['water-cluster-sigterm', 1, 'killed', true, /terminated by a signal/],
  ] as const)('classifies %s', (name, exitCode, kind, retryable, message) => {
    const f = failed(xtbTemplate.parse(fixture(name, exitCode)));
    expect(f.kind).toBe(kind);
    expect(f.retryable).toBe(retryable);
    expect(f.message).toMatch(message);
  });

  it('classifies a death by signal and a silent failure', () => {
    expect(failed(xtbTemplate.parse({ ...fixture('water-gfn2', null), stderr: '' })).kind).toBe('killed');
    const silent = failed(xtbTemplate.parse({ files: () => undefined, stdout: '', stderr: '', exitCode: 0 }));
    expect(silent).toMatchObject({ kind: 'unknown', retryable: false });
    const crashed = failed(
      xtbTemplate.parse({ files: () => undefined, stdout: '', stderr: 'segfault', exitCode: 139 }),
    );
    expect(crashed).toMatchObject({ kind: 'unknown', message: expect.stringMatching(/segfault/) });
  });
});
