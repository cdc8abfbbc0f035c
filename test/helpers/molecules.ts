import type { Geometry } from '../../qm/template.js';

/** Water near its equilibrium geometry (angstrom). */
export const water: Geometry = {
  symbols: ['O', 'H', 'H'],
  coords: [
    [0, 0, 0.117],
    [0, 0.757, -0.467],
    [0, -0.757, -0.467],
  ],
  charge: 0,
  multiplicity: 1,
};

/** OH along z (O-H 0.97 Å), its oxygen at x = `dx`: the radical (0, 2) or hydroxide (-1, 1). */
export const hydroxyl = (dx: number, charge: number, multiplicity: number): Geometry => ({
  symbols: ['O', 'H'],
  coords: [
    [dx, 0, 0],
    [dx, 0, 0.97],
  ],
  charge,
  multiplicity,
});

/** Benzene, a regular hexagon (C-C 1.3915 Å, C-H 1.08 Å) in the xy plane. */
export const benzene: Geometry = {
  symbols: ['C', 'C', 'C', 'C', 'C', 'C', 'H', 'H', 'H', 'H', 'H', 'H'],
  coords: [
    [1.3915, 0, 0],
    [0.69575, 1.20508, 0],
    [-0.69575, 1.20508, 0],
    [-1.3915, 0, 0],
    [-0.69575, -1.20508, 0],
    [0.69575, -1.20508, 0],
    [2.4715, 0, 0],
    [1.23575, 2.14038, 0],
    [-1.23575, 2.14038, 0],
    [-2.4715, 0, 0],
    [-1.23575, -2.14038, 0],
    [1.23575, -2.14038, 0],
  ],
  charge: 0,
  multiplicity: 1,
};
