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
