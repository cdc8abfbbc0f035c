import type { Crystal } from '../../qm/template.js';
/** MgO in the rock-salt structure (a = 7.96 bohr) as the JSON structure format writes it. */
export const mgoJson = {
  units: 'bohr',
  lattice: [
    [0, 3.98, 3.98],
    [3.98, 0, 3.98],
    [3.98, 3.98, 0],
  ],
  species: ['Mg', 'O'],
  fractional: [
    [0, 0, 0],
    [0.5, 0.5, 0.5],
  ],
};

/** fcc aluminium (a = 7.6534 bohr), primitive cell: a metal. */
const half = 7.6534 / 2;
export const aluminium: Crystal = {
  kind: 'crystal',
  lattice: [
    [0, half, half],
    [half, 0, half],
    [half, half, 0],
  ],
  symbols: ['Al'],
  fractional: [[0, 0, 0]],
};
