/** A stored crystal (lattice in bohr, fractional positions) as exported: Cartesian angstrom, as ASE and CIF readers expect. */
import type { Crystal, Vec3 } from '../domain/geometry.js';
import { ANGSTROM_PER_BOHR } from '../domain/units.js';
import type { ExportedCrystal } from './record.js';

export function crystalInAngstrom(c: Crystal, source: string): ExportedCrystal {
  const lattice = c.lattice.map((row) => row.map((v) => v * ANGSTROM_PER_BOHR) as Vec3) as [Vec3, Vec3, Vec3];
  // r = f1 a1 + f2 a2 + f3 a3, the lattice vectors being rows
  const [a, b, cc] = lattice;
  const positions = c.fractional.map(
    ([f1, f2, f3]): Vec3 => [
      f1 * a[0] + f2 * b[0] + f3 * cc[0],
      f1 * a[1] + f2 * b[1] + f3 * cc[1],
      f1 * a[2] + f2 * b[2] + f3 * cc[2],
    ],
  );
  return { kind: 'crystal', lattice, symbols: [...c.symbols], positions, source };
}
