/**
 * A labelled pool: the lookup table that stands in for the QM codes. The files are written by
 * scripts/label-pool.ts (scripts/al-pools/rows.ts: one row per molecule, appended as molecules finish, labels by
 * tier name in ladder order, a failed tier ending the ladder) and read here with its reader, which drops a last
 * line cut short. The tier names are read from the rows, not assumed. A row whose ladder stops short of the top
 * without a failure (labelled while the file was being extended) is skipped and counted.
 */
import { usageOf } from '../../activities/usage.js';
import type { PropertyValues } from '../../lib/domain/objective.js';
import type { Usage } from '../../lib/domain/usage.js';
import { type PoolRow, readRows } from '../../scripts/al-pools/rows.js';

export interface TierLabel {
  status: 'ok' | 'failed';
  /** The properties the label holds (homoLumoGap, energy, ...). */
  values: PropertyValues;
  /** What the calculation used, from its measured times through cascade's energy model. */
  usage: Usage;
}

export interface LabelledMolecule {
  id: string;
  smiles: string;
  heavyAtoms: number;
  /** By tier name, up to the top tier or the first failure. */
  labels: Readonly<Record<string, TierLabel>>;
  /** The 3D structure's cost (the embedding; charged once per molecule, with its first calculation). */
  geometry: Usage;
}

export interface LabelledPool {
  file: string;
  molecules: LabelledMolecule[];
  /** Tier names as the file spells them, in ladder order (cheapest first). */
  tiers: string[];
  /** Rows read, and those skipped for lacking a tier they should have. */
  rows: number;
  incomplete: number;
}

/** A label's fields that are not properties of the molecule. */
const NOT_PROPERTIES = new Set(['cpuSeconds', 'wallSeconds', 'peakMemoryBytes']);

export function readLabelledPool(file: string, property: string): LabelledPool {
  const rows = readRows(file);
  const tiers = ladderOf(rows);
  const molecules: LabelledMolecule[] = [];
  let incomplete = 0;
  for (const r of rows) {
    const labels: Record<string, TierLabel> = {};
    let complete = false;
    for (const tier of tiers) {
      const raw = r.labels[tier];
      if (!raw) break;
      const label = tierLabel(raw, property);
      labels[tier] = label;
      complete = label.status === 'failed' || tier === tiers.at(-1);
      if (label.status === 'failed') break;
    }
    if (!complete) {
      incomplete++;
      continue;
    }
    const g = r.geometry;
    molecules.push({
      id: r.id,
      smiles: r.smiles,
      heavyAtoms: r.heavyAtoms,
      labels,
      geometry: usageOf({ cpuSeconds: g?.cpuSeconds ?? 0, wallSeconds: g?.wallSeconds ?? 0 }),
    });
  }
  return { file, molecules, tiers, rows: rows.length, incomplete };
}

/** A label as a campaign sees the result: ok only when it holds a finite value of the objective's property. */
function tierLabel(raw: PoolRow['labels'][string], property: string): TierLabel {
  const values: Record<string, number> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!NOT_PROPERTIES.has(k) && typeof v === 'number' && Number.isFinite(v)) values[k] = v;
  }
  return {
    status: raw.status === 'ok' && values[property] !== undefined ? 'ok' : 'failed',
    values,
    usage: usageOf({
      cpuSeconds: raw.cpuSeconds,
      wallSeconds: raw.wallSeconds,
      ...(raw.peakMemoryBytes !== undefined ? { peakMemoryBytes: raw.peakMemoryBytes } : {}),
    }),
  };
}

/** The ladder: the tier names of the row that climbed furthest, in their (ladder) order. */
function ladderOf(rows: readonly PoolRow[]): string[] {
  let longest: string[] = [];
  for (const r of rows) {
    const names = Object.keys(r.labels);
    if (names.length > longest.length) longest = names;
  }
  return longest;
}
