/**
 * Checks every molecular template makes on a geometry and a spec before it writes an input: a usable set
 * of atoms, and a charge and multiplicity the electron count allows.
 */
import { electronCount } from '../molecule.js';
import { type CalcSpec, type Geometry, InvalidInputError } from '../template.js';

/** Atoms present, one finite 3-vector per symbol. */
export function checkGeometry(geom: Geometry): void {
  if (geom.symbols.length === 0) throw new InvalidInputError('geometry has no atoms');
  if (geom.coords.length !== geom.symbols.length) {
    throw new InvalidInputError(
      `geometry has ${geom.symbols.length} symbols but ${geom.coords.length} coordinates`,
    );
  }
  if (!geom.coords.every((c) => c.length === 3 && c.every(Number.isFinite))) {
    throw new InvalidInputError('geometry has non-finite coordinates');
  }
}

/** Unpaired electrons for the spec, after checking charge, multiplicity and their parity with the electrons. */
export function unpairedElectrons(spec: CalcSpec, symbols: readonly string[]): number {
  if (!Number.isInteger(spec.charge))
    throw new InvalidInputError(`charge must be an integer, got ${spec.charge}`);
  if (!Number.isInteger(spec.multiplicity) || spec.multiplicity < 1) {
    throw new InvalidInputError(`multiplicity must be a positive integer, got ${spec.multiplicity}`);
  }
  let electrons: number;
  try {
    electrons = electronCount(symbols, spec.charge);
  } catch (e) {
    throw new InvalidInputError((e as Error).message);
  }
  const unpaired = spec.multiplicity - 1;
  if (electrons < unpaired || (electrons - unpaired) % 2 !== 0) {
    throw new InvalidInputError(
      `multiplicity ${spec.multiplicity} is impossible with ${electrons} electrons (charge ${spec.charge})`,
    );
  }
  return unpaired;
}
