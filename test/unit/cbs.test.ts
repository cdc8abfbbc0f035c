import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { crossValidate, fromLargestBasis, WHOLE_LADDER } from '../../activities/cbs/cross-validate.js';
import { literatureAlpha, stoichiometricError, twoPoint } from '../../lib/cbs/baselines.js';
import { cardinalNumber, loadCbsDatasetConfig } from '../../lib/cbs/dataset-config.js';
import {
  type ExampleSet,
  elementsAnchor,
  moleculeExamples,
  referenceChecks,
  solidExamples,
} from '../../lib/cbs/examples.js';
import { summarise } from '../../lib/cbs/metrics.js';
import { type MoleculeRow, type SolidRow, settingsVariants } from '../../lib/cbs/rows.js';
import { MEV_PER_HARTREE as HARTREE_MEV } from '../../lib/domain/units.js';
import { mulberry32 } from '../../lib/random.js';

describe('sMAPE, MAE and coverage', () => {
  it('gives both sMAPE forms, MAE in meV/atom and interval coverage', () => {
    const s = summarise([1e-3, 2e-3], [1e-3, 1e-3], { lo: [0.5e-3, 0], hi: [2e-3, 1.5e-3] });
    // second pair: |1-2| / (1+2) = 1/3
    expect(s.smape).toBeCloseTo((200 * (1 / 3)) / 2, 10);
    expect(s.smapeHalf).toBeCloseTo((100 * (1 / 3)) / 2, 10);
    expect(s.maeMeV).toBeCloseTo((1e-3 / 2) * HARTREE_MEV, 8);
    expect(s.coverage).toBe(0.5);
  });

  it('counts exact zeros as exact', () => {
    expect(summarise([0], [0]).smape).toBe(0);
  });
});

describe('analytic baselines', () => {
  it('two-point extrapolation recovers the limit of its own form', () => {
    for (const form of ['exp-sqrt', 'halkier'] as const) {
      const alpha = literatureAlpha(form, 2);
      const curve = (x: number) =>
        -76.4 + 0.5 * (form === 'halkier' ? Math.exp(-alpha * x) : Math.exp(-alpha * Math.sqrt(x)));
      const fit = twoPoint(form, alpha, { x: 2, e: curve(2) }, { x: 3, e: curve(3) });
      expect(fit.eInf).toBeCloseTo(-76.4, 12);
      expect(fit.at(4)).toBeCloseTo(curve(4), 12);
    }
  });

  it('uses the Neese-Valeev exponents by pair and Halkier 1.63', () => {
    expect(literatureAlpha('exp-sqrt', 2)).toBe(4.42);
    expect(literatureAlpha('exp-sqrt', 3)).toBe(5.46);
    expect(literatureAlpha('halkier', 2)).toBe(1.63);
    expect(() => twoPoint('halkier', 1.63, { x: 3, e: 0 }, { x: 2, e: 0 })).toThrow(/X_high > X_low/);
  });

  it('stoichiometric baseline weights element errors by atomic fraction', () => {
    const errors: Record<string, number> = { Ga: 0.004, As: 0.002 };
    expect(stoichiometricError({ Ga: 1, As: 1 }, (s) => errors[s])).toBeCloseTo(0.003, 15);
    expect(stoichiometricError({ Ga: 1, N: 3 }, (s) => errors[s])).toBeUndefined();
  });
});

describe('the data-set file', () => {
  it('reads cardinal numbers', () => {
    expect(cardinalNumber('cc-pVDZ')).toBe(2);
    expect(cardinalNumber('aug-cc-pVTZ')).toBe(3);
    expect(cardinalNumber('cc-pV5Z')).toBe(5);
    expect(cardinalNumber('6-31G*')).toBeUndefined();
  });

  it('describes at least 60 binary solids and 100 molecules', () => {
    const file = 'configs/cbs/dataset.yaml';
    const { data, problems } = loadCbsDatasetConfig(readFileSync(file, 'utf8'), file);
    expect(problems).toEqual([]);
    const binaries = Object.values(data?.solids?.compounds ?? {}).flat();
    expect(new Set(binaries).size).toBeGreaterThanOrEqual(60);
    expect(new Set(data?.molecules?.smiles).size).toBeGreaterThanOrEqual(100);
    expect(data?.molecules?.ladder).toEqual(['cc-pVDZ', 'cc-pVTZ']);
  });

  it('points at a compound that is not a binary AB', () => {
    const text =
      'version: 1\nsolids:\n  ladder: [5, 6]\n  reference: 9\n  compounds:\n    rockSalt: [MgO, Al2O3]\n';
    const { problems } = loadCbsDatasetConfig(text, 'd.yaml');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 6, path: 'solids.compounds.rockSalt.1' });
    expect(problems[0]?.message).toMatch(/binary formula AB/);
  });

  it('refuses a reference below the ladder', () => {
    const text = 'version: 1\nsolids:\n  ladder: [5, 9]\n  reference: 8\n';
    expect(loadCbsDatasetConfig(text, 'd.yaml').problems[0]?.message).toMatch(/below the reference/);
  });

  it('refuses a solids check below the reference or on a compound it does not compute', () => {
    const base = 'version: 1\nsolids:\n  ladder: [5]\n  reference: 9\n  compounds: {rockSalt: [MgO]}\n';
    const low = loadCbsDatasetConfig(`${base}  check: {rgkmax: 8, compounds: [MgO]}\n`, 'd.yaml').problems;
    expect(low.map((p) => p.message)).toEqual([expect.stringMatching(/above the reference/)]);
    const other = loadCbsDatasetConfig(
      `${base}  check: {rgkmax: 11, compounds: [NaCl]}\n`,
      'd.yaml',
    ).problems;
    expect(other.map((p) => p.message)).toEqual([expect.stringMatching(/listed under compounds/)]);
    expect(
      loadCbsDatasetConfig(`${base}  check: {rgkmax: 11, compounds: [MgO]}\n`, 'd.yaml').problems,
    ).toEqual([]);
  });
});

describe('settings of a data file', () => {
  it('are one set when only the basis differs, and two when a run changed them', () => {
    const same = [
      solid('MgO', 5, -99.99, { settings: { rgkmax: 5, gmaxvr: 20 } }),
      solid('MgO', 9, -100, { settings: { rgkmax: 9, gmaxvr: 20 } }),
      solid('O', 9, -75, { status: 'failed', settings: { rgkmax: 9, gmaxvr: 12 } }),
    ];
    expect(settingsVariants(same)).toHaveLength(1);
    const mixed = [...same, solid('Mg', 9, -200, { settings: { rgkmax: 9, gmaxvr: 12 } })];
    expect(settingsVariants(mixed).map((v) => v.rows)).toEqual([2, 1]);
  });
});

describe("the reference's own error", () => {
  it('is the check basis minus the reference, per atom, where both converged', () => {
    const rows = [
      solid('MgO', 9, -100),
      solid('MgO', 11, -100.0002, { role: 'check' }),
      solid('GaAs', 9, -4000),
      solid('GaAs', 11, -4000.1, { role: 'check', status: 'failed', energyPerAtom: null }),
    ];
    const checks = referenceChecks(
      rows,
      (r) => r.compound,
      (r) => `rgkmax ${r.rgkmax}`,
    );
    expect(checks).toEqual([{ group: 'MgO', basis: 'rgkmax 11', error: expect.closeTo(-0.0002, 12) }]);
  });
});

function solid(compound: string, rgkmax: number, e: number, extra: Partial<SolidRow> = {}): SolidRow {
  const species = compound === 'MgO' ? ['Mg', 'O'] : compound === 'GaAs' ? ['Ga', 'As'] : [compound];
  return {
    compound,
    formula: compound,
    kind: species.length === 1 ? 'element' : 'binary',
    prototype: species.length === 1 ? 'fcc' : 'rockSalt',
    species,
    atoms: species.length,
    latticeConstantBohr: 8,
    rgkmax,
    role: rgkmax === 9 ? 'reference' : 'ladder',
    status: 'ok',
    failure: null,
    energy: e * species.length,
    energyPerAtom: e,
    fermiEnergy: null,
    bandGap: 1,
    scfIterations: 10,
    cpuSeconds: 1,
    wallSeconds: 1,
    code: 'elk',
    codeVersion: '8.4.30',
    method: 'pbe',
    settings: {},
    resultKey: 'k',
    host: 'h',
    ...extra,
  };
}

describe('examples from data-set rows', () => {
  it('targets the per-atom error against the reference, with the stoichiometric baseline', () => {
    const rows = [
      solid('MgO', 5, -99.99),
      solid('MgO', 7, -99.998),
      solid('MgO', 9, -100),
      solid('Mg', 5, -199.996),
      solid('Mg', 9, -200),
      solid('O', 5, -74.998),
      solid('O', 9, -75),
      // a broken reference (above a ladder energy): dropped, with the reason
      solid('GaAs', 5, -4000.5),
      solid('GaAs', 9, -4000),
    ];
    const set = solidExamples(rows);
    expect(set.examples.map((e) => e.target)).toEqual([expect.closeTo(0.01, 9), expect.closeTo(0.002, 9)]);
    expect(set.examples[0]?.baselines.stoichiometric).toBeCloseTo(0.003, 12);
    // rgkmax 7 has no element results: no baseline there
    expect(set.examples[1]?.baselines.stoichiometric).toBeUndefined();
    // the second example knows the step from rgkmax 5 (mHa/atom)
    expect(set.examples[1]?.features.slice(0, 4)).toEqual([7, 1, expect.closeTo(-8, 9), 2]);
    expect(set.dropped).toEqual([{ group: 'GaAs', reason: expect.stringMatching(/below the reference/) }]);
    expect(set.featureNames).toHaveLength(set.examples[0]?.features.length ?? -1);
    // the stoichiometric estimate is also a feature (flag, asinh of meV/atom), found by name
    const anchor = elementsAnchor(set.featureNames);
    expect(set.examples[0]?.features[anchor?.known ?? -1]).toBe(1);
    expect(set.examples[0]?.features[anchor?.asinhMeV ?? -1]).toBeCloseTo(Math.asinh(0.003 * HARTREE_MEV), 9);
    expect(set.examples[1]?.features[anchor?.known ?? -1]).toBe(0);
    expect(elementsAnchor(['basisSize', 'z'])).toBeUndefined();
  });

  it('fits the two-point baselines on the two smallest bases and predicts the reference basis', () => {
    const alpha = 4.42;
    const curve = (x: number) => -25 + 0.03 * Math.exp(-alpha * Math.sqrt(x));
    const row = (basis: string, x: number, role: MoleculeRow['role']): MoleculeRow => ({
      ...solid('O', 5, curve(x)),
      smiles: 'O',
      formula: 'H2O',
      species: ['O', 'H', 'H'],
      atoms: 3,
      charge: 0,
      multiplicity: 1,
      geometryHash: 'g',
      basis,
      cardinal: x,
      role,
      homo: -7,
      lumo: 1,
      energy: 3 * curve(x),
      bandGap: 8,
    });
    const set = moleculeExamples([
      row('cc-pVDZ', 2, 'ladder'),
      row('cc-pVTZ', 3, 'ladder'),
      row('cc-pVQZ', 4, 'reference'),
    ]);
    expect(set.examples).toHaveLength(2);
    for (const e of set.examples) {
      // data on the exp-sqrt curve: that baseline is exact, Halkier's is not
      expect(e.baselines['exp-sqrt']).toBeCloseTo(e.target, 12);
      expect(Math.abs((e.baselines.halkier as number) - e.target)).toBeGreaterThan(1e-6);
    }
  });
});

describe('leave-compound-out cross-validation', () => {
  /** Each compound's error is random, and a feature identifies the compound: only a leak could predict it. */
  function leakDetector(): ExampleSet {
    const rng = mulberry32(7);
    const examples = Array.from({ length: 40 }, (_, g) => {
      const id = rng();
      const error = 1e-4 + 1e-3 * rng();
      return [5, 6, 7].map((size) => ({
        group: `c${g}`,
        basisSize: size,
        features: [size, id],
        target: error / (size - 4),
        baselines: {},
      }));
    }).flat();
    return { featureNames: ['size', 'id'], examples, dropped: [], baselinesRead: 'same basis' };
  }

  it('never predicts a compound with a model that saw it', async () => {
    const cv = await crossValidate(leakDetector(), { folds: 5, trees: 50, minSamplesLeaf: 1 });
    expect(cv.compounds).toBe(40);
    expect(cv.predictions).toHaveLength(120);
    // with a leak the id feature would give near-exact predictions (sMAPE of a few %)
    expect(cv.scores.qrf?.smape).toBeGreaterThan(30);
  });

  it('learns a smooth dependence on composition and basis with calibrated intervals', async () => {
    const rng = mulberry32(3);
    const examples = Array.from({ length: 60 }, (_, g) => {
      const z = 1 + 30 * rng();
      return [5, 6, 7, 8].map((size) => ({
        group: `c${g}`,
        basisSize: size,
        features: [size, z],
        target: 1e-4 * z * Math.exp(-(size - 5)) * (1 + 0.1 * (rng() - 0.5)),
        baselines: {},
      }));
    }).flat();
    const cv = await crossValidate(
      { featureNames: ['size', 'z'], examples, dropped: [], baselinesRead: 'same basis' },
      { trees: 100 },
    );
    expect(cv.scores.qrf?.smape).toBeLessThan(25);
    expect(cv.scores.qrf?.coverage).toBeGreaterThan(0.8);
    expect(Object.keys(cv.byBasis)).toEqual(['5', '6', '7', '8']);
    expect(cv.scores[WHOLE_LADDER]).toBeUndefined();
  });

  it('learns the first rung as a correction to an anchor estimate where one is known', async () => {
    // the error is 1.3 x an estimate spanning three orders of magnitude; two compounds in five lack the estimate
    const rng = mulberry32(11);
    const examples = Array.from({ length: 80 }, (_, g) => {
      const estimate = 10 ** (-4 + 3 * rng());
      const known = g % 5 < 3 ? 1 : 0;
      return {
        group: `c${g}`,
        basisSize: 5,
        features: [5, 0, 0, 0, rng(), known, known ? Math.asinh(estimate * HARTREE_MEV) : 0],
        target: 1.3 * estimate * (1 + 0.02 * (rng() - 0.5)),
        baselines: {},
      };
    });
    const names = [
      'size',
      'hasPrevious',
      'step',
      'increment',
      'noise',
      'elementsKnown',
      'asinhElementsError_meV',
    ];
    const set: ExampleSet = { featureNames: names, examples, dropped: [], baselinesRead: 'same basis' };
    const cv = await crossValidate(set, { trees: 100 });
    const known = cv.predictions.filter((p) => p.example.features[5] === 1);
    const withAnchor = summarise(
      known.map((p) => p.example.target),
      known.map((p) => p.median),
    );
    // a ratio forest is near exact; the asinh forest alone steps between leaves (tens of % here)
    expect(withAnchor.smape).toBeLessThan(3);
    const without = await crossValidate(set, { trees: 100, anchor: { known: 99, asinhMeV: 99 } });
    const knownWithout = without.predictions.filter((p) => p.example.features[5] === 1);
    expect(
      summarise(
        knownWithout.map((p) => p.example.target),
        knownWithout.map((p) => p.median),
      ).smape,
    ).toBeGreaterThan(3);
    // the unknown ones still get a prediction from the forest over every first rung
    expect(cv.predictions.every((p) => Number.isFinite(p.median))).toBe(true);
  });

  it('scores every row from the largest basis when the baselines read the whole ladder', () => {
    // true errors 10 (DZ) and 2 (TZ) mHa; the model predicted 7 at DZ and 2.5 [2, 3] at TZ
    const ex = (basisSize: number, target: number) => ({
      group: 'm',
      basisSize,
      features: [],
      target,
      baselines: {},
    });
    const out = fromLargestBasis([
      { example: ex(2, 10e-3), median: 7e-3, lo: 6e-3, hi: 8e-3 },
      { example: ex(3, 2e-3), median: 2.5e-3, lo: 2e-3, hi: 3e-3 },
    ]);
    // DZ: E(DZ) - E(TZ) = 8 mHa, plus TZ's prediction
    expect(out[0]?.median).toBeCloseTo(10.5e-3, 12);
    expect(out[0]?.lo).toBeCloseTo(10e-3, 12);
    expect(out[0]?.hi).toBeCloseTo(11e-3, 12);
    expect(out[1]?.median).toBeCloseTo(2.5e-3, 12);
  });
});
