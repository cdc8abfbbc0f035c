/**
 * Shannon's effective ionic radii (R. D. Shannon, Acta Cryst. A32, 751 (1976)), in angstrom, for the ions of
 * the common oxidation states (oxidation-states.ts) at coordination numbers 4, 6 and 8: the ones the crystal
 * prototypes need (tetrahedral, octahedral, cubic). Values as tabulated in pymatgen-core 2026.10.16
 * (`periodic_table.json`, "Shannon radii", ionic_radius; read for the facts). Where Shannon gives both spin
 * states (Mn2+, Fe2+, Fe3+, Co2+, Co3+) the high-spin radius is kept, the usual state in oxides and halides;
 * square-planar entries are left out. Ions Shannon does not list (As3-, P3-, C4-, Si4-, H-) have no entry.
 *
 * Radii are "ionic" (O2- 1.40 A at CN 6), not "crystal" radii (cations 0.14 A larger, anions 0.14 A smaller):
 * a cation-anion distance is the same sum on either scale.
 */

/** Coordination numbers with radii. */
export type Coordination = 4 | 6 | 8;

/** Ion ('Mg2+', 'O2-', 'Na+') -> coordination number -> radius (angstrom). */
export const SHANNON_RADII: Readonly<Record<string, Readonly<Partial<Record<Coordination, number>>>>> = {
  'Li+': { 4: 0.59, 6: 0.76, 8: 0.92 },
  'Be2+': { 4: 0.27, 6: 0.45 },
  'B3+': { 4: 0.11, 6: 0.27 },
  'C4+': { 4: 0.15, 6: 0.16 },
  'N3-': { 4: 1.46 },
  'N3+': { 6: 0.16 },
  'N5+': { 6: 0.13 },
  'O2-': { 4: 1.38, 6: 1.4, 8: 1.42 },
  'F-': { 4: 1.31, 6: 1.33 },
  'Na+': { 4: 0.99, 6: 1.02, 8: 1.18 },
  'Mg2+': { 4: 0.57, 6: 0.72, 8: 0.89 },
  'Al3+': { 4: 0.39, 6: 0.535 },
  'Si4+': { 4: 0.26, 6: 0.4 },
  'P3+': { 6: 0.44 },
  'P5+': { 4: 0.17, 6: 0.38 },
  'S2-': { 6: 1.84 },
  'S4+': { 6: 0.37 },
  'S6+': { 4: 0.12, 6: 0.29 },
  'Cl-': { 6: 1.81 },
  'Cl7+': { 4: 0.08, 6: 0.27 },
  'K+': { 4: 1.37, 6: 1.38, 8: 1.51 },
  'Ca2+': { 6: 1.0, 8: 1.12 },
  'Sc3+': { 6: 0.745, 8: 0.87 },
  'Ti4+': { 4: 0.42, 6: 0.605, 8: 0.74 },
  'V5+': { 4: 0.355, 6: 0.54 },
  'Cr3+': { 6: 0.615 },
  'Cr6+': { 4: 0.26, 6: 0.44 },
  'Mn2+': { 4: 0.66, 6: 0.83, 8: 0.96 },
  'Mn4+': { 4: 0.39, 6: 0.53 },
  'Mn7+': { 4: 0.25, 6: 0.46 },
  'Fe2+': { 4: 0.63, 6: 0.78, 8: 0.92 },
  'Fe3+': { 4: 0.49, 6: 0.645, 8: 0.78 },
  'Co2+': { 4: 0.58, 6: 0.745, 8: 0.9 },
  'Co3+': { 6: 0.61 },
  'Ni2+': { 4: 0.55, 6: 0.69 },
  'Cu2+': { 4: 0.57, 6: 0.73 },
  'Zn2+': { 4: 0.6, 6: 0.74, 8: 0.9 },
  'Ga3+': { 4: 0.47, 6: 0.62 },
  'Ge2+': { 6: 0.73 },
  'Ge4+': { 4: 0.39, 6: 0.53 },
  'As3+': { 6: 0.58 },
  'As5+': { 4: 0.335, 6: 0.46 },
  'Se2-': { 6: 1.98 },
  'Se4+': { 6: 0.5 },
  'Se6+': { 4: 0.28, 6: 0.42 },
  'Br-': { 6: 1.96 },
  'Rb+': { 6: 1.52, 8: 1.61 },
  'Sr2+': { 6: 1.18, 8: 1.26 },
  'Y3+': { 6: 0.9, 8: 1.019 },
  'Zr4+': { 4: 0.59, 6: 0.72, 8: 0.84 },
  'Nb5+': { 4: 0.48, 6: 0.64, 8: 0.74 },
  'Mo4+': { 6: 0.65 },
  'Mo6+': { 4: 0.41, 6: 0.59 },
  'Tc4+': { 6: 0.645 },
  'Tc7+': { 4: 0.37, 6: 0.56 },
  'Ru3+': { 6: 0.68 },
  'Ru4+': { 6: 0.62 },
  'Rh3+': { 6: 0.665 },
  'Pd2+': { 6: 0.86 },
  'Pd4+': { 6: 0.615 },
  'Ag+': { 4: 1.0, 6: 1.15, 8: 1.28 },
  'Cd2+': { 4: 0.78, 6: 0.95, 8: 1.1 },
  'In3+': { 4: 0.62, 6: 0.8, 8: 0.92 },
  'Sn4+': { 4: 0.55, 6: 0.69, 8: 0.81 },
  'Sb3+': { 6: 0.76 },
  'Sb5+': { 6: 0.6 },
  'Te2-': { 6: 2.21 },
  'Te4+': { 4: 0.66, 6: 0.97 },
  'Te6+': { 4: 0.43, 6: 0.56 },
  'I-': { 6: 2.2 },
  'I5+': { 6: 0.95 },
  'I7+': { 4: 0.42, 6: 0.53 },
  'Cs+': { 6: 1.67, 8: 1.74 },
  'Ba2+': { 6: 1.35, 8: 1.42 },
  'La3+': { 6: 1.032, 8: 1.16 },
  'Hf4+': { 4: 0.58, 6: 0.71, 8: 0.83 },
  'Ta5+': { 6: 0.64, 8: 0.74 },
  'W4+': { 6: 0.66 },
  'W6+': { 4: 0.42, 6: 0.6 },
  'Re4+': { 6: 0.63 },
  'Re7+': { 4: 0.38, 6: 0.53 },
  'Os4+': { 6: 0.63 },
  'Ir3+': { 6: 0.68 },
  'Ir4+': { 6: 0.625 },
  'Pt2+': { 6: 0.8 },
  'Pt4+': { 6: 0.625 },
  'Au3+': { 6: 0.85 },
  'Hg+': { 6: 1.19 },
  'Hg2+': { 4: 0.96, 6: 1.02, 8: 1.14 },
  'Tl+': { 6: 1.5, 8: 1.59 },
  'Tl3+': { 4: 0.75, 6: 0.885, 8: 0.98 },
  'Pb2+': { 6: 1.19, 8: 1.29 },
  'Pb4+': { 4: 0.65, 6: 0.775, 8: 0.94 },
  'Bi3+': { 6: 1.03, 8: 1.17 },
  'Po4+': { 6: 0.94, 8: 1.08 },
};

/** The usual name of an ion: 'Mg2+', 'O2-', 'Na+', 'Cl-'. */
export function ionName(symbol: string, charge: number): string {
  const size = Math.abs(charge);
  return `${symbol}${size === 1 ? '' : size}${charge > 0 ? '+' : '-'}`;
}

/**
 * The radius (angstrom) of an ion at coordination `cn`, with the coordination it was listed at: when Shannon has
 * no value at `cn`, the one at the nearest coordination he lists (the larger on a tie). Cl- is listed at 6 only,
 * and a chloride at 8 is better served by that than by nothing. Undefined when the ion has no entry at all.
 */
export function ionicRadius(
  symbol: string,
  charge: number,
  cn: Coordination,
): { radius: number; coordination: Coordination } | undefined {
  const radii = SHANNON_RADII[ionName(symbol, charge)];
  if (!radii) return undefined;
  const listed = (Object.keys(radii).map(Number) as Coordination[]).sort(
    (a, b) => Math.abs(a - cn) - Math.abs(b - cn) || b - a,
  );
  const nearest = listed[0];
  const radius = nearest === undefined ? undefined : radii[nearest];
  return nearest === undefined || radius === undefined ? undefined : { radius, coordination: nearest };
}
