import { describe, expect, it } from 'vitest';
import { ANGSTROM_PER_BOHR } from '../../lib/domain/units.js';
import {
  canonicalCrystal,
  cartesianToFractional,
  cellVolume,
  cesiumChloride,
  checkCrystal,
  crystalToJson,
  fractionalToCartesian,
  readCrystal,
  rockSalt,
  StructureError,
  zincBlende,
} from '../../qm/structure.js';
import type { Crystal, Vec3 } from '../../qm/template.js';
import { mgoJson } from '../helpers/crystals.js';

const A = 1 / ANGSTROM_PER_BOHR; // bohr per angstrom

function close(a: readonly number[], b: readonly number[], digits = 9) {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => {
    expect(x).toBeCloseTo(b[i] as number, digits);
  });
}

describe('readCrystal: JSON', () => {
  it('reads fractional positions in bohr', () => {
    const c = readCrystal(JSON.stringify(mgoJson), 'mgo.json');
    expect(c).toEqual({
      kind: 'crystal',
      ...{ lattice: mgoJson.lattice, symbols: ['Mg', 'O'], fractional: mgoJson.fractional },
    });
    expect(c).toEqual(rockSalt('Mg', 'O', 7.96));
  });

  it('converts angstrom and Cartesian positions', () => {
    const a = 4.2; // angstrom
    const c = readCrystal(
      JSON.stringify({
        units: 'angstrom',
        lattice: [
          [a, 0, 0],
          [0, a, 0],
          [0, 0, a],
        ],
        species: ['cs', 'CL'],
        cartesian: [
          [0, 0, 0],
          [a / 2, a / 2, a / 2],
        ],
      }),
      'cscl.json',
    );
    expect(c.symbols).toEqual(['Cs', 'Cl']);
    close(c.lattice[0], [a * A, 0, 0]);
    close(c.fractional[1] as Vec3, [0.5, 0.5, 0.5]);
    expect(canonicalCrystal(c).hash).toBe(canonicalCrystal(cesiumChloride('Cs', 'Cl', a * A)).hash);
  });

  it('says what is wrong, naming the file', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['{"lattice": ', /^bad\.json: not valid JSON/],
      [[1, 2], /expected a JSON object/],
      [{ ...mgoJson, units: undefined }, /"units" must be "bohr" or "angstrom" \(it is missing\)/],
      [{ ...mgoJson, units: 'nm' }, /"units" must be "bohr" or "angstrom", got "nm"/],
      [{ ...mgoJson, lattice: [[1, 0, 0]] }, /"lattice" must be three rows of three numbers/],
      [{ ...mgoJson, species: 'MgO' }, /"species" must be an array of element symbols/],
      [{ ...mgoJson, cartesian: [[0, 0, 0]] }, /exactly one of "fractional" and "cartesian"/],
      [{ ...mgoJson, fractional: undefined }, /exactly one of "fractional" and "cartesian"/],
      [{ ...mgoJson, fractional: [[0, 0, 0]] }, /2 species but 1 fractional positions/],
      [
        {
          ...mgoJson,
          fractional: [
            [0, 0, 0],
            [0.5, 'x', 0.5],
          ],
        },
        /"fractional"\[1\] must be three finite numbers/,
      ],
      [{ ...mgoJson, species: ['Mg', 'Q'] }, /atom 2: unknown element "Q"/],
      [{ ...mgoJson, spacegroup: 225 }, /unknown key\(s\) "spacegroup"/],
      [
        {
          ...mgoJson,
          lattice: [
            [1, 0, 0],
            [2, 0, 0],
            [0, 0, 1],
          ],
        },
        /linearly dependent/,
      ],
      [
        {
          ...mgoJson,
          fractional: [
            [0, 0, 0],
            [1, 0, 1],
          ],
        },
        /atoms 1 \(Mg\) and 2 \(O\) are 0\.000 bohr apart.*listed twice/,
      ],
    ];
    for (const [doc, message] of cases) {
      const text = typeof doc === 'string' ? doc : JSON.stringify(doc);
      expect(() => readCrystal(text, 'bad.json'), text).toThrow(StructureError);
      expect(() => readCrystal(text, 'bad.json'), text).toThrow(message);
    }
  });
});

describe('readCrystal: extended XYZ', () => {
  const a = 4.2;
  const xyz = [
    '2',
    `Lattice="0 ${a / 2} ${a / 2} ${a / 2} 0 ${a / 2} ${a / 2} ${a / 2} 0" Properties=species:S:1:pos:R:3 pbc="T T T" energy=-1.5`,
    'Mg 0 0 0',
    `O ${a / 2} ${a / 2} ${a / 2}`,
    '',
  ].join('\n');

  it('reads lattice (angstrom) and Cartesian positions into bohr and fractional', () => {
    const c = readCrystal(xyz, 'mgo.xyz');
    close(c.lattice.flat(), rockSalt('Mg', 'O', a * A).lattice.flat());
    close(c.fractional.flat(), [0, 0, 0, 0.5, 0.5, 0.5]);
    expect(canonicalCrystal(c).hash).toBe(canonicalCrystal(rockSalt('Mg', 'O', a * A)).hash);
  });

  it('finds species and pos among other columns, and defaults Properties', () => {
    const withForces = xyz
      .replace('Properties=species:S:1:pos:R:3', 'Properties=tags:I:1:species:S:1:pos:R:3:forces:R:3')
      .replace('Mg 0 0 0', '7 Mg 0 0 0 0.1 0.2 0.3')
      .replace(/^O (.*)$/m, '8 O $1 0 0 0');
    expect(canonicalCrystal(readCrystal(withForces)).hash).toBe(canonicalCrystal(readCrystal(xyz)).hash);
    const bare = xyz.replace(' Properties=species:S:1:pos:R:3', '');
    expect(canonicalCrystal(readCrystal(bare)).hash).toBe(canonicalCrystal(readCrystal(xyz)).hash);
  });

  it('says what is wrong, naming the file', () => {
    const cases: Array<[string, RegExp]> = [
      ['hello', /bad\.xyz: neither JSON .* nor extended XYZ/],
      [xyz.replace(/Lattice="[^"]*"/, ''), /needs Lattice="ax ay az/],
      [xyz.replace(/Lattice="[^"]*"/, 'Lattice="1 2 3"'), /Lattice must hold 9 numbers/],
      [xyz.replace('pbc="T T T"', 'pbc="T T F"'), /only fully periodic structures/],
      [xyz.replace('species:S:1:pos:R:3', 'species:S:1'), /lacks species:S:1 or pos:R:3/],
      [xyz.replace('Mg 0 0 0', 'Mg 0 0'), /line 3: cannot read atom 1/],
      [xyz.replace('Mg 0 0 0', 'Xq 0 0 0'), /unknown element "Xq"/],
      [`3${xyz.slice(1)}`.replace(/\n$/, ''), /expected 3 atom lines, found 2/],
    ];
    for (const [text, message] of cases) {
      expect(() => readCrystal(text, 'bad.xyz'), text).toThrow(message);
    }
  });
});

describe('canonicalCrystal', () => {
  const base: Crystal = {
    kind: 'crystal',
    lattice: [
      [7.5, 0, 0],
      [0, 7.5, 0],
      [0, 0, 9],
    ],
    symbols: ['Ti', 'O', 'O', 'Ti'],
    fractional: [
      [0, 0, 0],
      [0.3, 0.3, 0],
      [0.7, 0.7, 0],
      [0.5, 0.5, 0.5],
    ],
  };
  const hash = canonicalCrystal(base).hash;

  it('is stable under atom permutation', () => {
    const order = [3, 1, 0, 2];
    const permuted = {
      ...base,
      symbols: order.map((i) => base.symbols[i] as string),
      fractional: order.map((i) => base.fractional[i] as Vec3),
    };
    expect(canonicalCrystal(permuted).hash).toBe(hash);
  });

  it('wraps fractional coordinates into [0, 1), including values that round to 1', () => {
    const shifted = {
      ...base,
      fractional: [
        [1, -1, 2],
        [0.3, 1.3, -1],
        [-0.3, 0.7, 0.9999999999],
        [0.5, -0.5, 1.5],
      ] as Vec3[],
    };
    expect(canonicalCrystal(shifted).hash).toBe(hash);
  });

  it('rounds away floating-point noise but not real differences', () => {
    const noisy = { ...base, lattice: base.lattice.map((v) => v.map((x) => x + 1e-9)) as Crystal['lattice'] };
    expect(canonicalCrystal(noisy).hash).toBe(hash);
    const moved = {
      ...base,
      fractional: base.fractional.map((f, i) => (i === 1 ? ([0.3001, 0.3, 0] as Vec3) : f)),
    };
    expect(canonicalCrystal(moved).hash).not.toBe(hash);
    const strained = {
      ...base,
      lattice: [[7.6, 0, 0], base.lattice[1], base.lattice[2]] as Crystal['lattice'],
    };
    expect(canonicalCrystal(strained).hash).not.toBe(hash);
    const swapped = { ...base, symbols: ['Ti', 'O', 'Ti', 'O'] };
    expect(canonicalCrystal(swapped).hash).not.toBe(hash);
  });

  it('normalises symbol case and -0', () => {
    const c = {
      ...base,
      symbols: ['ti', 'O', 'o', 'TI'],
      fractional: base.fractional.map((f) => f.map((x) => (x === 0 ? -0 : x)) as Vec3),
    };
    expect(canonicalCrystal(c).hash).toBe(hash);
  });

  it('is readable text with a sha256', () => {
    const { text, hash: h } = canonicalCrystal(rockSalt('Mg', 'O', 7.96));
    expect(text).toBe(
      [
        'lattice (bohr)',
        '0.00000 3.98000 3.98000',
        '3.98000 0.00000 3.98000',
        '3.98000 3.98000 0.00000',
        'atoms (fractional)',
        'Mg 0.000000 0.000000 0.000000',
        'O 0.500000 0.500000 0.500000',
        '',
      ].join('\n'),
    );
    expect(h).toMatch(/^[0-9a-f]{64}$/);
  });

  it('survives a JSON round trip', () => {
    const c = zincBlende('Ga', 'As', 10.68);
    expect(canonicalCrystal(readCrystal(crystalToJson(c))).hash).toBe(canonicalCrystal(c).hash);
  });
});

describe('prototype cells', () => {
  it('rock salt: primitive fcc, volume a^3/4, B at the cell centre', () => {
    const c = rockSalt('Na', 'Cl', 10.66);
    expect(cellVolume(c)).toBeCloseTo(10.66 ** 3 / 4, 9);
    expect(c.symbols).toEqual(['Na', 'Cl']);
    // Cl sits at (a/2, a/2, a/2): half the cube diagonal, the nearest Na-Cl distance being a/2
    close(fractionalToCartesian(c.lattice, c.fractional[1] as Vec3), [5.33, 5.33, 5.33]);
  });

  it('zinc blende: primitive fcc, B at (a/4, a/4, a/4), bond length a sqrt(3)/4', () => {
    const a = 10.68;
    const c = zincBlende('Ga', 'As', a);
    expect(cellVolume(c)).toBeCloseTo(a ** 3 / 4, 9);
    const r = fractionalToCartesian(c.lattice, c.fractional[1] as Vec3);
    expect(Math.hypot(...r)).toBeCloseTo((a * Math.sqrt(3)) / 4, 9);
    expect(() => zincBlende('Si', 'Si', a)).not.toThrow();
  });

  it('caesium chloride: simple cubic, volume a^3', () => {
    const c = cesiumChloride('Cs', 'Cl', 7.8);
    expect(cellVolume(c)).toBeCloseTo(7.8 ** 3, 9);
    expect(c.fractional).toEqual([
      [0, 0, 0],
      [0.5, 0.5, 0.5],
    ]);
  });

  it('rejects bad symbols and lattice constants', () => {
    expect(() => rockSalt('Mg', 'Oo', 7.96)).toThrow(/unknown element "Oo"/);
    expect(() => rockSalt('Mg', 'O', 0)).toThrow(/lattice constant must be positive/);
    expect(() => cesiumChloride('Cs', 'Cl', Number.NaN)).toThrow(StructureError);
  });
});

describe('coordinates', () => {
  it('fractional and Cartesian are inverse', () => {
    const lattice: Vec3[] = [
      [5, 0.3, 0],
      [1, 6, 0.2],
      [0.4, -0.7, 7],
    ];
    const f: Vec3 = [0.1, 0.25, 0.9];
    close(cartesianToFractional(lattice, fractionalToCartesian(lattice, f)), f, 12);
  });

  it('checkCrystal catches an atom on its own periodic image in a tiny cell', () => {
    const tiny: Crystal = {
      kind: 'crystal',
      lattice: [
        [0.3, 0, 0],
        [0, 5, 0],
        [0, 0, 5],
      ],
      symbols: ['H'],
      fractional: [[0, 0, 0]],
    };
    expect(() => checkCrystal(tiny, 'tiny')).toThrow(
      /tiny: atom 1 \(H\) is 0\.300 bohr from its own periodic image/,
    );
  });
});
