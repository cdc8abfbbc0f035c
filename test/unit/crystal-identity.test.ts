/**
 * The canonical identity of a crystal under symmetry (activities/chem/crystal-identity.ts, moyo + Niggli +
 * canonical origin): one key for one crystal however it is written, different keys for different crystals.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { crystalIdentity } from '../../activities/chem/crystal-identity.js';
import { ANGSTROM_PER_BOHR } from '../../lib/domain/units.js';
import { canonicalCell, properAutomorphisms } from '../../qm/crystal/canonical-cell.js';
import { AXES, inverse, type Mat3, multiply, transpose } from '../../qm/crystal/matrix.js';
import { niggliReduce } from '../../qm/crystal/niggli.js';
import { readCrystalFile } from '../../qm/crystal/read.js';
import { canonicalCrystal, rockSalt, StructureError } from '../../qm/structure.js';
import type { Crystal, Vec3 } from '../../qm/template.js';

const A = 1 / ANGSTROM_PER_BOHR; // bohr per angstrom
const dir = path.resolve(import.meta.dirname, '../fixtures/crystals');

async function fromFile(name: string, block = 0): Promise<Crystal> {
  const crystals = await readCrystalFile(path.join(dir, name));
  return (crystals[block] as (typeof crystals)[number]).crystal;
}

// ---------------------------------------------------------------------------------------------------
// Ways of writing the same crystal differently

/** The crystal rotated rigidly: lattice vectors turned, fractional coordinates unchanged. */
function rotated(c: Crystal, axis: Vec3, angle: number): Crystal {
  const n = Math.hypot(...axis);
  const [x, y, z] = axis.map((v) => v / n) as Vec3;
  const [s, k] = [Math.sin(angle), 1 - Math.cos(angle)];
  // Rodrigues: R = I + sin(t) K + (1 - cos(t)) K^2
  const r: Mat3 = [
    [1 - k * (y * y + z * z), -s * z + k * x * y, s * y + k * x * z],
    [s * z + k * x * y, 1 - k * (x * x + z * z), -s * x + k * y * z],
    [-s * y + k * x * z, s * x + k * y * z, 1 - k * (x * x + y * y)],
  ];
  return { ...c, lattice: multiply(c.lattice as Mat3, transpose(r)) as Crystal['lattice'] };
}

/** The same crystal in another basis: rows of `m` (integer, det 1) are the new vectors in the old basis. */
function rebased(c: Crystal, m: Mat3): Crystal {
  const inv = inverse(m);
  return {
    ...c,
    lattice: multiply(m, c.lattice as Mat3) as Crystal['lattice'],
    // r = f L = f' (M L), so f' = f M^-1
    fractional: c.fractional.map(
      (f) => AXES.map((j) => f[0] * inv[0][j] + f[1] * inv[1][j] + f[2] * inv[2][j]) as Vec3,
    ),
  };
}

/** An n1 x n2 x n3 supercell. */
function supercell(c: Crystal, n: Vec3): Crystal {
  const symbols: string[] = [];
  const fractional: Vec3[] = [];
  for (let i = 0; i < n[0]; i++)
    for (let j = 0; j < n[1]; j++)
      for (let k = 0; k < n[2]; k++)
        c.fractional.forEach((f, a) => {
          symbols.push(c.symbols[a] as string);
          fractional.push([(f[0] + i) / n[0], (f[1] + j) / n[1], (f[2] + k) / n[2]]);
        });
  const lattice = c.lattice.map((v, r) => v.map((x) => x * (n[r] as number))) as Crystal['lattice'];
  return { kind: 'crystal', lattice, symbols, fractional };
}

const shifted = (c: Crystal, t: Vec3): Crystal => ({
  ...c,
  fractional: c.fractional.map((f) => f.map((x, k) => x + (t[k] as number)) as Vec3),
});

/** Atoms listed in another order (a fixed shuffle). */
function permuted(c: Crystal): Crystal {
  const order = c.symbols.map((_, i) => i).sort((a, b) => ((a * 7 + 3) % 11) - ((b * 7 + 3) % 11) || a - b);
  return {
    ...c,
    symbols: order.map((i) => c.symbols[i] as string),
    fractional: order.map((i) => c.fractional[i] as Vec3),
  };
}

/** The mirror image: x -> -x in Cartesian space. */
const mirrored = (c: Crystal): Crystal => ({
  ...c,
  lattice: c.lattice.map((v) => [-v[0], v[1], v[2]]) as Crystal['lattice'],
});

async function keyOf(c: Crystal): Promise<string> {
  return (await crystalIdentity(c)).key;
}

// ---------------------------------------------------------------------------------------------------

describe('crystalIdentity: one key per crystal', () => {
  it('MgO from every file and every cell gives one key', async () => {
    const conventional = await fromFile('mgo-fm3m.cif');
    const id = await crystalIdentity(conventional);
    expect(id.spaceGroup).toBe(225);
    expect(id.hallNumber).toBeGreaterThan(0);
    expect(id.text.startsWith('space group 225\n')).toBe(true);
    expect(id.primitive.symbols.slice().sort()).toEqual(['Mg', 'O']);

    const forms: [string, Crystal][] = [
      ['P1 conventional CIF', await fromFile('mgo-p1.cif')],
      ['primitive CIF block', await fromFile('two-blocks.cif', 0)],
      ['POSCAR, primitive', await fromFile('mgo.vasp')],
      ['POSCAR, Cartesian, by volume', await fromFile('POSCAR-mgo-cartesian')],
      ['extended XYZ, shifted origin', await fromFile('mgo.extxyz')],
      ['rock-salt prototype', rockSalt('Mg', 'O', 4.212 * A)],
      ['rotated', rotated(conventional, [1, 2, 3], 0.7)],
      ['permuted atoms', permuted(conventional)],
      ['shifted origin', shifted(conventional, [0.13, 0.27, 0.61])],
      ['O at the origin', shifted(conventional, [0.5, 0, 0])],
      ['2x1x1 supercell', supercell(conventional, [2, 1, 1])],
      [
        'another basis',
        rebased(conventional, [
          [1, 1, 0],
          [0, 1, 0],
          [1, 0, 1],
        ]),
      ],
      [
        'all at once',
        permuted(rotated(shifted(supercell(conventional, [1, 2, 1]), [0.3, 0.1, 0.9]), [0, 1, 1], 2.1)),
      ],
    ];
    for (const [what, c] of forms) expect(await keyOf(c), what).toBe(id.key);
  });

  it('wurtzite ZnO (polar, its origin free along c) gives one key', async () => {
    const zno = await fromFile('zno-p63mc.cif');
    const id = await crystalIdentity(zno);
    expect(id.spaceGroup).toBe(186);
    expect(id.primitive.symbols).toHaveLength(4);
    // the metric is the ideal hexagonal one: |a| = |b|, gamma = 120 degrees
    const [a, b] = id.primitive.lattice;
    expect(Math.abs(Math.hypot(...a) - Math.hypot(...b))).toBeLessThan(1e-12);
    const cosGamma = (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) / (Math.hypot(...a) * Math.hypot(...b));
    expect(cosGamma).toBeCloseTo(-0.5, 12);
    // turned upside down (a rotation by 180 degrees about a): moyo's standard cell then has -u for O
    const flipped = rotated(zno, [1, 0, 0], Math.PI);
    for (const c of [
      shifted(zno, [0, 0, 0.237]),
      flipped,
      supercell(zno, [1, 1, 2]),
      permuted(rotated(zno, [1, 1, 1], 1)),
    ]) {
      expect(await keyOf(c)).toBe(id.key);
    }
  });

  it('SrTiO3 perovskite: Pm-3m, one key for its cell shifted to Ti at the origin', async () => {
    const sto = await fromFile('srtio3-pm3m.cif');
    const id = await crystalIdentity(sto);
    expect(id.spaceGroup).toBe(221);
    expect(id.primitive.symbols).toHaveLength(5);
    expect(await keyOf(shifted(sto, [0.5, 0.5, 0.5]))).toBe(id.key);
    expect(await keyOf(supercell(sto, [2, 1, 1]))).toBe(id.key);
  });

  it('a monoclinic crystal in two bases (moyo returns beta and 180 - beta) gives one key', async () => {
    const beta = (100 * Math.PI) / 180;
    const mono: Crystal = {
      kind: 'crystal',
      lattice: [
        [3 * A, 0, 0],
        [0, 4 * A, 0],
        [5 * A * Math.cos(beta), 0, 5 * A * Math.sin(beta)],
      ],
      symbols: ['Cu', 'O', 'Se', 'Se'],
      fractional: [
        [0, 0, 0],
        [0.5, 0, 0.5],
        [0.2, 0.5, 0.3],
        [0.8, 0.5, 0.7],
      ],
    };
    const id = await crystalIdentity(mono);
    expect(id.spaceGroup).toBe(10);
    for (const m of [
      [
        [1, 0, 1],
        [0, 1, 0],
        [0, 0, 1],
      ],
      [
        [0, 0, 1],
        [0, -1, 0],
        [1, 0, 0],
      ],
    ] as Mat3[]) {
      expect(await keyOf(rotated(rebased(mono, m), [0, 0, 1], 1.1))).toBe(id.key);
    }
  });

  it('a triclinic crystal in any basis gives one key, its mirror image another', async () => {
    const tri: Crystal = {
      kind: 'crystal',
      lattice: [
        [6, 0, 0],
        [1, 7.5, 0],
        [0.6, 1.4, 9],
      ],
      // two C (the rarest species) on unrelated sites: either may be put at the origin
      symbols: ['C', 'N', 'C', 'N', 'N'],
      fractional: [
        [0, 0, 0],
        [0.21, 0.13, 0.07],
        [0.4, 0.27, 0.33],
        [0.62, 0.5, 0.8],
        [0.8, 0.1, 0.45],
      ],
    };
    const id = await crystalIdentity(tri);
    expect(id.spaceGroup).toBe(1);
    for (const m of [
      [
        [0, 1, 0],
        [0, 0, 1],
        [1, 0, 0],
      ],
      [
        [1, 1, 0],
        [0, 1, 0],
        [2, 1, 1],
      ],
    ] as Mat3[]) {
      expect(await keyOf(rotated(rebased(tri, m), [2, -1, 1], 0.4))).toBe(id.key);
    }
    const reversed = {
      ...tri,
      symbols: [...tri.symbols].reverse(),
      fractional: [...tri.fractional].reverse(),
    };
    expect(await keyOf(shifted(reversed, [-0.4, -0.27, -0.33]))).toBe(id.key);
    expect(await keyOf(reversed)).toBe(id.key);
    const mirror = await crystalIdentity(mirrored(tri));
    expect(mirror.key).not.toBe(id.key);
    expect(await keyOf(rotated(mirrored(tri), [1, 1, 0], 2))).toBe(mirror.key);
  });

  it('a cell distorted within the tolerance gets the ideal cell key', async () => {
    const conventional = await fromFile('mgo-fm3m.cif');
    const noisy: Crystal = {
      ...conventional,
      lattice: conventional.lattice.map((v, i) =>
        v.map((x, j) => x + (i === j ? (i - 1) * 1e-4 : 2e-5 * (i - j))),
      ) as Crystal['lattice'],
      fractional: conventional.fractional.map(
        (f, i) => f.map((x, k) => x + 1e-5 * Math.sin(3 * i + k)) as Vec3,
      ),
    };
    expect(await keyOf(noisy)).toBe(await keyOf(conventional));
  });

  it('its primitive cell is canonical: identifying it again gives the same key and the same cell to 1e-9', async () => {
    const id = await crystalIdentity(await fromFile('zno-p63mc.cif'));
    const again = await crystalIdentity(id.primitive);
    expect(again.key).toBe(id.key);
    expect(again.primitive.symbols).toEqual(id.primitive.symbols);
    const numbers = (c: Crystal) => [...c.lattice.flat(), ...c.fractional.flat()];
    numbers(again.primitive).forEach((x, i) => {
      expect(Math.abs(x - (numbers(id.primitive)[i] as number))).toBeLessThan(1e-9);
    });
    expect(`space group 186\n${canonicalCrystal(id.primitive).text}`).toBe(id.text);
  });
});

describe('crystalIdentity: different crystals, different keys', () => {
  it('tells MgO from NaCl and MgO at 4.212 from MgO at 4.3 angstrom', async () => {
    const mgo = await keyOf(rockSalt('Mg', 'O', 4.212 * A));
    const nacl = await keyOf(await fromFile('two-blocks.cif', 1));
    const mgoBig = await keyOf(rockSalt('Mg', 'O', 4.3 * A));
    const naclAsMgo = await keyOf(rockSalt('Na', 'Cl', 4.212 * A)); // same cell, other elements
    expect(new Set([mgo, nacl, mgoBig, naclAsMgo]).size).toBe(4);
    // zinc blende MgO: the same elements and cell, another structure
    const zb = await crystalIdentity({
      ...rockSalt('Mg', 'O', 4.212 * A),
      fractional: [
        [0, 0, 0],
        [0.25, 0.25, 0.25],
      ],
    });
    expect(zb.spaceGroup).toBe(216);
    expect(zb.key).not.toBe(mgo);
  });

  it('refuses a crystal with overlapping atoms', async () => {
    const bad = {
      ...rockSalt('Mg', 'O', 4.212 * A),
      fractional: [
        [0, 0, 0],
        [1e-3, 0, 0],
      ] as Vec3[],
    };
    await expect(crystalIdentity(bad)).rejects.toBeInstanceOf(StructureError);
  });
});

describe('the canonical cell, without moyo', () => {
  it('finds the 24 rotations of a cubic lattice and the 12 of a hexagonal one', () => {
    const fcc = niggliReduce([
      [2, 1, 1],
      [1, 2, 1],
      [1, 1, 2],
    ]);
    expect(properAutomorphisms(fcc.metric)).toHaveLength(24);
    const hex = niggliReduce([
      [1, -0.5, 0],
      [-0.5, 1, 0],
      [0, 0, 2.5],
    ]);
    expect(properAutomorphisms(hex.metric)).toHaveLength(12);
  });

  it('Niggli-reduces a skewed basis of a lattice to the metric of its reduced basis', () => {
    const g: Mat3 = [
      [9, 0, 0],
      [0, 16, 0],
      [0, 0, 25],
    ];
    const skew: Mat3 = [
      [1, 2, 0],
      [0, 1, 0],
      [3, 1, 1],
    ];
    const r = niggliReduce(multiply(multiply(skew, g), transpose(skew)));
    expect(r.metric.map((row) => row.map((x) => Math.round(x * 1e9) / 1e9))).toEqual(g);
  });

  it('is the same text for a crystal given in two bases, shifted and permuted', () => {
    const c = rockSalt('Ga', 'As', 10.68);
    const other = permuted(
      shifted(
        rebased(c, [
          [1, 0, 0],
          [1, 1, 0],
          [1, 1, 1],
        ]),
        [0.4, 0.2, 0.7],
      ),
    );
    expect(canonicalCell(other).text).toBe(canonicalCell(c).text);
  });
});
