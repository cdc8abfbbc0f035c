/**
 * 3D geometries from SMILES, stored per SMILES before any calculation uses them. Open Babel's embedding is
 * stochastic, so the stored geometry (not the SMILES) is what makes a cache key survive retries, crashes and
 * reruns; the first writer wins when two workers embed the same SMILES at once.
 */
import { openStore } from '../store/db.js';
import { getGeometry, putGeometry } from '../store/qm-results.js';
import { parseXyz, smilesTo3D, toXyz } from './geometry.js';
import type { Geometry } from './template.js';

export const GEOMETRY_GENERATOR = 'obabel-gen3d';

export async function storedGeometry(smiles: string): Promise<Geometry> {
  const db = openStore();
  const stored = getGeometry(db, smiles, GEOMETRY_GENERATOR);
  if (stored) return fromStored(stored);
  const geom = await smilesTo3D(smiles);
  putGeometry(db, smiles, GEOMETRY_GENERATOR, geometryJson(geom));
  // re-read: if another worker stored one first, everyone uses the same geometry (and cache key)
  return fromStored(getGeometry(db, smiles, GEOMETRY_GENERATOR) as string);
}

/** XYZ has no charge or spin: they are kept beside it. */
export function geometryJson(geom: Geometry): string {
  return JSON.stringify({ xyz: toXyz(geom), charge: geom.charge, multiplicity: geom.multiplicity });
}

export function fromStored(stored: string): Geometry {
  const { xyz, charge, multiplicity } = JSON.parse(stored) as {
    xyz: string;
    charge: number;
    multiplicity: number;
  };
  return parseXyz(xyz, { charge, multiplicity });
}
