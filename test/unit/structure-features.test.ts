import { describe, expect, it } from 'vitest';
import { CompositionError, compositionFeatures } from '../../lib/chem/composition.js';
import {
  type Lattice,
  latticeShape,
  latticeVolume,
  reducedBasis,
  toCartesian,
} from '../../lib/chem/lattice.js';
import { nearestNeighbours } from '../../lib/chem/neighbours.js';
import {
  CRYSTAL_FEATURE_NAMES,
  CrystalFeatureError,
  crystalFeatures,
  crystalSystemOneHot,
  formulaUnit,
  STRUCTURE_FEATURE_NAMES,
  structureFeatures,
} from '../../lib/chem/structure-features.js';
import type { Crystal, Vec3 } from '../../lib/domain/geometry.js';
import { ANGSTROM_PER_BOHR } from '../../lib/domain/units.js';
import { cesiumChloride, fccLattice, rockSalt, zincBlende } from '../../qm/structure.js';

const BOHR = 1 / ANGSTROM_PER_BOHR; // bohr per angstrom

const mgo = rockSalt('Mg', 'O', 4.212 * BOHR);
const cscl = cesiumChloride('Cs', 'Cl', 4.123 * BOHR);
const gaas = zincBlende('Ga', 'As', 5.653 * BOHR);
const cu: Crystal = {
  kind: 'crystal',
  lattice: fccLattice(3.615 * BOHR),
  symbols: ['Cu'],
  fractional: [[0, 0, 0]],
};
const fe: Crystal = {
  kind: 'crystal',
  lattice: [
    [2.866 * BOHR, 0, 0],
    [0, 2.866 * BOHR, 0],
    [0, 0, 2.866 * BOHR],
  ],
  symbols: ['Fe', 'Fe'],
  fractional: [
    [0, 0, 0],
    [0.5, 0.5, 0.5],
  ],
};

const named = (features: readonly number[], name: string) => {
  const i = STRUCTURE_FEATURE_NAMES.indexOf(name);
  if (i < 0) throw new Error(`no feature ${name}`);
  return features[i] as number;
};

/** The lattice in angstrom, for nearestNeighbours (which keeps the lattice's unit). */
const inAngstrom = (c: Crystal): Lattice =>
  c.lattice.map((v) => v.map((x) => x * ANGSTROM_PER_BOHR) as Vec3) as unknown as Lattice;

/** The same crystal repeated `times` along the first lattice vector. */
function supercell(c: Crystal, times: number): Crystal {
  const [a1, a2, a3] = c.lattice;
  const fractional: Vec3[] = [];
  const symbols: string[] = [];
  for (let k = 0; k < times; k++) {
    c.fractional.forEach((f, i) => {
      fractional.push([(f[0] + k) / times, f[1], f[2]]);
      symbols.push(c.symbols[i] as string);
    });
  }
  return { kind: 'crystal', lattice: [a1.map((x) => x * times) as Vec3, a2, a3], symbols, fractional };
}

/** The same crystal written with lattice vectors a1, a2, a3 + p a1 + q a2 (a much more oblique cell). */
function skewed(c: Crystal, p: number, q: number): Crystal {
  const [a1, a2, a3] = c.lattice;
  const lattice: [Vec3, Vec3, Vec3] = [a1, a2, add(a3, add(scaled(a1, p), scaled(a2, q)))];
  // r = f1 a1 + f2 a2 + f3 a3 = (f1 - p f3) a1 + (f2 - q f3) a2 + f3 a3'
  const fractional = c.fractional.map((f) => [f[0] - p * f[2], f[1] - q * f[2], f[2]] as Vec3);
  return { kind: 'crystal', lattice, symbols: c.symbols, fractional };
}

function expectClose(actual: readonly number[], expected: readonly number[], digits = 9) {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((x, i) => {
    expect(x, STRUCTURE_FEATURE_NAMES[i] ?? String(i)).toBeCloseTo(expected[i] as number, digits);
  });
}

describe('structure features of prototype crystals', () => {
  it('rock-salt MgO: 6-fold, nearest neighbour a/2, density 3.58 g/cm^3', () => {
    const f = structureFeatures(mgo);
    expect(f).toHaveLength(STRUCTURE_FEATURE_NAMES.length);
    expect(named(f, 'volumePerAtom')).toBeCloseTo(4.212 ** 3 / 8, 6);
    expect(named(f, 'density')).toBeCloseTo(3.58, 2);
    // Pyykko radii Mg 1.39 A, O 0.63 A; four formula units in a^3.
    const spheres = (4 / 3) * Math.PI * (1.39 ** 3 + 0.63 ** 3);
    expect(named(f, 'packingFraction')).toBeCloseTo(spheres / (4.212 ** 3 / 4), 9);
    for (const s of ['mean', 'min', 'max']) expect(named(f, `coordination.${s}`)).toBe(6);
    expect(named(f, 'nearestOverCovalent.mean')).toBeCloseTo(2.106 / (1.39 + 0.63), 9);
    // The primitive fcc cell: three equal vectors at 60 degrees.
    expectClose(f.slice(-5), [1, 1, 60, 60, 60]);

    const atoms = nearestNeighbours(inAngstrom(mgo), mgo.fractional);
    expect(atoms.map((a) => a.distance)).toEqual([expect.closeTo(2.106, 9), expect.closeTo(2.106, 9)]);
    expect(atoms.map((a) => a.nearest)).toEqual([[1], [0]]);
  });

  it('CsCl: 8-fold, in a cubic cell', () => {
    const f = structureFeatures(cscl);
    for (const s of ['mean', 'min', 'max']) expect(named(f, `coordination.${s}`)).toBe(8);
    expectClose(f.slice(-5), [1, 1, 90, 90, 90]);
    const atoms = nearestNeighbours(inAngstrom(cscl), cscl.fractional);
    expect(atoms[0]?.distance).toBeCloseTo((4.123 * Math.sqrt(3)) / 2, 9);
  });

  it('zinc blende GaAs: 4-fold at a sqrt(3)/4', () => {
    const f = structureFeatures(gaas);
    for (const s of ['mean', 'min', 'max']) expect(named(f, `coordination.${s}`)).toBe(4);
    const atoms = nearestNeighbours(inAngstrom(gaas), gaas.fractional);
    expect(atoms[1]?.distance).toBeCloseTo((5.653 * Math.sqrt(3)) / 4, 9);
    expect(named(f, 'density')).toBeCloseTo(5.32, 2); // GaAs, 5.32 g/cm^3
  });

  it('fcc Cu: 12-fold, its own images the nearest atoms', () => {
    const f = structureFeatures(cu);
    expect(named(f, 'coordination.mean')).toBe(12);
    expect(named(f, 'density')).toBeCloseTo(8.93, 2); // 4 Cu in 3.615^3 A^3
    const [atom] = nearestNeighbours(inAngstrom(cu), cu.fractional);
    expect(atom?.distance).toBeCloseTo(3.615 / Math.SQRT2, 9);
    expect(atom?.nearest).toEqual([0]);
  });

  it('bcc Fe: the default 10% shell stops before the second shell at 2/sqrt(3) x the first; 20% does not', () => {
    expect(named(structureFeatures(fe), 'coordination.mean')).toBe(8);
    expect(named(structureFeatures(fe, 0.2), 'coordination.mean')).toBe(14);
  });
});

describe('invariance', () => {
  it('a 2x1x1 supercell has the same features, except the shape of its (different) lattice', () => {
    const big = supercell(mgo, 2);
    const small = structureFeatures(mgo);
    const large = structureFeatures(big);
    const shape = STRUCTURE_FEATURE_NAMES.map((n) => n.startsWith('lattice.'));
    expectClose(
      large.filter((_, i) => !shape[i]),
      small.filter((_, i) => !shape[i]),
    );
    // And so does crystalFeatures' composition part: atoms per formula unit, not per cell.
    const whole = crystalFeatures(big);
    const base = crystalFeatures(mgo);
    CRYSTAL_FEATURE_NAMES.forEach((name, i) => {
      if (!name.startsWith('lattice.')) expect(whole[i], name).toBeCloseTo(base[i] as number, 9);
    });
  });

  it('permuting the atoms changes nothing', () => {
    const big = supercell(gaas, 3);
    const order = [4, 1, 5, 0, 3, 2];
    const permuted: Crystal = {
      ...big,
      symbols: order.map((i) => big.symbols[i] as string),
      fractional: order.map((i) => big.fractional[i] as Vec3),
    };
    expectClose(crystalFeatures(permuted), crystalFeatures(big), 12);
  });

  it('translating the atoms by a lattice vector or all atoms together changes nothing', () => {
    const moved: Crystal = {
      ...mgo,
      fractional: mgo.fractional.map((f, i) => [f[0] + 0.13 + i, f[1] - 2.2, f[2] + 0.4] as Vec3),
    };
    expectClose(structureFeatures(moved), structureFeatures(mgo), 9);
  });

  it('a very oblique setting of the same cell finds the same neighbours and the same shape', () => {
    const oblique = skewed(mgo, 6, 5);
    // What makes this test: searching only the 27 cells around the wrapped positions misses the neighbours.
    expect(naiveNearest(inAngstrom(oblique), oblique.fractional)).toBeGreaterThan(2.2);

    const atoms = nearestNeighbours(inAngstrom(oblique), oblique.fractional);
    expect(atoms.map((a) => a.distance)).toEqual([expect.closeTo(2.106, 9), expect.closeTo(2.106, 9)]);
    expect(atoms.map((a) => a.coordination)).toEqual([6, 6]);
    expectClose(structureFeatures(oblique), structureFeatures(mgo), 8);
  });

  it('a triclinic cell with several atoms: nearest neighbours agree with a brute-force search', () => {
    const lattice: Lattice = [
      [4.1, 0.3, -0.2],
      [1.7, 3.6, 0.4],
      [-2.9, 2.2, 3.3],
    ];
    const fractional: Vec3[] = [
      [0.05, 0.1, 0.2],
      [0.55, 0.4, 0.1],
      [0.3, 0.8, 0.7],
      [0.9, 0.6, 0.45],
    ];
    const atoms = nearestNeighbours(lattice, fractional);
    atoms.forEach((a, i) => {
      expect(a.distance).toBeCloseTo(bruteNearest(lattice, fractional, i, 8), 12);
    });
  });
});

describe('lattice shape', () => {
  it('the reduced basis spans the same volume and has the shortest vectors', () => {
    const oblique = inAngstrom(skewed(cu, 5, 7));
    const reduced = reducedBasis(oblique);
    expect(latticeVolume(reduced)).toBeCloseTo(latticeVolume(oblique), 9);
    for (const v of reduced) expect(Math.hypot(...v)).toBeCloseTo(3.615 / Math.SQRT2, 9);
  });

  it('is the same in another setting of the lattice (vectors permuted, negated, combined)', () => {
    const l: Lattice = [
      [3, 0, 0],
      [0.8, 4, 0],
      [0.5, -0.7, 5],
    ];
    const reference = latticeShape(l);
    const other: Lattice = [
      l[2],
      l[0].map((x) => -x) as Vec3,
      add(l[1], add(scaled(l[0], 2), scaled(l[2], -1))),
    ];
    const shape = latticeShape(other);
    expectClose(shape.lengths, reference.lengths, 9);
    expectClose(shape.angles, reference.angles, 9);
  });
});

describe('crystalFeatures', () => {
  it('is composition of the formula unit, structure, then the crystal system', () => {
    const f = crystalFeatures(mgo, { spaceGroup: 225 });
    expect(f).toHaveLength(CRYSTAL_FEATURE_NAMES.length);
    const composition = compositionFeatures({ Mg: 1, O: 1 });
    expect(f.slice(0, composition.length)).toEqual(composition);
    expect(f.slice(composition.length, composition.length + STRUCTURE_FEATURE_NAMES.length)).toEqual(
      structureFeatures(mgo),
    );
    expect(f.slice(-7)).toEqual([0, 0, 0, 0, 0, 0, 1]);
    expect(CRYSTAL_FEATURE_NAMES.at(-1)).toBe('crystalSystem.cubic');
    expect(new Set(CRYSTAL_FEATURE_NAMES).size).toBe(CRYSTAL_FEATURE_NAMES.length);
  });

  it('maps space groups to the seven crystal systems, and nothing when unknown', () => {
    const system = (sg?: number) => crystalSystemOneHot(sg).indexOf(1);
    expect([1, 2, 3, 15, 16, 74, 75, 142, 143, 167, 168, 194, 195, 230].map(system)).toEqual([
      0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
    ]);
    expect(crystalSystemOneHot(undefined)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    for (const bad of [0, 231, 12.5, Number.NaN]) {
      expect(() => crystalSystemOneHot(bad)).toThrow(CrystalFeatureError);
    }
  });

  it('reduces the composition to its formula unit', () => {
    expect(formulaUnit({ Sr: 2, Ti: 2, O: 6 })).toEqual({ Sr: 1, Ti: 1, O: 3 });
    expect(formulaUnit({ Cu: 4 })).toEqual({ Cu: 1 });
  });

  it('is finite for random cells, however oblique or crowded', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const elements = ['H', 'Li', 'O', 'Si', 'Fe', 'Cs', 'Bi'];
    for (let trial = 0; trial < 40; trial++) {
      const lattice = [0, 1, 2].map((k) =>
        [0, 1, 2].map((m) => (m === k ? 3 + 6 * random() : 4 * (random() - 0.5)) * BOHR),
      ) as [Vec3, Vec3, Vec3];
      const n = 1 + Math.floor(random() * 6);
      const c: Crystal = {
        kind: 'crystal',
        lattice,
        symbols: Array.from({ length: n }, () => elements[Math.floor(random() * elements.length)] as string),
        fractional: Array.from({ length: n }, () => [random(), random(), random()] as Vec3),
      };
      const f = crystalFeatures(c, { spaceGroup: 1 });
      expect(f).toHaveLength(CRYSTAL_FEATURE_NAMES.length);
      expect(f.every(Number.isFinite), JSON.stringify(c)).toBe(true);
    }
    // Two atoms on one site: a distance of zero is still a number.
    const doubled: Crystal = {
      ...cu,
      symbols: ['Cu', 'Cu'],
      fractional: [
        [0, 0, 0],
        [0, 0, 0],
      ],
    };
    expect(structureFeatures(doubled).every(Number.isFinite)).toBe(true);
  });

  it('refuses what is not a cell, and elements without properties', () => {
    expect(() => structureFeatures({ ...mgo, symbols: [], fractional: [] })).toThrow(CrystalFeatureError);
    expect(() => structureFeatures({ ...mgo, fractional: [[0, 0, 0]] })).toThrow(/2 species but 1 positions/);
    const flat: Crystal = {
      ...mgo,
      lattice: [
        [1, 0, 0],
        [0, 1, 0],
        [1, 1, 0],
      ],
    };
    expect(() => structureFeatures(flat)).toThrow(/linearly dependent/);
    expect(() =>
      structureFeatures({
        ...mgo,
        fractional: [
          [0, 0, Number.NaN],
          [0.5, 0.5, 0.5],
        ],
      }),
    ).toThrow(CrystalFeatureError);
    expect(() => crystalFeatures({ ...mgo, symbols: ['Mg', 'Xe'] })).toThrow(CompositionError);
  });
});

function add(u: Vec3, v: Vec3): Vec3 {
  return [u[0] + v[0], u[1] + v[1], u[2] + v[2]];
}

function scaled(u: Vec3, k: number): Vec3 {
  return [u[0] * k, u[1] * k, u[2] * k];
}

/** The nearest distance from atom i, checking every image within `reach` cells along each axis. */
function bruteNearest(lattice: Lattice, fractional: readonly Vec3[], i: number, reach: number): number {
  const fi = fractional[i] as Vec3;
  let best = Number.POSITIVE_INFINITY;
  fractional.forEach((fj, j) => {
    for (let a = -reach; a <= reach; a++)
      for (let b = -reach; b <= reach; b++)
        for (let c = -reach; c <= reach; c++) {
          if (i === j && a === 0 && b === 0 && c === 0) continue;
          const r = toCartesian(lattice, [fj[0] - fi[0] + a, fj[1] - fi[1] + b, fj[2] - fi[2] + c]);
          best = Math.min(best, Math.hypot(...r));
        }
  });
  return best;
}

/** What a search of only the 27 cells around wrapped positions finds for atom 0. */
function naiveNearest(lattice: Lattice, fractional: readonly Vec3[]): number {
  const wrapped = fractional.map((f) => f.map((x) => x - Math.floor(x)) as Vec3);
  return bruteNearest(lattice, wrapped, 0, 1);
}
