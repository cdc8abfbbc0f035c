/**
 * 3D geometries from SMILES, stored per SMILES and generator before any calculation uses them. The embedding
 * is deterministic (geometry.ts), so a fresh store gives the same geometries; storing them still saves the
 * embedding's cost on every later use and keeps a cache key stable should anything below it change (a
 * library's floating point on another machine). The first writer wins when two workers embed the same SMILES.
 * Geometries of another generator (Open Babel's random `obabel-gen3d`, an older OpenChemLib) are never used.
 */

import type { Usage } from '../../lib/domain/usage.js';
import { parseXyz, toXyz } from '../../qm/molecule.js';
import type { Geometry } from '../../qm/template.js';
import type { Store } from '../../store/store.js';
import { measureProcess } from '../usage.js';
import { EMBEDDING, smilesTo3D } from './geometry.js';

export const GEOMETRY_GENERATOR = EMBEDDING;

export async function storedGeometry(
  store: Store,
  smiles: string,
  /** Told what embedding used, when it ran now (a stored geometry costs nothing). */
  onUsage?: (usage: Usage) => void,
): Promise<Geometry> {
  const stored = await store.getGeometry(smiles, GEOMETRY_GENERATOR);
  if (stored) return fromStored(stored);
  // the embedding thread's CPU is this process's: measured as a scope, shared with neighbours embedding too;
  // told also when it fails, since the CPU was spent all the same
  const stop = await measureProcess();
  let geom: Geometry;
  try {
    geom = await smilesTo3D(smiles);
  } finally {
    onUsage?.(await stop());
  }
  await store.putGeometry(smiles, GEOMETRY_GENERATOR, geometryJson(geom));
  // re-read: if another worker stored one first, everyone uses the same geometry (and cache key)
  return fromStored((await store.getGeometry(smiles, GEOMETRY_GENERATOR)) as string);
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
