import { describe, expect, it } from 'vitest';
import {
  atomicNumber,
  canonicalGeometry,
  electronCount,
  lowestMultiplicity,
  parseXyz,
  toXyz,
} from '../../qm/molecule.js';
import type { Geometry, Vec3 } from '../../qm/template.js';

const ethanol: Geometry = {
  symbols: ['C', 'C', 'O', 'H', 'H', 'H', 'H', 'H', 'H'],
  coords: [
    [0.9581, -0.03088, -0.07898],
    [2.47238, -0.03625, -0.08384],
    [2.95407, -0.37897, -1.37481],
    [0.5733, 0.24165, 0.90766],
    [0.5661, -1.01666, -0.35003],
    [0.57262, 0.67951, -0.81775],
    [2.86381, -0.75745, 0.64019],
    [2.85937, 0.95428, 0.17244],
    [2.61449, -1.26457, -1.58909],
  ],
  charge: 0,
  multiplicity: 1,
};

function permute(g: Geometry, order: number[]): Geometry {
  return {
    ...g,
    symbols: order.map((i) => g.symbols[i] as string),
    coords: order.map((i) => g.coords[i] as Vec3),
  };
}

describe('parseXyz / toXyz', () => {
  it('round-trips exactly', () => {
    const text = toXyz(ethanol, 'ethanol');
    expect(text.split('\n').slice(0, 3)).toEqual([
      '9',
      'ethanol',
      expect.stringMatching(/^C +0\.9581000000 +-0\.0308800000/),
    ]);
    expect(parseXyz(text)).toEqual(ethanol);
  });

  it('reads Open Babel output, odd capitalisation and extra columns', () => {
    const g = parseXyz('2\n\nc   0.0 0.0 0.0  extra\nCL  0.0 0.0 1.77\n', { charge: 0 });
    expect(g.symbols).toEqual(['C', 'Cl']);
    expect(g.coords[1]).toEqual([0, 0, 1.77]);
    expect(g.multiplicity).toBe(2); // CCl: 23 electrons
  });

  it('keeps the comment on one line and writes -0 as 0', () => {
    const text = toXyz({ ...ethanol, symbols: ['H'], coords: [[-0, 0, 0]] }, 'two\nlines');
    expect(text).toBe('1\ntwo lines\nH        0.0000000000       0.0000000000       0.0000000000\n');
  });

  it('takes charge and multiplicity from the caller', () => {
    const g = parseXyz(toXyz(ethanol), { charge: 1 });
    expect([g.charge, g.multiplicity]).toEqual([1, 2]);
    expect(parseXyz(toXyz(ethanol), { multiplicity: 3 }).multiplicity).toBe(3);
  });

  it.each([
    ['a missing count', 'x\n\nH 0 0 0\n', /atom count/],
    ['too few atom lines', '3\n\nH 0 0 0\n', /expected 3 atom lines/],
    ['a missing coordinate', '1\n\nH 0 0\n', /atom 1/],
    ['an unknown element', '1\n\nQq 0 0 0\n', /atom 1/],
  ])('rejects %s', (_what, text, message) => {
    expect(() => parseXyz(text)).toThrow(message);
  });

  // issue 16, case 6: a file declaring 2 atoms and listing 3 was read as its first 2
  it('refuses more atom lines than the count declares, with the line numbers', () => {
    expect(() => parseXyz('2\nwater?\nO 0 0 0.117\nH 0 0.757 -0.467\nH 0 -0.757 -0.467\n')).toThrow(
      'XYZ: line 1 declares 2 atoms, but lines 3-5 list 3',
    );
  });

  it('refuses fewer atom lines than declared, blank lines after them notwithstanding', () => {
    expect(() => parseXyz('3\nwater\nO 0 0 0.117\nH 0 0.757 -0.467\n\n\n')).toThrow(
      'XYZ: line 1 declares 3 atoms, but only 2 follow (lines 3-4)',
    );
  });

  it('still reads the first frame of a trajectory, and trailing blank lines', () => {
    const frame = '2\nframe\nH 0 0 0\nH 0 0 0.74\n';
    expect(parseXyz(`${frame}${frame.replace('0.74', '0.75')}\n\n`).coords[1]).toEqual([0, 0, 0.74]);
  });
});

describe('elements', () => {
  it('knows H to Rn', () => {
    expect(atomicNumber('H')).toBe(1);
    expect(atomicNumber('fe')).toBe(26);
    expect(atomicNumber('Rn')).toBe(86);
    expect(atomicNumber('Fr')).toBeUndefined();
    expect(electronCount(ethanol.symbols, 0)).toBe(26);
    expect(electronCount(ethanol.symbols, -1)).toBe(27);
    expect(lowestMultiplicity(ethanol.symbols, 1)).toBe(2);
  });
});

describe('canonicalGeometry', () => {
  const base = canonicalGeometry(ethanol);

  it('is a sha256 over sorted, rounded atoms', () => {
    expect(base.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(base.text.split('\n').slice(0, 3)).toEqual([
      'charge 0 multiplicity 1',
      'C 0.95810 -0.03088 -0.07898',
      'C 2.47238 -0.03625 -0.08384',
    ]);
  });

  it('does not depend on atom order', () => {
    for (const order of [
      [8, 7, 6, 5, 4, 3, 2, 1, 0],
      [2, 0, 1, 5, 3, 4, 8, 6, 7],
    ]) {
      expect(canonicalGeometry(permute(ethanol, order))).toEqual(base);
    }
  });

  it('treats -0 as 0 and ignores noise below 1e-5 angstrom', () => {
    const zero: Geometry = { ...ethanol, symbols: ['He'], coords: [[0, 0, 0]] };
    const negZero: Geometry = { ...zero, coords: [[-0, -0, -1e-9]] };
    expect(canonicalGeometry(negZero)).toEqual(canonicalGeometry(zero));
    expect(canonicalGeometry(zero).text).toBe('charge 0 multiplicity 1\nHe 0.00000 0.00000 0.00000\n');
    const jittered = {
      ...ethanol,
      coords: ethanol.coords.map(([x, y, z]) => [x + 1e-9, y - 1e-9, z] as Vec3),
    };
    expect(canonicalGeometry(jittered).hash).toBe(base.hash);
  });

  it('changes when an atom moves, or the charge or multiplicity change', () => {
    const moved = {
      ...ethanol,
      coords: ethanol.coords.map((c, i) => (i === 4 ? ([c[0], c[1], c[2] + 1e-4] as Vec3) : c)),
    };
    expect(canonicalGeometry(moved).hash).not.toBe(base.hash);
    expect(canonicalGeometry({ ...ethanol, charge: 1, multiplicity: 2 }).hash).not.toBe(base.hash);
    expect(canonicalGeometry({ ...ethanol, multiplicity: 3 }).hash).not.toBe(base.hash);
  });

  it('swapping two elements at fixed positions is a different molecule', () => {
    const swapped = { ...ethanol, symbols: ['C', 'O', 'C', ...ethanol.symbols.slice(3)] };
    expect(canonicalGeometry(swapped).hash).not.toBe(base.hash);
  });

  it('formats small negative values exactly', () => {
    const g: Geometry = { ...ethanol, symbols: ['H'], coords: [[-0.00001, 12.3, -100.5]] };
    expect(canonicalGeometry(g).text).toBe('charge 0 multiplicity 1\nH -0.00001 12.30000 -100.50000\n');
  });
});
